/*
 * test_multipart.c - the upload collector in-process (web/upload.c), fed
 * as libmicrohttpd's post processor feeds it: fields and files in chunks,
 * limits per file, per request and in number, the type from the content,
 * temp files removed on every refusal and on an aborted request; file
 * names made safe; respond_file()'s headers. The multipart syntax itself
 * is MHD's (tests/integ/test_uploads.sh covers it through the server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/filestore.h"
#include "util/err.h"
#include "web/app.h"
#include "web/respond.h"
#include "web/upload.h"

static char dir[64];
static struct filestore *fs;

static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
			  "trailer\n<<>>\n%%EOF\n";
static const char csv[] = "date,kind,name,source\n"
			  "2026-01-01,holiday,Tết Dương lịch,BLLĐ 2019\n"
			  "2026-04-30,holiday,Ngày Chiến thắng,BLLĐ 2019\n";

static const char *const pdf_only[] = { "application/pdf", NULL };
static const struct upload_rules rules = {
	.max_request = 1 << 20,
	.max_file = 200,
	.max_files = 2,
	.mime = pdf_only,
	.mime_label = "PDF",
};

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int tmp_count(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/tmp", dir);
	return count_entries(p);
}

/* Shard directories + tmp: how many distinct first-two-hex shards. */
static int store_entries(void)
{
	return count_entries(dir) - 1;
}

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	snprintf(dir, sizeof(dir), "/tmp/test_multipart.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	int rc = filestore_open(dir, &fs, &err);
	buf_release(&err);
	return rc ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	filestore_close(fs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* Feeds one part as the post processor does: an empty announcement, then
 * chunks of `chunk` bytes at growing offsets. Returns the last result. */
static int feed(struct upload *u, const char *key, const char *filename,
		const char *data, size_t len, size_t chunk)
{
	int rc = upload_part(u, key, filename, "", 0, 0);
	for (size_t off = 0; !rc && off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		rc = upload_part(u, key, filename, data + off, off, n);
	}
	return rc;
}

static void test_fields_and_files(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	upload_init(&u, fs, &rules, 1000, &a);
	assert_int_equal(feed(&u, "csrf", NULL, "abc123", 6, 4), 0);
	assert_int_equal(feed(&u, "scan", "C:\\Users\\x\\giấy tờ.pdf", pdf,
			      sizeof(pdf) - 1, 7),
			 0);
	/* An empty <input type=file>: no file. */
	assert_int_equal(feed(&u, "other", "", "", 0, 1), 0);
	assert_int_equal(feed(&u, "note", NULL, "Xin chào", strlen("Xin chào"),
			      3),
			 0);
	assert_int_equal(upload_finish(&u, &req), 0);
	assert_string_equal(http_form(&req, "csrf"), "abc123");
	assert_string_equal(http_form(&req, "note"), "Xin chào");
	assert_int_equal(req.n_uploads, 1);
	const struct http_upload *f = http_upload(&req, "scan");
	assert_non_null(f);
	assert_null(http_upload(&req, "other"));
	assert_string_equal(f->filename, "giấy tờ.pdf");
	assert_string_equal(f->mime, "application/pdf");
	assert_int_equal(f->size, sizeof(pdf) - 1);
	assert_true(filestore_hash_valid(f->sha256));
	assert_int_equal(tmp_count(), 0);
	upload_release(&u);
	arena_release(&a);
}

static void test_file_too_big(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	char big[300];
	memcpy(big, pdf, sizeof(pdf) - 1);
	memset(big + sizeof(pdf) - 1, ' ', sizeof(big) - (sizeof(pdf) - 1));
	int before = store_entries();
	upload_init(&u, fs, &rules, 1000, &a);
	assert_int_equal(feed(&u, "csrf", NULL, "x", 1, 1), 0);
	assert_int_equal(feed(&u, "giay_to", "a.pdf", big, sizeof(big), 64),
			 -1);
	assert_int_equal(tmp_count(), 0);
	/* Later parts are ignored; the refusal stands. */
	assert_int_equal(feed(&u, "more", NULL, "y", 1, 1), -1);
	assert_int_equal(upload_finish(&u, &req), 413);
	assert_string_equal(u.code, "file_too_large");
	assert_non_null(strstr(u.message, "giay_to"));
	assert_string_equal(u.field, "giay_to");
	assert_non_null(strstr(u.message, "a.pdf"));
	assert_int_equal(req.n_uploads, 0);
	assert_null(http_form(&req, "csrf"));
	assert_int_equal(store_entries(), before);
	upload_release(&u);
	arena_release(&a);
}

static void test_wrong_type_named(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	int before = store_entries();
	upload_init(&u, fs, &rules, 1000, &a);
	/* CSV text named .pdf: the content decides. */
	assert_int_equal(feed(&u, "to_khai", "to-khai.pdf", csv,
			      sizeof(csv) - 1, 50),
			 0);
	assert_int_equal(upload_finish(&u, &req), 415);
	assert_string_equal(u.code, "unsupported_type");
	assert_non_null(strstr(u.message, "to_khai"));
	assert_string_equal(u.field, "to_khai");
	assert_non_null(strstr(u.message, "PDF"));
	assert_int_equal(tmp_count(), 0);
	assert_int_equal(store_entries(), before);
	upload_release(&u);
	arena_release(&a);
}

static void test_too_many_files(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	upload_init(&u, fs, &rules, 1000, &a);
	assert_int_equal(feed(&u, "f1", "1.pdf", pdf, sizeof(pdf) - 1, 99), 0);
	assert_int_equal(feed(&u, "f2", "2.pdf", pdf, sizeof(pdf) - 1, 99), 0);
	assert_int_equal(feed(&u, "f3", "3.pdf", pdf, sizeof(pdf) - 1, 99), -1);
	assert_int_equal(upload_finish(&u, &req), 413);
	assert_string_equal(u.code, "too_many_files");
	assert_non_null(strstr(u.message, "f3"));
	assert_int_equal(tmp_count(), 0);
	upload_release(&u);
	arena_release(&a);
}

static void test_fields_capped_and_utf8(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	char longv[50];
	memset(longv, 'v', sizeof(longv));
	upload_init(&u, fs, &rules, 40, &a);
	assert_int_equal(feed(&u, "ghi_chu", NULL, longv, sizeof(longv), 10),
			 -1);
	assert_int_equal(upload_finish(&u, &req), 413);
	assert_non_null(strstr(u.message, "ghi_chu"));
	upload_release(&u);

	upload_init(&u, fs, &rules, 40, &a);
	assert_int_equal(feed(&u, "ten", NULL, "\xc3\x28", 2, 2), 0);
	assert_int_equal(upload_finish(&u, &req), 400);
	upload_release(&u);
	arena_release(&a);
}

static void test_aborted_midway_removes_temp(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct upload u;
	upload_init(&u, fs, &rules, 1000, &a);
	assert_int_equal(upload_part(&u, "scan", "a.pdf", pdf, 0, 10), 0);
	assert_int_equal(tmp_count(), 1);
	/* The connection dies: the server releases the collector. */
	upload_release(&u);
	assert_int_equal(tmp_count(), 0);
	/* Calls after the release are ignored. */
	assert_int_equal(upload_part(&u, "scan", "a.pdf", pdf, 10, 5), -1);
	arena_release(&a);
}

static void test_no_store(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct http_request req = { .arena = &a };
	struct upload u;
	upload_init(&u, NULL, &rules, 1000, &a);
	assert_int_equal(feed(&u, "csrf", NULL, "x", 1, 1), 0);
	assert_int_equal(feed(&u, "scan", "a.pdf", pdf, sizeof(pdf) - 1, 9),
			 -1);
	assert_int_equal(upload_finish(&u, &req), 503);
	upload_release(&u);
	arena_release(&a);
}

static void test_sanitize_filename(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "a.pdf", "a.pdf" },
		{ "../../etc/passwd", "passwd" },
		{ "C:\\x\\y\\Đơn đề nghị.pdf", "Đơn đề nghị.pdf" },
		{ "a\r\nContent-Type: x.pdf", "a__Content-Type: x.pdf" },
		{ "say \"hi\".png", "say _hi_.png" },
		{ "bad\xff\xfe.jpg", "bad__.jpg" },
		{ "", "tep" },
		{ "dir/", "tep" },
		{ "..", "tep" },
		{ NULL, "tep" },
	};
	struct arena a = ARENA_INIT;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		assert_string_equal(upload_sanitize_filename(&a, rows[i].in),
				    rows[i].want);
	char longn[400];
	memset(longn, 'x', sizeof(longn) - 1);
	longn[sizeof(longn) - 1] = '\0';
	assert_int_equal(strlen(upload_sanitize_filename(&a, longn)), 200);
	arena_release(&a);
}

