/*
 * test_rating.c - core/rating.h: the criteria and their 0/1/2 answers, level
 * names, reading a rating (each missing or bad field named), totals and the
 * complaint flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/rating.h"
#include "util/err.h"

struct kv {
	const char *k[8], *v[8];
	int n;
};

static const char *get(void *ctx, const char *name)
{
	struct kv *kv = ctx;
	for (int i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], name))
			return kv->v[i];
	return NULL;
}

static void set(struct kv *kv, const char *k, const char *v)
{
	for (int i = 0; i < kv->n; i++)
		if (!strcmp(kv->k[i], k)) {
			kv->v[i] = v;
			return;
		}
	kv->k[kv->n] = k;
	kv->v[kv->n++] = v;
}

static void full(struct kv *kv)
{
	memset(kv, 0, sizeof(*kv));
	set(kv, "time", "2");
	set(kv, "trips", "1");
	set(kv, "agencies", "1");
	set(kv, "attitude", "2");
	set(kv, "publicity", "0");
	set(kv, "level", "satisfied");
	set(kv, "comment", "Cán bộ hướng dẫn rõ ràng.");
}

static void test_criteria(void **state)
{
	(void)state;
	for (int c = 0; c < RC__COUNT; c++) {
		const struct rating_criterion_info *ci =
			rating_criterion_info((enum rating_criterion)c);
		assert_non_null(strstr(ci->source, "Điều 13"));
		for (int s = 0; s < 3; s++)
			assert_true(strlen(ci->answers[s]) > 3);
	}
	assert_string_equal(rating_criterion_info(RC_TIME)->answers[2],
			    "Sớm hơn ngày hẹn");
	assert_string_equal(rating_criterion_info(RC_TIME)->answers[0],
			    "Muộn hơn ngày hẹn");
	assert_string_equal(rating_criterion_info(RC_TRIPS)->answers[1],
			    "Một lần");
}

static void test_levels(void **state)
{
	enum rating_level l;
	(void)state;
	for (int i = 0; i < RL__COUNT; i++) {
		assert_int_equal(rating_level_parse(rating_level_name(
							    (enum rating_level)i),
						    &l),
				 0);
		assert_int_equal(l, i);
	}
	assert_string_equal(rating_level_label(RL_VERY_SATISFIED),
			    "Rất hài lòng");
	assert_string_equal(rating_level_label(RL_DISSATISFIED),
			    "Không hài lòng");
	assert_int_equal(rating_level_parse("great", &l), MC_EINVALID);
	assert_int_equal(rating_level_parse(NULL, &l), MC_EINVALID);
}

static void read_fails(struct kv *kv, const char *field, const char *msg)
{
	struct rating r;
	struct buf err = BUF_INIT;
	const char *f = NULL;
	assert_int_equal(rating_read(get, kv, &r, &f, &err), MC_EINVALID);
	assert_non_null(f);
	assert_string_equal(f, field);
	assert_non_null(strstr(err.ptr, msg));
	buf_release(&err);
}

static void test_read(void **state)
{
	struct kv kv;
	struct rating r;
	struct buf err = BUF_INIT;
	const char *f = NULL;
	static char longc[RATING_COMMENT_MAX + 2];
	(void)state;

	full(&kv);
	assert_int_equal(rating_read(get, &kv, &r, &f, &err), 0);
	assert_int_equal(r.scores[RC_TIME], 2);
	assert_int_equal(r.scores[RC_TRIPS], 1);
	assert_int_equal(r.scores[RC_PUBLICITY], 0);
	assert_int_equal(r.level, RL_SATISFIED);
	assert_string_equal(r.comment, "Cán bộ hướng dẫn rõ ràng.");
	assert_int_equal(rating_total(&r), 6);
	assert_false(rating_is_complaint(&r));

	full(&kv);
	set(&kv, "attitude", NULL);
	read_fails(&kv, "attitude", "Thái độ của cán bộ, công chức: hãy chọn");
	full(&kv);
	set(&kv, "time", "3");
	read_fails(&kv, "time", "Thời gian trả kết quả");
	full(&kv);
	set(&kv, "trips", "-1");
	read_fails(&kv, "trips", "Số lần");
	full(&kv);
	set(&kv, "agencies", "");
	read_fails(&kv, "agencies", "Số cơ quan");
	full(&kv);
	set(&kv, "publicity", "11");
	read_fails(&kv, "publicity", "công khai");
	full(&kv);
	set(&kv, "level", "ok");
	read_fails(&kv, "level", "Mức độ hài lòng chung");
	full(&kv);
	memset(longc, 'a', RATING_COMMENT_MAX + 1);
	set(&kv, "comment", longc);
	read_fails(&kv, "comment", "Ý kiến khác: tối đa 2000");
	longc[RATING_COMMENT_MAX] = 0;
	assert_int_equal(rating_read(get, &kv, &r, &f, &err), 0);
	full(&kv);
	set(&kv, "comment", NULL);
	assert_int_equal(rating_read(get, &kv, &r, &f, &err), 0);
	assert_null(r.comment);
	buf_release(&err);
}

static void test_complaint(void **state)
{
	struct rating r;
	(void)state;
	memset(&r, 0, sizeof(r));
	for (int c = 0; c < RC__COUNT; c++)
		r.scores[c] = 2;
	r.level = RL_VERY_SATISFIED;
	assert_int_equal(rating_total(&r), 10);
	assert_false(rating_is_complaint(&r));
	r.level = RL_NEUTRAL;
	assert_false(rating_is_complaint(&r));
	r.level = RL_DISSATISFIED;
	assert_true(rating_is_complaint(&r));
	r.level = RL_SATISFIED;
	r.scores[RC_ATTITUDE] = 0;
	assert_true(rating_is_complaint(&r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_criteria),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_complaint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
