/*
 * test_forwarded.c - the client address behind trusted reverse proxies
 * (web/http.h http_forwarded_client): only what trusted proxies appended
 * to X-Forwarded-For is believed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/arena.h"
#include "web/http.h"

static const char *fc(struct arena *a, const char *peer, const char *xff,
		      const char *trusted)
{
	return http_forwarded_client(a, peer, xff, trusted);
}

static void test_untrusted_peer_is_the_client(void **state)
{
	struct arena a = ARENA_INIT;
	/* No list, an empty list, or a peer not in it: X-F-F is ignored. */
	assert_string_equal(fc(&a, "198.51.100.9", "203.0.113.7", NULL),
			    "198.51.100.9");
	assert_string_equal(fc(&a, "198.51.100.9", "203.0.113.7", ""),
			    "198.51.100.9");
	assert_string_equal(fc(&a, "198.51.100.9", "203.0.113.7",
			       "127.0.0.1,::1"), "198.51.100.9");
	/* A prefix of a trusted address is not trusted. */
	assert_string_equal(fc(&a, "127.0.0.10", "203.0.113.7", "127.0.0.1"),
			    "127.0.0.10");
	/* Trusted peer without the header. */
	assert_string_equal(fc(&a, "127.0.0.1", NULL, "127.0.0.1"),
			    "127.0.0.1");
	assert_null(fc(&a, NULL, "203.0.113.7", "127.0.0.1"));
	arena_release(&a);
}

static void test_rightmost_untrusted_entry(void **state)
{
	struct arena a = ARENA_INIT;
	const char *t = "127.0.0.1, ::1 10.0.0.2";
	assert_string_equal(fc(&a, "127.0.0.1", "203.0.113.7", t),
			    "203.0.113.7");
	assert_string_equal(fc(&a, "::1", " 2001:db8::5 ", t), "2001:db8::5");
	/* A forged left part is skipped: the proxy appended the real one. */
	assert_string_equal(fc(&a, "127.0.0.1", "1.2.3.4, 203.0.113.7", t),
			    "203.0.113.7");
	/* A chain of trusted proxies. */
	assert_string_equal(fc(&a, "127.0.0.1",
			       "1.2.3.4, 203.0.113.7, 10.0.0.2", t),
			    "203.0.113.7");
	/* Only trusted entries: the peer stays. */
	assert_string_equal(fc(&a, "127.0.0.1", "10.0.0.2", t), "127.0.0.1");
	arena_release(&a);
}

static void test_garbage_keeps_the_peer(void **state)
{
	struct arena a = ARENA_INIT;
	const char *t = "127.0.0.1";
	assert_string_equal(fc(&a, "127.0.0.1", "not-an-address", t),
			    "127.0.0.1");
	assert_string_equal(fc(&a, "127.0.0.1", "203.0.113.7, ", t),
			    "127.0.0.1");
	assert_string_equal(fc(&a, "127.0.0.1", "", t), "127.0.0.1");
	assert_string_equal(fc(&a, "127.0.0.1", "203.0.113.7:443", t),
			    "127.0.0.1");
	char longv[200];
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_string_equal(fc(&a, "127.0.0.1", longv, t), "127.0.0.1");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untrusted_peer_is_the_client),
		cmocka_unit_test(test_rightmost_untrusted_entry),
		cmocka_unit_test(test_garbage_keeps_the_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
