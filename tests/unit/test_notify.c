/*
 * test_notify.c - web/notify.h without a network: the webhook signature
 * against RFC 4231's HMAC-SHA256 vectors, the e-mail bytes of an outbox
 * item (footer, Message-ID, a bad address refused), the settings read
 * from the environment, and one sender pass on SQLite whose webhook
 * receiver does not listen (a failed attempt, then dead) while e-mails
 * wait without a relay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "store/migrate.h"
#include "util/err.h"
#include "web/notify.h"

#define T0 1767225600	/* 2026-01-01 07:00 +07:00 */

static void test_sign_rfc4231(void **state)
{
	char out[72];
	/* RFC 4231 test case 2: key "Jefe". */
	const char *d2 = "what do ya want for nothing?";
	notify_sign("Jefe", d2, strlen(d2), out);
	assert_string_equal(out, "sha256=5bdcc146bf60754e6a042426089575c75a00"
				 "3f089d2739839dec58b964ec3843");
	/* Test case 6: a 131-byte key (longer than the block: hashed). */
	char key[132];
	memset(key, 0xaa, 131);
	key[131] = 0;
	const char *d6 = "Test Using Larger Than Block-Size Key - Hash Key "
			 "First";
	notify_sign(key, d6, strlen(d6), out);
	assert_string_equal(out, "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0b"
				 "c6213728c5140546040f0ee37f54");
}

static void test_email_bytes(void **state)
{
	struct notify_config c;
	notify_config_init(&c);
	c.mail_from = "motcua@bacninh.example.vn";
	c.public_url = "https://motcua.example.vn";
	struct outbox_item it = { .id = 42,
				  .kind = OUTBOX_EMAIL,
				  .target = "dan@example.vn",
				  .subject = "Hồ sơ đã được tiếp nhận",
				  .body = "Kính gửi ông/bà,\n",
				  .created_at = T0 };
	struct buf b = BUF_INIT, err = BUF_INIT;
	assert_int_equal(notify_email_bytes(&c, &it, &b, &err), 0);
	assert_non_null(strstr(
		b.ptr, "Message-ID: <outbox-42.1767225600@bacninh.example.vn>"));
	assert_non_null(strstr(b.ptr, "Date: Thu, 01 Jan 2026 07:00:00 +0700"));
	assert_non_null(strstr(b.ptr, "To: dan@example.vn\r\n"));
	/* The footer is inside the base64 body: the link is not in clear. */
	assert_null(strstr(b.ptr, "motcua.example.vn/tra-cuu"));
	buf_reset(&b);
	it.target = "not an address";
	assert_int_equal(notify_email_bytes(&c, &it, &b, &err), MC_EINVALID);
	buf_release(&b);
	buf_release(&err);
}

static void test_config_env(void **state)
{
	struct notify_config c;
	struct buf err = BUF_INIT;
	notify_config_init(&c);
	assert_int_equal(c.interval_s, 5);
	assert_int_equal(c.policy.base_s, 60);
	assert_int_equal(c.policy.max_attempts, 10);
	setenv("MOTCUA_NOTIFY_INTERVAL", "1", 1);
	setenv("MOTCUA_OUTBOX_BACKOFF", "2", 1);
	setenv("MOTCUA_OUTBOX_MAX_ATTEMPTS", "3", 1);
	assert_int_equal(notify_config_env(&c, &err), 0);
	assert_int_equal(c.interval_s, 1);
	assert_int_equal(c.policy.base_s, 2);
	assert_int_equal(c.policy.max_attempts, 3);
	setenv("MOTCUA_OUTBOX_BACKOFF", "0", 1);
	assert_int_equal(notify_config_env(&c, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "MOTCUA_OUTBOX_BACKOFF"));
	setenv("MOTCUA_OUTBOX_BACKOFF", "abc", 1);
	assert_int_equal(notify_config_env(&c, &err), MC_EINVALID);
	unsetenv("MOTCUA_OUTBOX_BACKOFF");
	/* A relay without a sender address. */
	c.smtp_url = "smtp://127.0.0.1:25";
	c.mail_from = NULL;
	assert_int_equal(notify_config_env(&c, &err), MC_EINVALID);
	assert_non_null(strstr(err.ptr, "--mail-from"));
	c.mail_from = "motcua@example.vn";
	assert_int_equal(notify_config_env(&c, &err), 0);
	unsetenv("MOTCUA_NOTIFY_INTERVAL");
	unsetenv("MOTCUA_OUTBOX_MAX_ATTEMPTS");
	buf_release(&err);
}

/* A TCP port on 127.0.0.1 with nobody listening (bound, then closed). */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 9;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void test_run_once(void **state)
{
	char dir[] = "/tmp/test_notify.XXXXXX";
	char url[PATH_MAX], hook[64], p[PATH_MAX + 16];
	struct db *db;
	struct buf err = BUF_INIT;
	struct notify_counts n;
	assert_non_null(mkdtemp(dir));
	snprintf(url, sizeof url, "sqlite:%s/t.db", dir);
	if (db_open(url, &db, &err) || migrate_run(db, NULL, &err))
		fail_msg("%s", err.ptr);
	snprintf(hook, sizeof hook, "http://127.0.0.1:%d/h", closed_port());
	int64_t wh = 0;
	struct auth_actor sys = { 0, "system", NULL };
	assert_int_equal(outbox_webhook_add(db, &sys, "down", hook,
					    "0123456789abcdef", T0, &wh, &err),
			 0);
	struct outbox_msg m1 = { .kind = OUTBOX_WEBHOOK, .target = hook,
				 .webhook_id = wh, .event = "received",
				 .body = "{}" };
	struct outbox_msg m2 = { .kind = OUTBOX_EMAIL,
				 .target = "dan@example.vn",
				 .event = "received", .subject = "s",
				 .body = "b" };
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(outbox_enqueue(db, &m1, T0, NULL, &err), 0);
	assert_int_equal(outbox_enqueue(db, &m2, T0, NULL, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);

	struct notify_config c;
	notify_config_init(&c);
	c.db_url = url;
	c.timeout_s = 5;
	c.policy.base_s = 10;
	c.policy.max_attempts = 2;
	/* No relay: the e-mail is not claimed; the webhook fails. */
	assert_int_equal(notify_run_once(db, &c, T0, NULL, &n, &err), 0);
	assert_int_equal(n.claimed, 1);
	assert_int_equal(n.failed, 1);
	assert_int_equal(n.dead, 0);
	/* Not due again before the backoff. */
	assert_int_equal(notify_run_once(db, &c, T0 + 9, NULL, &n, &err), 0);
	assert_int_equal(n.claimed, 0);
	assert_int_equal(notify_run_once(db, &c, T0 + 60, NULL, &n, &err), 0);
	assert_int_equal(n.claimed, 1);
	assert_int_equal(n.dead, 1);
	json_t *l = NULL;
	struct outbox_filter f = { .status = "pending" };
	assert_int_equal(outbox_list(db, &f, &l, &err), 0);
	json_t *it = json_array_get(json_object_get(l, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "kind")),
			    "email");
	json_decref(l);
	db_close(db);
	static const char *const files[] = { "t.db", "t.db-wal", "t.db-shm" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_rfc4231),
		cmocka_unit_test(test_email_bytes),
		cmocka_unit_test(test_config_env),
		cmocka_unit_test(test_run_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
