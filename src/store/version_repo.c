/*
 * version_repo.c - procedure versions (store/version_repo.h): validation
 * of drafts against the national catalog's legal times, the rules of
 * publication and immutability, the version in force for a unit, the
 * public history, the reform report, and a desk's procedure list. All SQL
 * of migrations/0007 lives here; every write is audited in its transaction.
 */
#include "store/version_repo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/duration.h"
#include "core/money.h"
#include "core/reform.h"
#include "store/audit.h"
#include "util/err.h"
#include "util/text.h"
#include "util/xalloc.h"

#define DECISION_MAX 100	/* characters of a decision reference */
#define SUMMARY_MAX 1000
#define TEXT_MAX 500		/* reason, legal basis, fee text */

/* ---- small helpers -------------------------------------------------------- */

static int db_fail(struct db *db, int rc, struct buf *err)
{
	if (err && !err->len)
		buf_setf(err, "%s", db_errmsg(db));
	return rc < 0 ? rc : MC_EDB;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

int version_parse_day(const char *s, int32_t *day)
{
	mc_time t;
	struct buf err = BUF_INIT;
	int rc = MC_EINVALID;
	if (s && strlen(s) == 10 && !mctime_parse(s, &t, &err)) {
		*day = mctime_local_day(t);
		rc = 0;
	}
	buf_release(&err);
	return rc;
}

void version_format_day(int32_t day, char out[11])
{
	struct mc_civil c;
	char tmp[48];
	mctime_to_local(mctime_day_start(day), &c);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", c.year, c.month, c.day);
	copy_str(out, 11, tmp);
}

static const struct {
	const char *name;
	enum duration_unit u;
} unit_names[] = {
	{ "working_days", DUR_WORKING_DAYS },
	{ "working_hours", DUR_WORKING_HOURS },
	{ "calendar_days", DUR_CALENDAR_DAYS },
	{ "same_day", DUR_SAME_DAY },
};

static bool unit_parse(const char *s, enum duration_unit *u)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_names); i++)
		if (!strcmp(s, unit_names[i].name)) {
			*u = unit_names[i].u;
			return true;
		}
	return false;
}

static const char *unit_name(enum duration_unit u)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_names); i++)
		if (unit_names[i].u == u)
			return unit_names[i].name;
	return "?";
}

static json_t *duration_json(const struct duration *d)
{
	struct buf code = BUF_INIT, text = BUF_INIT;
	duration_code(d, &code);
	duration_format(d, &text);
	json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "code", code.ptr, "unit",
			      unit_name(d->unit), "amount", d->amount, "text",
			      text.ptr);
	buf_release(&code);
	buf_release(&text);
	return o;
}

/* A duration from (unit, amount) columns; false when NULL or unknown. */
static bool col_duration(struct db_stmt *st, int ucol, int acol,
			 struct duration *d)
{
	if (db_column_is_null(st, ucol) ||
	    !unit_parse(db_column_text(st, ucol), &d->unit))
		return false;
	d->amount = (int)db_column_int64(st, acol);
	return true;
}

static const char *channel_name(const char *code)
{
	if (!strcmp(code, "truc_tiep"))
		return "Trực tiếp";
	if (!strcmp(code, "truc_tuyen"))
		return "Trực tuyến";
	if (!strcmp(code, "buu_chinh"))
		return "Dịch vụ bưu chính";
	return "Các cách thức";
}

static void set_err(json_t *errs, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(json_t *errs, const char *field, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!json_object_get(errs, field))
		json_object_set_new(errs, field, json_string(b.ptr));
	buf_release(&b);
}

/* ---- the national catalog: the baseline ------------------------------------ */

struct base_channel {
	int seq;
	char channel[16];
	char *legal_text;
	bool legal_known;
	struct duration legal;
	char *fee_text;
	bool fee_known;
	int64_t fee_dong;
};

struct base_component {
	int seq;
	char *group, *name, *quantity;
};

struct base {
	char *name;
	int n_channels, n_components;
	struct base_channel channels[VERSION_MAX_CHANNELS];
	struct base_component components[VERSION_MAX_COMPONENTS];
};

static void base_release(struct base *b)
{
	free(b->name);
	for (int i = 0; i < b->n_channels; i++) {
		free(b->channels[i].legal_text);
		free(b->channels[i].fee_text);
	}
	for (int i = 0; i < b->n_components; i++) {
		free(b->components[i].group);
		free(b->components[i].name);
		free(b->components[i].quantity);
	}
	memset(b, 0, sizeof(*b));
}

