/*
 * test_filestore.c - the content-addressed file store: the streaming hash
 * equals the one-shot one, the same bytes are stored once, an aborted or
 * refused file leaves nothing, hashes that could walk the tree are
 * refused, the type comes from the content (tiny PDF, PNG, JPEG, CSV
 * samples made here), stale temp files are swept at open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "store/filestore.h"
#include "util/err.h"

static char dir[64];
static struct filestore *fs;

/* Tiny samples: enough of each format for libmagic to recognise it. */
static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
			  "trailer\n<<>>\n%%EOF\n";
static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53,
	0xde,
};
static const unsigned char jpeg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1,
	0, 1, 0, 0, 0xff, 0xd9,
};
static const char csv[] = "date,kind,name,source\n"
			  "2026-01-01,holiday,Tết Dương lịch,BLLĐ 2019\n"
			  "2026-04-30,holiday,Ngày Chiến thắng,BLLĐ 2019\n";

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
	snprintf(p, sizeof(p), "%s/data/tmp", dir);
	return count_entries(p);
}

static int setup(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	snprintf(dir, sizeof(dir), "/tmp/test_filestore.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/data", dir);
	int rc = filestore_open(sub, &fs, &err);
	if (rc)
		fprintf(stderr, "filestore_open: %s\n", err.ptr);
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

/* Stores `len` bytes in chunks of `chunk`; returns commit's result. */
static int store(const void *data, size_t len, size_t chunk, uint64_t max,
		 const char *const *allowed, struct filestore_file *out)
{
	struct buf err = BUF_INIT;
	struct filestore_writer *w;
	int rc = filestore_begin(fs, max, &w, &err);
	assert_int_equal(rc, 0);
	const unsigned char *p = data;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		rc = filestore_write(w, p + off, n, &err);
		if (rc) {
			filestore_abort(w);
			buf_release(&err);
			return rc;
		}
	}
	assert_int_equal(filestore_written(w), len);
	rc = filestore_commit(w, allowed, out, &err);
	buf_release(&err);
	return rc;
}