static void test_respond_file_headers(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct app app;
	memset(&app, 0, sizeof(app));
	app.files = fs;
	struct http_request req = { .arena = &a, .app = &app };
	struct http_response res;
	struct upload u;
	upload_init(&u, fs, &rules, 1000, &a);
	assert_int_equal(feed(&u, "scan", "a.pdf", pdf, sizeof(pdf) - 1, 9), 0);
	assert_int_equal(upload_finish(&u, &req), 0);
	const char *hash = req.uploads[0].sha256;

	http_response_init(&res);
	assert_int_equal(respond_file(&req, &res, hash, "Giấy tờ \"1\".pdf"), 0);
	respond_finish(&req, &res);
	assert_int_equal(res.status, 200);
	assert_true(res.has_file);
	assert_int_equal(res.file_len, sizeof(pdf) - 1);
	assert_string_equal(res.content_type, "application/octet-stream");
	assert_string_equal(respond_header(&res, "Content-Disposition"),
			    "attachment; filename=\"Gi_y t_ _1_.pdf\"; "
			    "filename*=UTF-8''Gi%E1%BA%A5y%20t%E1%BB%9D%20%221%22"
			    ".pdf");
	assert_string_equal(respond_header(&res, "X-Content-Type-Options"),
			    "nosniff");
	assert_string_equal(respond_header(&res, "Cache-Control"),
			    "private, no-store");
	char got[sizeof(pdf)];
	assert_int_equal(read(res.file_fd, got, sizeof(got)),
			 (ssize_t)sizeof(pdf) - 1);
	assert_memory_equal(got, pdf, sizeof(pdf) - 1);
	http_response_release(&res);	/* closes the descriptor */
	assert_false(res.has_file);

	http_response_init(&res);
	assert_int_equal(respond_file(&req, &res, "../x", NULL), MC_EINVALID);
	assert_int_equal(
		respond_file(&req, &res,
			     "0000000000000000000000000000000000000000000000000000000000000000",
			     NULL),
		MC_ENOTFOUND);
	assert_false(res.has_file);
	http_response_release(&res);
	upload_release(&u);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_files),
		cmocka_unit_test(test_file_too_big),
		cmocka_unit_test(test_wrong_type_named),
		cmocka_unit_test(test_too_many_files),
		cmocka_unit_test(test_fields_capped_and_utf8),
		cmocka_unit_test(test_aborted_midway_removes_temp),
		cmocka_unit_test(test_no_store),
		cmocka_unit_test(test_sanitize_filename),
		cmocka_unit_test(test_respond_file_headers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