static int base_load(struct db *db, const char *code, struct base *b,
		     struct buf *err)
{
	struct db_stmt *st;
	int rc;
	memset(b, 0, sizeof(*b));
	if ((rc = db_prepare_cached(db, "SELECT name FROM procedures WHERE "
				    "code = ?", &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		b->name = xstrdup(db_column_text(st, 0));
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Không có thủ tục mã %s trong danh mục.", code);
		return MC_ENOTFOUND;
	}
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db, "SELECT seq, channel, time_text, "
				    "dur_unit, dur_amount, fee_text, fee_dong "
				    "FROM procedure_channels WHERE code = ? "
				    "ORDER BY seq", &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	while ((rc = db_step(st)) == DB_ROW &&
	       b->n_channels < VERSION_MAX_CHANNELS) {
		struct base_channel *c = &b->channels[b->n_channels++];
		c->seq = (int)db_column_int64(st, 0);
		copy_str(c->channel, sizeof(c->channel), db_column_text(st, 1));
		c->legal_text = xstrdup(db_column_text(st, 2));
		c->legal_known = col_duration(st, 3, 4, &c->legal);
		c->fee_text = xstrdup(db_column_text(st, 5));
		c->fee_known = !db_column_is_null(st, 6);
		c->fee_dong = db_column_int64(st, 6);
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db, "SELECT seq, group_name, name, quantity "
				    "FROM procedure_components WHERE code = ? "
				    "ORDER BY seq", &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	while ((rc = db_step(st)) == DB_ROW &&
	       b->n_components < VERSION_MAX_COMPONENTS) {
		struct base_component *c = &b->components[b->n_components++];
		c->seq = (int)db_column_int64(st, 0);
		c->group = xstrdup(db_column_text(st, 1));
		c->name = xstrdup(db_column_text(st, 2));
		c->quantity = xstrdup(db_column_text(st, 3));
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* ---- validation ------------------------------------------------------------ */

/* A version ready to store, made from the input and the baseline. */
struct checked {
	char effective_from[11];
	const char *decision_ref, *summary;
	struct {
		bool committed_set;
		struct duration committed;
		const char *fee_text;	/* borrowed (input or base) */
		bool fee_known;
		int64_t fee_dong;
	} ch[VERSION_MAX_CHANNELS];
	struct {
		enum component_mode mode;
		const char *lookup_db, *reason, *legal_basis;
	} comp[VERSION_MAX_COMPONENTS];
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Fills `out` from `in`; field errors into `errs` (an object). */
static void check_input(const struct version_input *in,
			const struct base *b, int32_t today,
			struct checked *out, json_t *errs)
{
	int32_t day;
	char key[64];
	memset(out, 0, sizeof(*out));
	if (blank(in->effective_from)) {
		set_err(errs, "effective_from", "Ngày hiệu lực: chưa nhập.");
	} else if (version_parse_day(in->effective_from, &day)) {
		set_err(errs, "effective_from", "Ngày hiệu lực: phải có dạng "
			"NNNN-TT-NN, ví dụ 2026-03-01.");
	} else if (day < today) {
		char t[11];
		version_format_day(today, t);
		set_err(errs, "effective_from", "Ngày hiệu lực: không được "
			"trước hôm nay (%s); phiên bản không có hiệu lực hồi "
			"tố.", t);
	} else {
		copy_str(out->effective_from, sizeof(out->effective_from),
			 in->effective_from);
	}
	out->decision_ref = or_empty(in->decision_ref);
	if (blank(in->decision_ref))
		set_err(errs, "decision_ref", "Số quyết định công bố: chưa "
			"nhập (ví dụ 1234/QĐ-UBND).");
	else if (text_chars(in->decision_ref) > DECISION_MAX)
		set_err(errs, "decision_ref", "Số quyết định công bố: tối đa "
			"%d ký tự.", DECISION_MAX);
	out->summary = or_empty(in->summary);
	if (text_chars(in->summary) > SUMMARY_MAX)
		set_err(errs, "summary", "Tóm tắt thay đổi: tối đa %d ký tự.",
			SUMMARY_MAX);
	if (in->n_channels > b->n_channels)
		set_err(errs, "channels", "Cách thức thực hiện: thủ tục chỉ có "
			"%d cách thức.", b->n_channels);
	for (int i = 0; i < b->n_channels; i++) {
		const struct base_channel *bc = &b->channels[i];
		const char *c = i < in->n_channels ? in->channels[i].committed
						   : NULL;
		const char *fee = i < in->n_channels ? in->channels[i].fee_text
						     : NULL;
		snprintf(key, sizeof(key), "channels.%d.committed", i);
		if (!blank(c)) {
			struct buf why = BUF_INIT;
			struct duration d;
			if (duration_parse(c, &d, &why)) {
				set_err(errs, key, "Thời hạn cam kết (%s): "
					"không đọc được \"%s\"; ví dụ \"2 ngày "
					"làm việc\", \"4 giờ làm việc\", "
					"\"Trong ngày\".",
					channel_name(bc->channel), c);
			} else if (!bc->legal_known) {
				/* Allowed on the decision's authority only
				 * (core/reform.h reform_check_unitless). */
				if (reform_check_unitless(
					    bc->legal_text,
					    !blank(in->decision_ref) &&
					    text_chars(in->decision_ref) <=
					    DECISION_MAX, &why)) {
					set_err(errs, key, "Thời hạn cam kết "
						"(%s): %s",
						channel_name(bc->channel),
						why.ptr);
				} else {
					out->ch[i].committed_set = true;
					out->ch[i].committed = d;
				}
			} else if (reform_check_committed(&d, &bc->legal,
							  &why)) {
				set_err(errs, key, "Thời hạn cam kết (%s): %s",
					channel_name(bc->channel), why.ptr);
			} else {
				out->ch[i].committed_set = true;
				out->ch[i].committed = d;
			}
			buf_release(&why);
		}
		snprintf(key, sizeof(key), "channels.%d.fee_text", i);
		if (blank(fee)) {
			out->ch[i].fee_text = bc->fee_text;
			out->ch[i].fee_known = bc->fee_known;
			out->ch[i].fee_dong = bc->fee_dong;
		} else if (text_chars(fee) > TEXT_MAX) {
			set_err(errs, key, "Phí, lệ phí (%s): tối đa %d ký tự.",
				channel_name(bc->channel), TEXT_MAX);
		} else {
			struct buf why = BUF_INIT;
			out->ch[i].fee_text = fee;
			out->ch[i].fee_known =
				!money_parse_dong(fee, &out->ch[i].fee_dong, &why);
			buf_release(&why);
		}
	}
	if (in->n_components > b->n_components)
		set_err(errs, "components", "Thành phần hồ sơ: thủ tục chỉ có "
			"%d thành phần.", b->n_components);
	for (int i = 0; i < b->n_components; i++) {
		const char *mode = i < in->n_components ? in->components[i].mode
							: NULL;
		enum component_mode m = COMP_REQUIRED;
		snprintf(key, sizeof(key), "components.%d.mode", i);
		if (!blank(mode) && reform_mode_parse(mode, &m)) {
			set_err(errs, key, "Thành phần \"%s\": cách xử lý không "
				"hợp lệ.", b->components[i].name);
			continue;
		}
		out->comp[i].mode = m;
		out->comp[i].lookup_db = "";
		out->comp[i].reason = "";
		out->comp[i].legal_basis = "";
		if (m == COMP_REQUIRED)
			continue;
		const char *db_code = or_empty(in->components[i].lookup_db);
		const char *reason = or_empty(in->components[i].reason);
		const char *basis = or_empty(in->components[i].legal_basis);
		if (m == COMP_REPLACED) {
			snprintf(key, sizeof(key), "components.%d.lookup_db", i);
			if (!reform_lookup_name(db_code))
				set_err(errs, key, "Thành phần \"%s\": chọn cơ "
					"sở dữ liệu thay thế.",
					b->components[i].name);
			out->comp[i].lookup_db = db_code;
		}
		snprintf(key, sizeof(key), "components.%d.reason", i);
		if (blank(reason))
			set_err(errs, key, "Thành phần \"%s\": ghi lý do bãi bỏ "
				"hoặc thay thế.", b->components[i].name);
		else if (text_chars(reason) > TEXT_MAX)
			set_err(errs, key, "Lý do: tối đa %d ký tự.", TEXT_MAX);
		snprintf(key, sizeof(key), "components.%d.legal_basis", i);
		if (blank(basis))
			set_err(errs, key, "Thành phần \"%s\": ghi căn cứ pháp "
				"lý (ví dụ Nghị quyết 66.7/2025/NQ-CP).",
				b->components[i].name);
		else if (text_chars(basis) > TEXT_MAX)
			set_err(errs, key, "Căn cứ pháp lý: tối đa %d ký tự.",
				TEXT_MAX);
		out->comp[i].reason = reason;
		out->comp[i].legal_basis = basis;
	}
}

/* ---- reading a version ----------------------------------------------------- */

#define VERSION_COLS                                                        \
	"id, procedure_code, scope, version_no, effective_from, status, "   \
	"decision_ref, summary, revision, created_by, created_at, "         \
	"published_by, published_at"

static json_t *iso_or_null(struct db_stmt *st, int col)
{
	if (db_column_is_null(st, col))
		return json_null();
	struct buf b = BUF_INIT;
	mctime_format_iso(db_column_int64(st, col), &b);
	json_t *s = json_string(b.ptr);
	buf_release(&b);
	return s;
}

/* The version's head from a row of VERSION_COLS. */
static json_t *head_json(struct db_stmt *st, int32_t today)
{
	int32_t day = 0;
	const char *eff = db_column_text(st, 4);
	bool published = !strcmp(db_column_text(st, 5), "published");
	bool in_force = published && !version_parse_day(eff, &day) &&
			day <= today;
	json_t *v = json_object();
	json_object_set_new(v, "id", json_integer(db_column_int64(st, 0)));
	json_object_set_new(v, "procedure_code",
			    json_string(db_column_text(st, 1)));
	json_object_set_new(v, "scope", json_string(db_column_text(st, 2)));
	json_object_set_new(v, "version_no",
			    db_column_is_null(st, 3)
				    ? json_null()
				    : json_integer(db_column_int64(st, 3)));
	json_object_set_new(v, "status", json_string(db_column_text(st, 5)));
	json_object_set_new(v, "in_force", json_boolean(in_force));
	json_object_set_new(v, "editable", json_boolean(!in_force));
	json_object_set_new(v, "effective_from", json_string(eff));
	json_object_set_new(v, "decision_ref",
			    json_string(db_column_text(st, 6)));
	json_object_set_new(v, "summary", json_string(db_column_text(st, 7)));
	json_object_set_new(v, "revision",
			    json_integer(db_column_int64(st, 8)));
	json_object_set_new(v, "created_by",
			    json_string(db_column_text(st, 9)));
	json_object_set_new(v, "created_at", iso_or_null(st, 10));
	json_object_set_new(v, "published_by",
			    db_column_is_null(st, 11)
				    ? json_null()
				    : json_string(db_column_text(st, 11)));
	json_object_set_new(v, "published_at", iso_or_null(st, 12));
	return v;
}

/* Adds "cut" to a channel object and a line to `changes`. */
static void channel_cut(json_t *c, const struct duration *legal,
			const struct duration *committed, json_t *changes)
{
	struct reform_cut cut;
	struct buf t = BUF_INIT;
	reform_time_cut(legal, committed, &cut);
	reform_cut_format(&cut, &t);
	json_object_set_new(c, "cut", json_pack("{s:s, s:i, s:b, s:i}",
						"text", t.ptr, "pct_tenths",
						cut.pct_tenths, "comparable",
						cut.comparable, "hours",
						cut.cut));
	if (changes && cut.comparable && cut.cut > 0) {
		struct buf l = BUF_INIT, m = BUF_INIT, line = BUF_INIT;
		duration_format(legal, &l);
		duration_format(committed, &m);
		buf_addf(&line, "%s: thời hạn %s → %s, rút ngắn %s",
			 json_string_value(json_object_get(c, "channel_name")),
			 l.ptr, m.ptr, t.ptr);
		json_array_append_new(changes, json_string(line.ptr));
		buf_release(&l);
		buf_release(&m);
		buf_release(&line);
	}
	buf_release(&t);
}

static int add_details(struct db *db, int64_t id, json_t *v, struct buf *err)
{
	struct db_stmt *st;
	json_t *chs = json_array(), *comps = json_array(),
	       *changes = json_array();
	int rc, n_dropped = 0, n_replaced = 0;
	json_object_set_new(v, "channels", chs);
	json_object_set_new(v, "components", comps);
	json_object_set_new(v, "changes", changes);
	if ((rc = db_prepare_cached(db, "SELECT seq, channel, legal_text, "
				    "legal_unit, legal_amount, committed_unit, "
				    "committed_amount, fee_text, fee_dong FROM "
				    "procedure_version_channels WHERE "
				    "version_id = ? ORDER BY seq", &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct duration legal, committed;
		bool lk = col_duration(st, 3, 4, &legal);
		bool ck = col_duration(st, 5, 6, &committed);
		const char *ch = db_column_text(st, 1);
		json_t *c = json_pack("{s:I, s:s, s:s, s:s}", "seq",
				      (json_int_t)db_column_int64(st, 0),
				      "channel", ch, "channel_name",
				      channel_name(ch), "legal_text",
				      db_column_text(st, 2));
		json_object_set_new(c, "legal",
				    lk ? duration_json(&legal) : json_null());
		json_object_set_new(c, "committed", ck ? duration_json(&committed)
						       : json_null());
		if (lk && ck)
			channel_cut(c, &legal, &committed, changes);
		else
			json_object_set_new(c, "cut", json_null());
		json_object_set_new(c, "fee_text",
				    json_string(db_column_text(st, 7)));
		json_object_set_new(c, "fee_dong",
				    db_column_is_null(st, 8)
					    ? json_null()
					    : json_integer(db_column_int64(st, 8)));
		json_array_append_new(chs, c);
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db, "SELECT base_seq, group_name, name, "
				    "quantity, mode, lookup_db, reason, "
				    "legal_basis FROM "
				    "procedure_version_components WHERE "
				    "version_id = ? ORDER BY base_seq", &st,
				    err)) < 0)
		return rc;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		enum component_mode m = COMP_REQUIRED;
		reform_mode_parse(db_column_text(st, 4), &m);
		const char *ldb = db_column_text(st, 5);
		const char *lname = reform_lookup_name(ldb);
		const char *name = db_column_text(st, 2);
		json_t *c = json_pack(
			"{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"base_seq", (json_int_t)db_column_int64(st, 0), "group",
			db_column_text(st, 1), "name", name, "quantity",
			db_column_text(st, 3), "mode", reform_mode_name(m),
			"mode_label", reform_mode_label(m), "lookup_db", ldb,
			"lookup_name", lname ? lname : "", "reason",
			db_column_text(st, 6), "legal_basis",
			db_column_text(st, 7));
		json_object_set_new(c, "dropped", json_boolean(m == COMP_DROPPED));
		json_object_set_new(c, "replaced",
				    json_boolean(m == COMP_REPLACED));
		json_array_append_new(comps, c);
		struct buf line = BUF_INIT;
		if (m == COMP_DROPPED) {
			n_dropped++;
			buf_addf(&line, "Bỏ thành phần \"%s\"", name);
		} else if (m == COMP_REPLACED) {
			n_replaced++;
			buf_addf(&line, "Thay \"%s\" bằng tra cứu %s", name,
				 lname ? lname : ldb);
		}
		if (line.len)
			json_array_append_new(changes, json_string(line.ptr));
		buf_release(&line);
	}
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	json_object_set_new(v, "n_dropped", json_integer(n_dropped));
	json_object_set_new(v, "n_replaced", json_integer(n_replaced));
	return 0;
}

int version_get(struct db *db, int64_t id, int32_t today, json_t **out,
		struct buf *err)
{
	struct db_stmt *st;
	json_t *v = NULL;
	int rc = db_prepare_cached(db, "SELECT " VERSION_COLS " FROM "
				   "procedure_versions WHERE id = ?", &st, err);
	*out = NULL;
	if (rc < 0)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		v = head_json(st, today);
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Không có phiên bản số %lld.", (long long)id);
		return MC_ENOTFOUND;
	}
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = add_details(db, id, v, err)) < 0) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return 0;
}

int version_scope(struct db *db, int64_t id, char scope[16], struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT scope FROM procedure_versions "
				   "WHERE id = ?", &st, err);
	if (rc < 0)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		copy_str(scope, 16, db_column_text(st, 0));
	db_done(st);
	if (rc == DB_DONE)
		return MC_ENOTFOUND;
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* The ids of a query's first column, bound with (text, text). */
static int ids_of(struct db *db, struct db_stmt *st, int64_t **ids, int *n,
		  struct buf *err)
{
	int rc, alloc = 0;
	*ids = NULL;
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			*ids = xrealloc(*ids, (size_t)alloc * sizeof(**ids));
		}
		(*ids)[(*n)++] = db_column_int64(st, 0);
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* Appends version_get() of each id to array `a`. */
static int append_versions(struct db *db, const int64_t *ids, int n,
			   int32_t today, json_t *a, struct buf *err)
{
	for (int i = 0; i < n; i++) {
		json_t *v;
		int rc = version_get(db, ids[i], today, &v, err);
		if (rc)
			return rc;
		json_array_append_new(a, v);
	}
	return 0;
}

int version_list(struct db *db, const char *code, const char *scope,
		 int32_t today, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int64_t *ids = NULL;
	int n = 0, rc;
	*out = NULL;
	if (scope)
		rc = db_prepare_cached(db, "SELECT id FROM procedure_versions "
				       "WHERE procedure_code = ? AND scope = ? "
				       "ORDER BY status = 'draft' DESC, "
				       "effective_from DESC, id DESC", &st, err);
	else
		rc = db_prepare_cached(db, "SELECT id FROM procedure_versions "
				       "WHERE procedure_code = ? ORDER BY "
				       "status = 'draft' DESC, effective_from "
				       "DESC, id DESC", &st, err);
	if (rc < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	if (scope)
		db_bind_text(st, 2, scope, -1);
	if ((rc = ids_of(db, st, &ids, &n, err)) < 0)
		goto out;
	json_t *items = json_array();
	if ((rc = append_versions(db, ids, n, today, items, err)) < 0) {
		json_decref(items);
		goto out;
	}
	*out = json_pack("{s:o}", "items", items);
out:
	free(ids);
	return rc;
}

/* ---- the version in force --------------------------------------------------- */

/* The province of a unit of the 2025 list ("" for NULL or "VN"). */
static int province_of(struct db *db, const char *unit, char prov[16],
		       json_t **unit_json, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	prov[0] = '\0';
	if (unit_json)
		*unit_json = json_null();
	if (!unit || !*unit || !strcmp(unit, "VN"))
		return 0;
	if ((rc = db_prepare_cached(db, "SELECT code, full_name, level, "
				    "coalesce(parent_code, '') FROM units "
				    "WHERE era = '2025' AND code = ?", &st,
				    err)) < 0)
		return rc;
	db_bind_text(st, 1, unit, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		bool province = db_column_int64(st, 2) == 1;
		copy_str(prov, 16, province ? db_column_text(st, 0)
					    : db_column_text(st, 3));
		if (unit_json) {
			json_decref(*unit_json);
			*unit_json = json_pack("{s:s, s:s, s:I, s:s}", "code",
					       db_column_text(st, 0), "name",
					       db_column_text(st, 1), "level",
					       (json_int_t)db_column_int64(st, 2),
					       "province", prov);
		}
	}
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Không có đơn vị hành chính mã %s.", unit);
		return MC_ENOTFOUND;
	}
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

static int current_in(struct db *db, const char *code, const char *prov,
		      int32_t today, struct version_ref *out, struct buf *err)
{
	struct db_stmt *st;
	char day[11];
	int rc;
	memset(out, 0, sizeof(*out));
	version_format_day(today, day);
	if ((rc = db_prepare_cached(db, "SELECT id, version_no, scope, "
				    "effective_from FROM procedure_versions "
				    "WHERE procedure_code = ? AND status = "
				    "'published' AND (scope = ? OR scope = "
				    "'VN') AND effective_from <= ? ORDER BY "
				    "effective_from DESC, scope = 'VN', "
				    "version_no DESC LIMIT 1", &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, code, -1);
	db_bind_text(st, 2, *prov ? prov : "VN", -1);
	db_bind_text(st, 3, day, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->id = db_column_int64(st, 0);
		out->version_no = (int)db_column_int64(st, 1);
		copy_str(out->scope, sizeof(out->scope), db_column_text(st, 2));
		copy_str(out->effective_from, sizeof(out->effective_from),
			 db_column_text(st, 3));
	}
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int version_current(struct db *db, const char *code, const char *unit_code,
		    int32_t today, struct version_ref *out, struct buf *err)
{
	char prov[16];
	memset(out, 0, sizeof(*out));
	int rc = province_of(db, unit_code, prov, NULL, err);
	if (rc)
		return rc;
	return current_in(db, code, prov, today, out, err);
}

int version_public(struct db *db, const char *code, const char *unit_code,
		   int32_t today, json_t **out, struct buf *err)
{
	char prov[16];
	json_t *unit = NULL, *cur = json_null(), *hist = NULL;
	struct version_ref ref;
	struct db_stmt *st;
	int64_t *ids = NULL;
	int n = 0;
	*out = NULL;
	int rc = province_of(db, unit_code, prov, &unit, err);
	if (rc)
		goto fail;
	if ((rc = current_in(db, code, prov, today, &ref, err)) < 0)
		goto fail;
	if (ref.id) {
		json_decref(cur);
		if ((rc = version_get(db, ref.id, today, &cur, err)) < 0)
			goto fail;
	}
	if ((rc = db_prepare_cached(db, "SELECT id FROM procedure_versions "
				    "WHERE procedure_code = ? AND status = "
				    "'published' AND (scope = ? OR scope = "
				    "'VN') ORDER BY effective_from DESC, "
				    "scope = 'VN', version_no DESC", &st,
				    err)) < 0)
		goto fail;
	db_bind_text(st, 1, code, -1);
	db_bind_text(st, 2, *prov ? prov : "VN", -1);
	if ((rc = ids_of(db, st, &ids, &n, err)) < 0)
		goto fail;
	hist = json_array();
	if ((rc = append_versions(db, ids, n, today, hist, err)) < 0)
		goto fail;
	*out = json_pack("{s:o, s:o, s:o}", "unit", unit, "current", cur,
			 "history", hist);
	free(ids);
	return 0;
fail:
	free(ids);
	json_decref(unit);
	json_decref(cur);
	json_decref(hist);
	return rc;
}

/* The main channel of a version: the counter's, else the first. */
static json_t *main_channel(json_t *v)
{
	json_t *chs = json_object_get(v, "channels"), *c;
	size_t i;
	json_array_foreach(chs, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "channel")),
			    "truc_tiep"))
			return c;
	return json_array_get(chs, 0);
}

/* Codes of the procedures a unit's desk serves, as an object {code:true}. */
static int desk_codes(struct db *db, const char *unit, json_t **out,
		      struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT dp.procedure_code FROM "
				   "desk_procedures dp JOIN desks d ON d.id = "
				   "dp.desk_id WHERE d.unit_code = ?", &st,
				   err);
	*out = json_object();
	if (rc < 0)
		return rc;
	db_bind_text(st, 1, unit, -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(*out, db_column_text(st, 0), json_true());
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

/* Codes with a published version in (prov or VN) effective by `day`. */
static int reformed_codes(struct db *db, const char *prov, const char *day,
			  json_t **codes, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT DISTINCT procedure_code FROM "
				   "procedure_versions WHERE status = "
				   "'published' AND (scope = ? OR scope = "
				   "'VN') AND effective_from <= ? ORDER BY "
				   "procedure_code", &st, err);
	*codes = json_array();
	if (rc < 0)
		return rc;
	db_bind_text(st, 1, *prov ? prov : "VN", -1);
	db_bind_text(st, 2, day, -1);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(*codes, json_string(db_column_text(st, 0)));
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int version_committed_for_unit(struct db *db, const char *unit_code,
			       int32_t today, json_t **out, struct buf *err)
{
	char prov[16], day[11];
	json_t *codes = NULL, *served = NULL, *res = json_object(), *c;
	size_t i;
	int rc;
	*out = NULL;
	version_format_day(today, day);
	if ((rc = province_of(db, unit_code, prov, NULL, err)) ||
	    (rc = reformed_codes(db, prov, day, &codes, err)) ||
	    (rc = desk_codes(db, unit_code, &served, err)))
		goto out;
	json_array_foreach(codes, i, c) {
		const char *code = json_string_value(c);
		struct version_ref ref;
		json_t *v;
		if (!json_object_get(served, code))
			continue;
		if ((rc = current_in(db, code, prov, today, &ref, err)) < 0)
			goto out;
		if (!ref.id)
			continue;
		if ((rc = version_get(db, ref.id, today, &v, err)) < 0)
			goto out;
		json_t *mc = main_channel(v);
		json_t *cm = json_object_get(mc, "committed");
		if (json_is_object(cm))
			json_object_set(res, code, json_object_get(cm, "text"));
		json_decref(v);
	}
out:
	json_decref(codes);
	json_decref(served);
	if (rc) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ---- the template of a new draft ------------------------------------------- */

int version_template(struct db *db, const char *code, const char *scope,
		     int32_t today, json_t **out, struct buf *err)
{
	struct base b;
	struct version_ref ref;
	json_t *cur = NULL, *v = NULL;
	char day[11];
	int rc;
	*out = NULL;
	if ((rc = base_load(db, code, &b, err)))
		goto out;
	if ((rc = current_in(db, code, strcmp(scope, "VN") ? scope : "", today,
			     &ref, err)) < 0)
		goto out;
	if (ref.id && (rc = version_get(db, ref.id, today, &cur, err)) < 0)
		goto out;
	version_format_day(today + 1, day);
	v = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "procedure_code",
		      code, "procedure_name", b.name, "scope", scope,
		      "version_no", json_null(), "effective_from", day,
		      "decision_ref", "", "summary", "");
	json_t *chs = json_array(), *comps = json_array();
	json_object_set_new(v, "channels", chs);
	json_object_set_new(v, "components", comps);
	json_object_set_new(v, "based_on", cur && ref.id
				? json_integer(ref.version_no) : json_integer(0));
	for (int i = 0; i < b.n_channels; i++) {
		const struct base_channel *bc = &b.channels[i];
		json_t *c = json_pack("{s:i, s:i, s:s, s:s, s:s}", "index", i,
				      "seq", bc->seq, "channel", bc->channel,
				      "channel_name", channel_name(bc->channel),
				      "legal_text", bc->legal_text);
		json_object_set_new(c, "legal", bc->legal_known
					? duration_json(&bc->legal) : json_null());
		json_t *prev = cur ? json_array_get(json_object_get(cur, "channels"), (size_t)i) : NULL;
		json_t *pc = prev ? json_object_get(prev, "committed") : NULL;
		json_object_set_new(c, "committed", json_is_object(pc)
					? json_incref(pc) : json_null());
		json_object_set_new(c, "committed_text", json_string(
			json_is_object(pc) ? json_string_value(json_object_get(pc, "text")) : ""));
		json_object_set_new(c, "fee_text", json_string(
			prev ? json_string_value(json_object_get(prev, "fee_text")) : bc->fee_text));
		json_array_append_new(chs, c);
	}
	for (int i = 0; i < b.n_components; i++) {
		const struct base_component *bc = &b.components[i];
		json_t *prev = cur ? json_array_get(json_object_get(cur, "components"), (size_t)i) : NULL;
		json_t *c = json_pack("{s:i, s:i, s:s, s:s, s:s}", "index", i,
				      "base_seq", bc->seq, "group", bc->group,
				      "name", bc->name, "quantity",
				      bc->quantity);
		static const char *const keys[] = { "mode", "lookup_db",
						    "reason", "legal_basis" };
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			const char *pv = prev ? json_string_value(json_object_get(prev, keys[k])) : NULL;
			json_object_set_new(c, keys[k], json_string(pv ? pv : k == 0 ? "required" : ""));
		}
		json_array_append_new(comps, c);
	}
	*out = v;
	v = NULL;
out:
	json_decref(v);
	json_decref(cur);
	base_release(&b);
	return rc;
}

/* ---- writes ----------------------------------------------------------------- */

static int audit_version(struct db *db, const struct auth_actor *by,
			 const char *action, int64_t id, const char *scope,
			 json_t *before, json_t *after, mc_time now,
			 struct buf *err)
{
	char oid[24];
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	struct audit_entry e = {
		.at = now,
		.actor_id = by->id,
		.actor = by->name,
		.action = action,
		.object_type = "procedure_version",
		.object_id = oid,
		.unit_code = strcmp(scope, "VN") ? scope : NULL,
		.client = by->client,
		.before = before,
		.after = after,
	};
	return audit_append(db, &e, NULL, err);
}

/* Writes the channels and components of version `id` from `c`. */
static int write_details(struct db *db, int64_t id, const struct base *b,
			 const struct checked *c, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	if ((rc = db_prepare_cached(db, "DELETE FROM procedure_version_channels "
				    "WHERE version_id = ?", &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	if ((rc = db_prepare_cached(db, "DELETE FROM "
				    "procedure_version_components WHERE "
				    "version_id = ?", &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return db_fail(db, rc, err);
	for (int i = 0; i < b->n_channels; i++) {
		const struct base_channel *bc = &b->channels[i];
		if ((rc = db_prepare_cached(db, "INSERT INTO "
					    "procedure_version_channels "
					    "(version_id, seq, channel, "
					    "legal_text, legal_unit, "
					    "legal_amount, committed_unit, "
					    "committed_amount, fee_text, "
					    "fee_dong) VALUES (?, ?, ?, ?, ?, "
					    "?, ?, ?, ?, ?)", &st, err)) < 0)
			return rc;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, bc->seq);
		db_bind_text(st, 3, bc->channel, -1);
		db_bind_text(st, 4, bc->legal_text, -1);
		if (bc->legal_known) {
			db_bind_text(st, 5, unit_name(bc->legal.unit), -1);
			db_bind_int64(st, 6, bc->legal.amount);
		}
		if (c->ch[i].committed_set) {
			db_bind_text(st, 7, unit_name(c->ch[i].committed.unit),
				     -1);
			db_bind_int64(st, 8, c->ch[i].committed.amount);
		}
		db_bind_text(st, 9, or_empty(c->ch[i].fee_text), -1);
		if (c->ch[i].fee_known)
			db_bind_int64(st, 10, c->ch[i].fee_dong);
		rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return db_fail(db, rc, err);
	}
	for (int i = 0; i < b->n_components; i++) {
		const struct base_component *bc = &b->components[i];
		if ((rc = db_prepare_cached(db, "INSERT INTO "
					    "procedure_version_components "
					    "(version_id, base_seq, group_name, "
					    "name, quantity, mode, lookup_db, "
					    "reason, legal_basis) VALUES (?, ?, "
					    "?, ?, ?, ?, ?, ?, ?)", &st,
					    err)) < 0)
			return rc;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, bc->seq);
		db_bind_text(st, 3, bc->group, -1);
		db_bind_text(st, 4, bc->name, -1);
		db_bind_text(st, 5, bc->quantity, -1);
		db_bind_text(st, 6, reform_mode_name(c->comp[i].mode), -1);
		db_bind_text(st, 7, c->comp[i].lookup_db, -1);
		db_bind_text(st, 8, c->comp[i].reason, -1);
		db_bind_text(st, 9, c->comp[i].legal_basis, -1);
		rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return db_fail(db, rc, err);
	}
	return 0;
}

static int check_scope(struct db *db, const char *scope, struct buf *err)
{
	char prov[16];
	if (!strcmp(scope, "VN"))
		return 0;
	int rc = province_of(db, scope, prov, NULL, err);
	if (rc == 0 && strcmp(prov, scope)) {
		buf_setf(err, "Phạm vi của phiên bản phải là một tỉnh, thành "
			 "phố hoặc VN (toàn quốc), không phải %s.", scope);
		rc = MC_EINVALID;
	}
	return rc;
}

int version_create(struct db *db, const struct auth_actor *by,
		   const char *code, const char *scope,
		   const struct version_input *in, int32_t today, mc_time now,
		   int64_t *id_out, json_t **field_errors, struct buf *err)
{
	struct base b;
	struct checked *c = xcalloc(1, sizeof(*c));
	json_t *errs = json_object(), *after = NULL;
	struct db_stmt *st;
	int64_t id = 0;
	int rc;
	*field_errors = NULL;
	memset(&b, 0, sizeof(b));
	if ((rc = check_scope(db, scope, err)) ||
	    (rc = base_load(db, code, &b, err)))
		goto out;
	check_input(in, &b, today, c, errs);
	if (json_object_size(errs)) {
		buf_setf(err, "Phiên bản có %zu lỗi.", json_object_size(errs));
		rc = MC_EINVALID;
		goto out;
	}
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	if ((rc = db_prepare_cached(db, "INSERT INTO procedure_versions "
				    "(procedure_code, scope, effective_from, "
				    "status, decision_ref, summary, revision, "
				    "created_by, created_at, updated_at) "
				    "VALUES (?, ?, ?, 'draft', ?, ?, 1, ?, ?, "
				    "?) RETURNING id", &st, err)) < 0)
		goto rollback;
	db_bind_text(st, 1, code, -1);
	db_bind_text(st, 2, scope, -1);
	db_bind_text(st, 3, c->effective_from, -1);
	db_bind_text(st, 4, c->decision_ref, -1);
	db_bind_text(st, 5, c->summary, -1);
	db_bind_text(st, 6, by->name, -1);
	db_bind_int64(st, 7, now);
	db_bind_int64(st, 8, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_column_int64(st, 0);
	db_done(st);
	if (rc != DB_ROW) {
		rc = db_fail(db, rc, err);
		goto rollback;
	}
	if ((rc = write_details(db, id, &b, c, err)) < 0 ||
	    (rc = version_get(db, id, today, &after, err)) < 0 ||
	    (rc = audit_version(db, by, "procedure_version.create", id, scope,
				NULL, after, now, err)) < 0)
		goto rollback;
	if ((rc = db_commit(db, err)) < 0)
		goto out;
	if (id_out)
		*id_out = id;
	goto out;
rollback:
	db_rollback(db);
out:
	if (rc == MC_EINVALID && json_object_size(errs))
		*field_errors = json_incref(errs);
	json_decref(errs);
	json_decref(after);
	base_release(&b);
	free(c);
	return rc;
}

/* Loads the state of version `id` for a write: scope, code, status... */
struct vstate {
	char code[48], scope[16], status[16], eff[11];
	int64_t revision;
	int32_t eff_day;
};

static int vstate_load(struct db *db, int64_t id, struct vstate *s,
		       struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT procedure_code, scope, status, "
				   "effective_from, revision FROM "
				   "procedure_versions WHERE id = ?", &st, err);
	memset(s, 0, sizeof(*s));
	if (rc < 0)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_str(s->code, sizeof(s->code), db_column_text(st, 0));
		copy_str(s->scope, sizeof(s->scope), db_column_text(st, 1));
		copy_str(s->status, sizeof(s->status), db_column_text(st, 2));
		copy_str(s->eff, sizeof(s->eff), db_column_text(st, 3));
		s->revision = db_column_int64(st, 4);
		if (version_parse_day(s->eff, &s->eff_day))
			s->eff_day = 0;
	}
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Không có phiên bản số %lld.", (long long)id);
		return MC_ENOTFOUND;
	}
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

static int stale(struct buf *err)
{
	buf_setf(err, "Phiên bản đã được người khác sửa sau khi bạn mở biểu "
		 "mẫu. Hãy tải lại trang để xem bản mới nhất rồi sửa lại.");
	return MC_ECONFLICT;
}

int version_update(struct db *db, const struct auth_actor *by, int64_t id,
		   const struct version_input *in, int32_t today, mc_time now,
		   json_t **field_errors, struct buf *err)
{
	struct base b;
	struct vstate s;
	struct checked *c = xcalloc(1, sizeof(*c));
	json_t *errs = json_object(), *before = NULL, *after = NULL;
	struct db_stmt *st;
	bool in_tx = false;
	int rc;
	*field_errors = NULL;
	memset(&b, 0, sizeof(b));
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	in_tx = true;
	if ((rc = vstate_load(db, id, &s, err)))
		goto out;
	if (!strcmp(s.status, "published") && s.eff_day <= today) {
		buf_setf(err, "Phiên bản đã có hiệu lực từ %s: không được sửa; "
			 "hãy tạo phiên bản mới.", s.eff);
		rc = MC_EFORBIDDEN;
		goto out;
	}
	if (in->revision != s.revision) {
		rc = stale(err);
		goto out;
	}
	if ((rc = base_load(db, s.code, &b, err)))
		goto out;
	check_input(in, &b, today, c, errs);
	if (json_object_size(errs)) {
		buf_setf(err, "Phiên bản có %zu lỗi.", json_object_size(errs));
		rc = MC_EINVALID;
		goto out;
	}
	if ((rc = version_get(db, id, today, &before, err)) < 0)
		goto out;
	if ((rc = db_prepare_cached(db, "UPDATE procedure_versions SET "
				    "effective_from = ?, decision_ref = ?, "
				    "summary = ?, revision = revision + 1, "
				    "updated_at = ? WHERE id = ? AND "
				    "revision = ?", &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, c->effective_from, -1);
	db_bind_text(st, 2, c->decision_ref, -1);
	db_bind_text(st, 3, c->summary, -1);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, id);
	db_bind_int64(st, 6, s.revision);
	rc = db_step(st);
	int64_t changed = db_changes(st);
	db_done(st);
	if (rc < 0) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	if (changed != 1) {
		rc = stale(err);
		goto out;
	}
	if ((rc = write_details(db, id, &b, c, err)) < 0 ||
	    (rc = version_get(db, id, today, &after, err)) < 0 ||
	    (rc = audit_version(db, by, "procedure_version.update", id,
				s.scope, before, after, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	if (rc == MC_EINVALID && json_object_size(errs))
		*field_errors = json_incref(errs);
	json_decref(errs);
	json_decref(before);
	json_decref(after);
	base_release(&b);
	free(c);
	return rc;
}

int version_delete(struct db *db, const struct auth_actor *by, int64_t id,
		   int64_t revision, mc_time now, struct buf *err)
{
	struct vstate s;
	json_t *before = NULL;
	struct db_stmt *st;
	bool in_tx = false;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	in_tx = true;
	if ((rc = vstate_load(db, id, &s, err)))
		goto out;
	if (strcmp(s.status, "draft")) {
		buf_setf(err, "Chỉ xóa được bản nháp; phiên bản này đã công bố.");
		rc = MC_EFORBIDDEN;
		goto out;
	}
	if (revision != s.revision) {
		rc = stale(err);
		goto out;
	}
	if ((rc = version_get(db, id, 0, &before, err)) < 0)
		goto out;
	static const char *const sqls[] = {
		"DELETE FROM procedure_version_channels WHERE version_id = ?",
		"DELETE FROM procedure_version_components WHERE version_id = ?",
		"DELETE FROM procedure_versions WHERE id = ?",
	};
	for (size_t i = 0; i < ARRAY_SIZE(sqls); i++) {
		if ((rc = db_prepare(db, sqls[i], &st, err)) < 0)
			goto out;
		db_bind_int64(st, 1, id);
		rc = db_step(st);
		db_finalize(st);
		if (rc < 0) {
			rc = db_fail(db, rc, err);
			goto out;
		}
	}
	if ((rc = audit_version(db, by, "procedure_version.delete", id,
				s.scope, before, NULL, now, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	return rc;
}

static int bump_catalog(struct db *db, struct buf *err)
{
	return db_exec(db, "UPDATE catalog_meta SET value = value + 1 WHERE "
			   "name = 'catalog_version'", err);
}

int version_publish(struct db *db, const struct auth_actor *by, int64_t id,
		    int64_t revision, int32_t today, mc_time now,
		    struct buf *err)
{
	struct vstate s;
	json_t *before = NULL, *after = NULL;
	struct db_stmt *st;
	bool in_tx = false;
	int64_t next = 1;
	int rc;
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	in_tx = true;
	if ((rc = vstate_load(db, id, &s, err)))
		goto out;
	if (strcmp(s.status, "draft")) {
		buf_setf(err, "Phiên bản này đã được công bố.");
		rc = MC_EFORBIDDEN;
		goto out;
	}
	if (revision != s.revision) {
		rc = stale(err);
		goto out;
	}
	if (s.eff_day < today) {
		buf_setf(err, "Ngày hiệu lực %s đã qua: sửa ngày hiệu lực "
			 "trước khi công bố (không có hiệu lực hồi tố).", s.eff);
		rc = MC_EINVALID;
		goto out;
	}
	if ((rc = db_prepare_cached(db, "SELECT coalesce(max(version_no), 0), "
				    "coalesce(max(effective_from), '') FROM "
				    "procedure_versions WHERE procedure_code "
				    "= ? AND scope = ? AND status = "
				    "'published'", &st, err)) < 0)
		goto out;
	db_bind_text(st, 1, s.code, -1);
	db_bind_text(st, 2, s.scope, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		next = db_column_int64(st, 0) + 1;
		if (strcmp(s.eff, db_column_text(st, 1)) <= 0) {
			buf_setf(err, "Ngày hiệu lực phải sau ngày hiệu lực "
				 "của phiên bản đã công bố gần nhất (%s).",
				 db_column_text(st, 1));
			rc = MC_EINVALID;
		} else {
			rc = 0;
		}
	}
	db_done(st);
	if (rc < 0 && rc != MC_EINVALID)
		rc = db_fail(db, rc, err);
	if (rc)
		goto out;
	if ((rc = version_get(db, id, today, &before, err)) < 0)
		goto out;
	if ((rc = db_prepare_cached(db, "UPDATE procedure_versions SET status "
				    "= 'published', version_no = ?, "
				    "published_by = ?, published_at = ?, "
				    "revision = revision + 1, updated_at = ? "
				    "WHERE id = ? AND revision = ?", &st,
				    err)) < 0)
		goto out;
	db_bind_int64(st, 1, next);
	db_bind_text(st, 2, by->name, -1);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, id);
	db_bind_int64(st, 6, revision);
	rc = db_step(st);
	int64_t changed = db_changes(st);
	db_done(st);
	if (rc < 0) {
		rc = db_error_is_unique(db) ? stale(err) : db_fail(db, rc, err);
		goto out;
	}
	if (changed != 1) {
		rc = stale(err);
		goto out;
	}
	if ((rc = version_get(db, id, today, &after, err)) < 0 ||
	    (rc = audit_version(db, by, "procedure_version.publish", id,
				s.scope, before, after, now, err)) < 0 ||
	    (rc = bump_catalog(db, err)) < 0)
		goto out;
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* ---- the reform report --------------------------------------------------- */

/* One report row from a version, or NULL when it changes nothing. */
static json_t *report_row(json_t *v, const char *name, struct reform_row *rr)
{
	json_t *mc = main_channel(v);
	json_t *cut = json_object_get(mc, "cut");
	memset(rr, 0, sizeof(*rr));
	rr->n_dropped = (int)json_integer_value(json_object_get(v, "n_dropped"));
	rr->n_replaced = (int)json_integer_value(json_object_get(v, "n_replaced"));
	int hours = (int)json_integer_value(json_object_get(cut, "hours"));
	rr->has_cut = json_is_true(json_object_get(cut, "comparable")) &&
		      hours > 0;
	rr->pct_tenths = rr->has_cut ? (int)json_integer_value(
				json_object_get(cut, "pct_tenths")) : 0;
	if (!rr->has_cut && rr->n_dropped + rr->n_replaced == 0)
		return NULL;
	struct buf names = BUF_INIT, pct = BUF_INIT, days = BUF_INIT;
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(v, "components"), i, c) {
		if (!json_is_true(json_object_get(c, "dropped")) &&
		    !json_is_true(json_object_get(c, "replaced")))
			continue;
		if (names.len)
			buf_adds(&names, "; ");
		buf_adds(&names, json_string_value(json_object_get(c, "name")));
	}
	if (rr->has_cut) {
		reform_tenths_format(rr->pct_tenths, &pct);
		buf_adds(&pct, "%");
		/* Days of the cut: hours / 8 with one decimal (working time)
		 * or whole calendar days. */
		const char *legal_unit = json_string_value(json_object_get(
			json_object_get(mc, "legal"), "unit"));
		if (legal_unit && !strcmp(legal_unit, "calendar_days"))
			buf_addf(&days, "%d", hours);
		else
			reform_tenths_format(
				(hours * 10 + REFORM_HOURS_PER_DAY / 2) /
					REFORM_HOURS_PER_DAY,
				&days);
	}
	json_t *legal = json_object_get(mc, "legal"),
	       *committed = json_object_get(mc, "committed");
	json_t *row = json_pack(
		"{s:O, s:s, s:O, s:O, s:O, s:O, s:s, s:s, s:s, s:s, s:i, s:s, "
		"s:i, s:i, s:s}",
		"code", json_object_get(v, "procedure_code"), "name", name,
		"version_no", json_object_get(v, "version_no"), "scope",
		json_object_get(v, "scope"), "effective_from",
		json_object_get(v, "effective_from"), "decision_ref",
		json_object_get(v, "decision_ref"), "legal",
		json_is_object(legal)
			? json_string_value(json_object_get(legal, "text"))
			: json_string_value(json_object_get(mc, "legal_text"))
				  ? json_string_value(json_object_get(mc, "legal_text"))
				  : "",
		"committed",
		json_is_object(committed)
			? json_string_value(json_object_get(committed, "text"))
			: "",
		"cut_text",
		rr->has_cut ? json_string_value(json_object_get(cut, "text")) : "",
		"cut_days_text", days.ptr, "pct_tenths", rr->pct_tenths,
		"pct_text", pct.ptr, "n_dropped", rr->n_dropped, "n_replaced",
		rr->n_replaced, "components", names.ptr);
	buf_release(&names);
	buf_release(&pct);
	buf_release(&days);
	return row;
}

static json_t *totals_json(const struct reform_totals *t)
{
	struct buf avg = BUF_INIT;
	reform_tenths_format(reform_totals_avg_tenths(t), &avg);
	buf_adds(&avg, "%");
	json_t *o = json_pack("{s:i, s:i, s:i, s:s, s:i, s:i}", "n_procedures",
			      t->n_procedures, "n_cut", t->n_cut,
			      "avg_pct_tenths", reform_totals_avg_tenths(t),
			      "avg_pct_text", avg.ptr, "n_simplified",
			      t->n_simplified, "n_components", t->n_components);
	buf_release(&avg);
	return o;
}

static const char *proc_name(struct db *db, const char *code, struct buf *b)
{
	struct db_stmt *st;
	buf_reset(b);
	if (db_prepare_cached(db, "SELECT name FROM procedures WHERE code = ?",
			      &st, NULL) < 0)
		return "";
	db_bind_text(st, 1, code, -1);
	if (db_step(st) == DB_ROW)
		buf_adds(b, db_column_text(st, 0));
	db_done(st);
	return b->ptr;
}

/* The province's rows: every reformed procedure in force on `to`. */
static int province_rows(struct db *db, const char *prov, const char *from,
			 int32_t to_day, json_t **rows, struct buf *err)
{
	char to[11];
	json_t *codes = NULL, *c;
	struct buf name = BUF_INIT;
	size_t i;
	int rc;
	*rows = json_array();
	version_format_day(to_day, to);
	if ((rc = reformed_codes(db, prov, to, &codes, err)))
		goto out;
	json_array_foreach(codes, i, c) {
		struct version_ref ref;
		struct reform_row rr;
		json_t *v;
		const char *code = json_string_value(c);
		if ((rc = current_in(db, code, prov, to_day, &ref, err)) < 0)
			goto out;
		if (!ref.id || strcmp(ref.effective_from, from) < 0)
			continue;
		if ((rc = version_get(db, ref.id, to_day, &v, err)) < 0)
			goto out;
		json_t *row = report_row(v, proc_name(db, code, &name), &rr);
		json_decref(v);
		if (row)
			json_array_append_new(*rows, row);
	}
out:
	buf_release(&name);
	json_decref(codes);
	return rc;
}

/* A unit block: the rows whose code is in `served` (NULL: all). */
static json_t *unit_block(const char *code, const char *name, int level,
			  json_t *rows, json_t *served,
			  struct reform_totals *grand)
{
	struct reform_totals t = { 0 };
	json_t *mine = json_array(), *r;
	size_t i;
	json_array_foreach(rows, i, r) {
		if (served && !json_object_get(served, json_string_value(
							json_object_get(r, "code"))))
			continue;
		struct reform_row rr = {
			.has_cut = json_integer_value(json_object_get(r, "pct_tenths")) > 0,
			.pct_tenths = (int)json_integer_value(json_object_get(r, "pct_tenths")),
			.n_dropped = (int)json_integer_value(json_object_get(r, "n_dropped")),
			.n_replaced = (int)json_integer_value(json_object_get(r, "n_replaced")),
		};
		reform_totals_add(&t, &rr);
		if (grand)
			reform_totals_add(grand, &rr);
		json_array_append(mine, r);
	}
	return json_pack("{s:s, s:s, s:i, s:o, s:o, s:b}", "code", code, "name",
			 name, "level", level, "rows", mine, "totals",
			 totals_json(&t), "has_rows", json_array_size(mine) > 0);
}

int version_report(struct db *db, const char *unit_code, const char *from,
		   const char *to, json_t **out, struct buf *err)
{
	char prov[16], from_s[11] = "0000-00-00", to_s[11];
	int32_t from_day, to_day;
	json_t *unit = NULL, *rows = NULL, *units = json_array(), *served;
	struct reform_totals grand = { 0 };
	struct db_stmt *st;
	int rc;
	*out = NULL;
	if ((from && *from && version_parse_day(from, &from_day)) ||
	    (!to || version_parse_day(to, &to_day))) {
		buf_setf(err, "Ngày không hợp lệ; dạng NNNN-TT-NN.");
		rc = MC_EINVALID;
		goto out;
	}
	if (from && *from) {
		if (from_day > to_day) {
			buf_setf(err, "Từ ngày phải trước đến ngày.");
			rc = MC_EINVALID;
			goto out;
		}
		version_format_day(from_day, from_s);
	}
	version_format_day(to_day, to_s);
	if ((rc = province_of(db, unit_code, prov, &unit, err)) ||
	    (rc = province_rows(db, prov, from_s, to_day, &rows, err)))
		goto out;
	if (!json_is_object(unit)) {	/* VN */
		json_array_append_new(units, unit_block("VN", "Toàn quốc", 0,
							rows, NULL, &grand));
	} else if (json_integer_value(json_object_get(unit, "level")) == 1) {
		json_array_append_new(units, unit_block(
			unit_code, json_string_value(json_object_get(unit, "name")),
			1, rows, NULL, &grand));
		if ((rc = db_prepare(db, "SELECT code, full_name FROM units "
				     "WHERE era = '2025' AND parent_code = ? "
				     "ORDER BY name_key, code", &st, err)) < 0)
			goto out;
		db_bind_text(st, 1, unit_code, -1);
		json_t *communes = json_array();
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(communes, json_pack(
				"{s:s, s:s}", "code", db_column_text(st, 0),
				"name", db_column_text(st, 1)));
		db_finalize(st);
		if (rc < 0) {
			json_decref(communes);
			rc = db_fail(db, rc, err);
			goto out;
		}
		size_t i;
		json_t *cm;
		json_array_foreach(communes, i, cm) {
			const char *cc = json_string_value(json_object_get(cm, "code"));
			if ((rc = desk_codes(db, cc, &served, err)) < 0) {
				json_decref(served);
				json_decref(communes);
				goto out;
			}
			json_t *blk = unit_block(cc, json_string_value(
						     json_object_get(cm, "name")),
						 3, rows, served, NULL);
			json_decref(served);
			if (json_is_true(json_object_get(blk, "has_rows")))
				json_array_append_new(units, blk);
			else
				json_decref(blk);
		}
		json_decref(communes);
	} else {
		if ((rc = desk_codes(db, unit_code, &served, err)) < 0) {
			json_decref(served);
			goto out;
		}
		json_array_append_new(units, unit_block(
			unit_code, json_string_value(json_object_get(unit, "name")),
			3, rows, served, &grand));
		json_decref(served);
	}
	rc = 0;
	*out = json_pack("{s:s, s:s, s:O, s:O, s:o}", "from",
			 from && *from ? from_s : "", "to", to_s, "unit", unit,
			 "units", units, "totals", totals_json(&grand));
out:
	json_decref(unit);
	json_decref(rows);
	json_decref(units);
	return rc;
}

/* ---- a desk's procedure list -------------------------------------------- */

static int desk_of(struct db *db, const char *unit, int64_t *id,
		   struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT id FROM desks WHERE unit_code "
				   "= ?", &st, err);
	if (rc < 0)
		return rc;
	db_bind_text(st, 1, unit, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*id = db_column_int64(st, 0);
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Đơn vị %s không có Bộ phận Một cửa.", unit);
		return MC_ENOTFOUND;
	}
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int desk_procedures_list(struct db *db, const char *unit_code, json_t **out,
			 struct buf *err)
{
	struct db_stmt *st;
	char prov[16];
	json_t *unit = NULL, *items;
	int64_t desk;
	int rc;
	*out = NULL;
	if ((rc = province_of(db, unit_code, prov, &unit, err)) ||
	    (rc = desk_of(db, unit_code, &desk, err)))
		goto out;
	if ((rc = db_prepare_cached(db, "SELECT p.code, p.name, p.field FROM "
				    "desk_procedures dp JOIN procedures p ON "
				    "p.code = dp.procedure_code WHERE "
				    "dp.desk_id = ? ORDER BY p.field, "
				    "p.name_key, p.code", &st, err)) < 0)
		goto out;
	db_bind_int64(st, 1, desk);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, json_pack(
			"{s:s, s:s, s:s}", "code", db_column_text(st, 0),
			"name", db_column_text(st, 1), "field",
			db_column_text(st, 2)));
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		rc = db_fail(db, rc, err);
		goto out;
	}
	rc = 0;
	*out = json_pack("{s:O, s:{s:I}, s:o, s:I}", "unit", unit, "desk",
			 "id", (json_int_t)desk, "items", items, "total",
			 (json_int_t)json_array_size(items));
out:
	json_decref(unit);
	return rc;
}

static int desk_set(struct db *db, int64_t desk, json_t **codes,
		    struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT procedure_code FROM "
				   "desk_procedures WHERE desk_id = ? ORDER "
				   "BY procedure_code", &st, err);
	*codes = json_array();
	if (rc < 0)
		return rc;
	db_bind_int64(st, 1, desk);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(*codes, json_string(db_column_text(st, 0)));
	db_done(st);
	return rc < 0 ? db_fail(db, rc, err) : 0;
}

int desk_procedures_change(struct db *db, const struct auth_actor *by,
			   const char *unit_code, const char *const *add,
			   int n_add, const char *const *remove, int n_remove,
			   mc_time now, int *changed, struct buf *err)
{
	json_t *before = NULL, *after = NULL;
	struct db_stmt *st;
	struct base b;
	int64_t desk;
	bool in_tx = false;
	int rc;
	*changed = 0;
	memset(&b, 0, sizeof(b));
	if ((rc = desk_of(db, unit_code, &desk, err)))
		return rc;
	for (int i = 0; i < n_add; i++) {
		rc = base_load(db, add[i], &b, err);
		base_release(&b);
		if (rc == MC_ENOTFOUND)
			rc = MC_EINVALID;
		if (rc)
			return rc;
	}
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	in_tx = true;
	if ((rc = desk_set(db, desk, &before, err)) < 0)
		goto out;
	for (int i = 0; i < n_add + n_remove; i++) {
		bool adding = i < n_add;
		const char *code = adding ? add[i] : remove[i - n_add];
		if ((rc = adding ? db_prepare_cached(db, "INSERT INTO "
				"desk_procedures (desk_id, procedure_code) "
				"VALUES (?, ?) ON CONFLICT (desk_id, "
				"procedure_code) DO NOTHING", &st, err)
				 : db_prepare_cached(db, "DELETE FROM "
				"desk_procedures WHERE desk_id = ? AND "
				"procedure_code = ?", &st, err)) < 0)
			goto out;
		db_bind_int64(st, 1, desk);
		db_bind_text(st, 2, code, -1);
		rc = db_step(st);
		*changed += (int)db_changes(st);
		db_done(st);
		if (rc < 0) {
			rc = db_fail(db, rc, err);
			goto out;
		}
	}
	if ((rc = desk_set(db, desk, &after, err)) < 0)
		goto out;
	if (*changed) {
		struct audit_entry e = {
			.at = now, .actor_id = by->id, .actor = by->name,
			.action = "desk.procedures", .object_type = "desk",
			.object_id = unit_code, .unit_code = unit_code,
			.client = by->client, .before = before, .after = after,
		};
		if ((rc = audit_append(db, &e, NULL, err)) < 0 ||
		    (rc = bump_catalog(db, err)) < 0)
			goto out;
	}
	rc = db_commit(db, err);
	in_tx = false;
out:
	if (in_tx)
		db_rollback(db);
	json_decref(before);
	json_decref(after);
	return rc;
}