static void hex_of(const void *data, size_t len, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

static void test_stream_hash_equals_oneshot(void **state)
{
	(void)state;
	size_t len = 300000;
	unsigned char *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	char want[65];
	hex_of(data, len, want);
	struct filestore_file f;
	/* Odd chunk sizes: the hash must not depend on them. */
	assert_int_equal(store(data, len, 4093, 0, NULL, &f), 0);
	assert_string_equal(f.sha256, want);
	assert_int_equal(f.size, len);
	/* Where it went: DIR/ab/abcdef..., mode 0600, same bytes. */
	char path[256];
	snprintf(path, sizeof(path), "%s/data/%.2s/%s", dir, want, want);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, len);
	int fd;
	uint64_t size;
	struct buf err = BUF_INIT;
	assert_int_equal(filestore_open_read(fs, want, &fd, &size, &err), 0);
	assert_int_equal(size, len);
	unsigned char *back = malloc(len);
	assert_int_equal(read(fd, back, len), (ssize_t)len);
	assert_memory_equal(back, data, len);
	close(fd);
	free(back);
	free(data);
	buf_release(&err);
	assert_int_equal(tmp_count(), 0);
	/* The data directory and its tmp are private. */
	snprintf(path, sizeof(path), "%s/data", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_dedup(void **state)
{
	(void)state;
	struct filestore_file a, b;
	assert_int_equal(store(pdf, sizeof(pdf) - 1, 7, 0, NULL, &a), 0);
	char shard[128];
	snprintf(shard, sizeof(shard), "%s/data/%.2s", dir, a.sha256);
	int before = count_entries(shard);
	assert_int_equal(store(pdf, sizeof(pdf) - 1, 100, 0, NULL, &b), 0);
	assert_string_equal(a.sha256, b.sha256);
	assert_int_equal(count_entries(shard), before);
	assert_int_equal(tmp_count(), 0);
}

static void test_abort_and_cap_leave_nothing(void **state)
{
	(void)state;
	struct buf err = BUF_INIT;
	struct filestore_writer *w;
	assert_int_equal(filestore_begin(fs, 0, &w, &err), 0);
	assert_int_equal(tmp_count(), 1);
	assert_int_equal(filestore_write(w, "abc", 3, &err), 0);
	filestore_abort(w);
	assert_int_equal(tmp_count(), 0);
	filestore_abort(NULL);

	/* The cap: the chunk that passes it is refused whole. */
	struct filestore_file f;
	char big[100];
	memset(big, 'x', sizeof(big));
	assert_int_equal(store(big, sizeof(big), 30, 64, NULL, &f),
			 MC_ETOOBIG);
	assert_int_equal(tmp_count(), 0);
	/* Exactly at the cap is fine. */
	assert_int_equal(store(big, 64, 30, 64, NULL, &f), 0);
	assert_int_equal(f.size, 64);
	buf_release(&err);
}

static void test_traversal_refused(void **state)
{
	(void)state;
	static const char *bad[] = {
		"",
		"../../../../etc/passwd",
		"..",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"01/3456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n",
	};
	struct buf err = BUF_INIT;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int fd;
		uint64_t size;
		assert_false(filestore_hash_valid(bad[i]));
		assert_int_equal(filestore_open_read(fs, bad[i], &fd, &size,
						     &err),
				 MC_EINVALID);
		assert_int_equal(fd, -1);
	}
	assert_false(filestore_hash_valid(NULL));
	int fd;
	uint64_t size;
	const char *absent =
		"0000000000000000000000000000000000000000000000000000000000000000";
	assert_true(filestore_hash_valid(absent));
	assert_int_equal(filestore_open_read(fs, absent, &fd, &size, &err),
			 MC_ENOTFOUND);
	buf_release(&err);
}

static void test_mime_from_content(void **state)
{
	(void)state;
	static const char *const docs[] = { "application/pdf", "image/jpeg",
					    "image/png", NULL };
	struct filestore_file f;
	assert_int_equal(store(pdf, sizeof(pdf) - 1, 5, 0, docs, &f), 0);
	assert_string_equal(f.mime, "application/pdf");
	assert_int_equal(store(png, sizeof(png), 5, 0, docs, &f), 0);
	assert_string_equal(f.mime, "image/png");
	assert_int_equal(store(jpeg, sizeof(jpeg), 5, 0, docs, &f), 0);
	assert_string_equal(f.mime, "image/jpeg");
	assert_int_equal(store(csv, sizeof(csv) - 1, 64, 0, NULL, &f), 0);
	assert_true(!strcmp(f.mime, "text/csv") ||
		    !strcmp(f.mime, "text/plain"));
	/* A type outside the list: refused, nothing kept, type told. */
	static const char *const images[] = { "image/png", NULL };
	unsigned char other[sizeof(pdf) + 8];
	memcpy(other, pdf, sizeof(pdf) - 1);
	memcpy(other + sizeof(pdf) - 1, "12345678", 8);	/* a new hash */
	assert_int_equal(store(other, sizeof(other) - 1, 64, 0, images, &f),
			 MC_EUNSUPPORTED);
	assert_string_equal(f.mime, "application/pdf");
	char path[256];
	snprintf(path, sizeof(path), "%s/data/%.2s/%s", dir, f.sha256,
		 f.sha256);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(tmp_count(), 0);
}

static void test_sweep_stale_temp(void **state)
{
	(void)state;
	char old[256], fresh[256];
	snprintf(old, sizeof(old), "%s/data/tmp/up-old.part", dir);
	snprintf(fresh, sizeof(fresh), "%s/data/tmp/up-new.part", dir);
	close(open(old, O_CREAT | O_WRONLY, 0600));
	close(open(fresh, O_CREAT | O_WRONLY, 0600));
	struct timeval tv[2] = { { time(NULL) - 7200, 0 },
				 { time(NULL) - 7200, 0 } };
	assert_int_equal(utimes(old, tv), 0);
	/* At open: older than an hour goes, the fresh one stays. */
	struct filestore *again;
	struct buf err = BUF_INIT;
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/data", dir);
	assert_int_equal(filestore_open(sub, &again, &err), 0);
	assert_int_not_equal(access(old, F_OK), 0);
	assert_int_equal(access(fresh, F_OK), 0);
	filestore_close(again);
	unlink(fresh);
	buf_release(&err);
}

static void test_default_dir(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	filestore_default_dir("sqlite:/srv/motcua/x.db", &b);
	assert_string_equal(b.ptr, "/srv/motcua/motcua-data");
	filestore_default_dir("sqlite:motcua.db", &b);
	assert_string_equal(b.ptr, "motcua-data");
	filestore_default_dir("postgres://u@h/db", &b);
	assert_string_equal(b.ptr, "motcua-data");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_hash_equals_oneshot),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_abort_and_cap_leave_nothing),
		cmocka_unit_test(test_traversal_refused),
		cmocka_unit_test(test_mime_from_content),
		cmocka_unit_test(test_sweep_stale_temp),
		cmocka_unit_test(test_default_dir),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
