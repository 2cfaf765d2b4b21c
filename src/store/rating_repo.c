/*
 * rating_repo.c - satisfaction ratings (migrations/0016_rating.sql): create
 * once with officers and audit in one transaction, read one, list for the
 * inspector with a summary. Never updates or deletes. See rating_repo.h.
 */
#include "store/rating_repo.h"

#include <stdio.h>
#include <string.h>

#include "core/dossier.h"
#include "core/dossier_public.h"
#include "store/audit.h"
#include "util/err.h"
#include "util/xalloc.h"

#define RATING_COLS                                                        \
	"r.id, r.dossier_code, r.procedure_code, r.unit_code, r.channel, "  \
	"r.created_at, r.c_time, r.c_trips, r.c_agencies, r.c_attitude, "   \
	"r.c_publicity, r.total, r.level, r.complaint, r.comment, d.state"

static int db_fail(struct db *db, int rc, struct buf *err)
{
	if (err && !err->len)
		buf_setf(err, "%s", db_errmsg(db));
	return rc < 0 ? rc : MC_EDB;
}

static json_t *iso(mc_time t)
{
	struct buf b = BUF_INIT;
	json_t *j;

	mctime_format_iso(t, &b);
	j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

/* The "rating" shape of the row at `st` (columns RATING_COLS). */
static json_t *rating_of_row(struct db_stmt *st)
{
	json_t *scores = json_object(), *answers = json_array(), *o;
	enum rating_level l = RL_NEUTRAL;
	enum dossier_state ds = DS_NONE;

	for (int c = 0; c < RC__COUNT; c++) {
		const struct rating_criterion_info *ci =
			rating_criterion_info((enum rating_criterion)c);
		int s = (int)db_column_int64(st, 6 + c);
		if (s < 0 || s > 2)
			s = 0;
		json_object_set_new(scores, ci->name, json_integer(s));
		json_array_append_new(
			answers, json_pack("{s:s, s:s, s:i, s:s}", "name",
					   ci->name, "question", ci->question,
					   "score", s, "answer",
					   ci->answers[s]));
	}
	rating_level_parse(db_column_text(st, 12), &l);
	dossier_state_parse(db_column_text(st, 15), &ds, NULL);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:s,"
		      " s:s, s:b, s:s}",
		      "id", (json_int_t)db_column_int64(st, 0), "code",
		      db_column_text(st, 1), "procedure_code",
		      db_column_text(st, 2), "unit_code", db_column_text(st, 3),
		      "channel", db_column_text(st, 4), "created_at",
		      iso(db_column_int64(st, 5)), "scores", scores, "answers",
		      answers, "total", (json_int_t)db_column_int64(st, 11),
		      "level", rating_level_name(l), "level_label",
		      rating_level_label(l), "complaint",
		      db_column_int64(st, 13) != 0, "comment",
		      db_column_text(st, 14));
	{
		struct buf t = BUF_INIT;
		dossier_public_format_time(db_column_int64(st, 5), &t);
		json_object_set_new(o, "created_text", json_string(t.ptr));
		const char *ch = db_column_text(st, 4);
		json_object_set_new(
			o, "channel_label",
			json_string(!strcmp(ch, "kiosk")    ? "Tại quầy"
				    : !strcmp(ch, "lookup") ? "Trang tra cứu"
							    : "API"));
		buf_release(&t);
	}
	json_object_set_new(
		o, "dossier",
		json_pack("{s:s, s:s, s:s}", "code", db_column_text(st, 1),
			  "state", ds ? dossier_state_name(ds) : "",
			  "state_label", ds ? dossier_state_label(ds) : ""));
	return o;
}

/* The officers of the dossier: distinct users.id > 0 among its events'
 * actors, by id, with the first name each acted under. */
static int officers_of(struct db *db, int64_t dossier_id, json_t **out,
		       struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT actor_id, MIN(actor) FROM "
				   "dossier_events WHERE dossier_id = ? AND "
				   "actor_id > 0 GROUP BY actor_id ORDER BY "
				   "actor_id",
				   &st, err);
	json_t *a = json_array();

	*out = NULL;
	if (rc) {
		json_decref(a);
		return rc;
	}
	db_bind_int64(st, 1, dossier_id);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			a, json_pack("{s:I, s:s}", "id",
				     (json_int_t)db_column_int64(st, 0),
				     "username", db_column_text(st, 1)));
	db_done(st);
	if (rc != DB_DONE) {
		json_decref(a);
		return db_fail(db, rc, err);
	}
	*out = a;
	return 0;
}

int rating_create(struct db *db, const char *code, const struct rating *r,
		  const char *channel, mc_time now,
		  const struct auth_actor *actor, int64_t *id_out,
		  struct buf *err)
{
	struct db_stmt *st = NULL;
	json_t *officers = NULL, *after = NULL;
	int64_t dossier_id = 0, desk_id = 0, id = 0;
	char unit[16] = "", parent[16] = "", proc[32] = "";
	enum dossier_state ds = DS_NONE;
	const char *comment = r->comment ? r->comment : "";
	bool complaint = rating_is_complaint(r);
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_prepare_cached(db,
			       "SELECT d.id, d.state, d.unit_code, d.desk_id, "
			       "d.procedure_code, u.parent_code FROM dossiers d "
			       "LEFT JOIN units u ON u.era = '2025' AND u.code "
			       "= d.unit_code WHERE d.code = ?",
			       &st, err);
	if (rc)
		goto fail;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		dossier_id = db_column_int64(st, 0);
		dossier_state_parse(db_column_text(st, 1), &ds, NULL);
		snprintf(unit, sizeof unit, "%s", db_column_text(st, 2));
		desk_id = db_column_int64(st, 3);
		snprintf(proc, sizeof proc, "%s", db_column_text(st, 4));
		snprintf(parent, sizeof parent, "%s", db_column_text(st, 5));
	}
	db_done(st);
	if (rc == DB_DONE) {
		buf_setf(err, "Không tìm thấy hồ sơ");
		rc = MC_ENOTFOUND;
		goto fail;
	}
	if (rc != DB_ROW) {
		rc = db_fail(db, rc, err);
		goto fail;
	}
	if (!dossier_public_can_rate(ds)) {
		buf_setf(err, "Hồ sơ chưa có kết quả: chưa thể đánh giá.");
		rc = MC_EINVALID;
		goto fail;
	}
	rc = db_prepare_cached(db, "SELECT id FROM ratings WHERE dossier_id = ?",
			       &st, err);
	if (rc)
		goto fail;
	db_bind_int64(st, 1, dossier_id);
	rc = db_step(st);
	db_done(st);
	if (rc == DB_ROW) {
		rc = MC_ECONFLICT;
		goto conflict;
	}
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto fail;
	}
	rc = db_prepare_cached(
		db,
		"INSERT INTO ratings (dossier_id, dossier_code, procedure_code, "
		"unit_code, unit_parent, desk_id, channel, c_time, c_trips, "
		"c_agencies, c_attitude, c_publicity, total, level, complaint, "
		"comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?) RETURNING id",
		&st, err);
	if (rc)
		goto fail;
	db_bind_int64(st, 1, dossier_id);
	db_bind_text(st, 2, code, -1);
	db_bind_text(st, 3, proc, -1);
	db_bind_text(st, 4, unit, -1);
	db_bind_text(st, 5, parent, -1);
	db_bind_int64(st, 6, desk_id);
	db_bind_text(st, 7, channel, -1);
	for (int c = 0; c < RC__COUNT; c++)
		db_bind_int64(st, 8 + c, r->scores[c]);
	db_bind_int64(st, 13, rating_total(r));
	db_bind_text(st, 14, rating_level_name(r->level), -1);
	db_bind_int64(st, 15, complaint);
	if ((rc = db_bind_text(st, 16, comment, -1)) < 0) {
		db_done(st);
		buf_setf(err, "Ý kiến khác: nội dung không hợp lệ.");
		goto fail;
	}
	db_bind_int64(st, 17, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_column_int64(st, 0);
	db_done(st);
	if (rc != DB_ROW) {
		if (db_error_is_unique(db)) {
			rc = MC_ECONFLICT;
			goto conflict;
		}
		rc = db_fail(db, rc, err);
		goto fail;
	}
	if ((rc = officers_of(db, dossier_id, &officers, err)))
		goto fail;
	for (size_t i = 0; i < json_array_size(officers); i++) {
		json_t *o = json_array_get(officers, i);
		rc = db_prepare_cached(db,
				       "INSERT INTO rating_officers (rating_id, "
				       "user_id, username) VALUES (?, ?, ?)",
				       &st, err);
		if (rc)
			goto fail;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2,
			      json_integer_value(json_object_get(o, "id")));
		db_bind_text(st, 3,
			     json_string_value(json_object_get(o, "username")),
			     -1);
		rc = db_step(st);
		db_done(st);
		if (rc != DB_DONE) {
			rc = db_fail(db, rc, err);
			goto fail;
		}
	}
	after = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:s, s:b, s:s,"
			  " s:O}",
			  "channel", channel, "time", r->scores[RC_TIME],
			  "trips", r->scores[RC_TRIPS], "agencies",
			  r->scores[RC_AGENCIES], "attitude",
			  r->scores[RC_ATTITUDE], "publicity",
			  r->scores[RC_PUBLICITY], "total", rating_total(r),
			  "level", rating_level_name(r->level), "complaint",
			  complaint, "comment", comment, "officers", officers);
	struct audit_entry ae = {
		.at = now,
		.actor_id = actor ? actor->id : 0,
		.actor = actor && actor->name ? actor->name : "citizen",
		.action = "rating.create",
		.object_type = "dossier",
		.object_id = code,
		.unit_code = unit,
		.client = actor ? actor->client : NULL,
		.after = after,
	};
	if ((rc = audit_append(db, &ae, NULL, err)))
		goto fail;
	if ((rc = db_commit(db, err)))
		goto out;
	if (id_out)
		*id_out = id;
	goto out;
conflict:
	buf_setf(err, "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ được đánh "
		      "giá một lần.");
fail:
	db_rollback(db);
out:
	json_decref(officers);
	json_decref(after);
	return rc;
}

int rating_get(struct db *db, const char *code, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT " RATING_COLS " FROM ratings r JOIN "
				   "dossiers d ON d.id = r.dossier_id WHERE "
				   "r.dossier_code = ?",
				   &st, err);

	*out = NULL;
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = rating_of_row(st);
	db_done(st);
	if (rc == DB_ROW)
		return 0;
	if (rc == DB_DONE) {
		buf_setf(err, "Hồ sơ chưa được đánh giá");
		return MC_ENOTFOUND;
	}
	return db_fail(db, rc, err);
}

/* WHERE clause and its bindings for a list query. */
static void list_where(const struct rating_list_q *q, struct buf *w)
{
	buf_adds(w, " WHERE 1 = 1");
	if (q->units) {
		buf_adds(w, " AND (r.unit_code IN (''");
		for (int i = 0; i < q->n_units; i++)
			buf_adds(w, ", ?");
		buf_adds(w, ") OR r.unit_parent IN (''");
		for (int i = 0; i < q->n_units; i++)
			buf_adds(w, ", ?");
		buf_adds(w, "))");
	}
	if (q->level)
		buf_adds(w, " AND r.level = ?");
	if (q->complaints_only)
		buf_adds(w, " AND r.complaint = 1");
	if (q->officer_id)
		buf_adds(w, " AND r.id IN (SELECT o.rating_id FROM "
			    "rating_officers o WHERE o.user_id = ?)");
}

static int list_bind(const struct rating_list_q *q, struct db_stmt *st)
{
	int i = 1;

	if (q->units) {
		for (int k = 0; k < q->n_units; k++)
			db_bind_text(st, i++, q->units[k], -1);
		for (int k = 0; k < q->n_units; k++)
			db_bind_text(st, i++, q->units[k], -1);
	}
	if (q->level)
		db_bind_text(st, i++, q->level, -1);
	if (q->officer_id)
		db_bind_int64(st, i++, q->officer_id);
	return i;
}

static int list_summary(struct db *db, const struct rating_list_q *q,
			const char *where, json_t **out, int64_t *total,
			struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *by = json_object();
	int64_t n = 0, complaints = 0, sum = 0;
	int rc;

	for (int l = 0; l < RL__COUNT; l++)
		json_object_set_new(by, rating_level_name((enum rating_level)l),
				    json_integer(0));
	buf_addf(&sql, "SELECT r.level, COUNT(*), SUM(r.total), "
		       "SUM(r.complaint) FROM ratings r%s GROUP BY r.level",
		 where);
	if ((rc = db_prepare(db, sql.ptr, &st, err)))
		goto out;
	list_bind(q, st);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t c = db_column_int64(st, 1);
		enum rating_level l;
		if (!rating_level_parse(db_column_text(st, 0), &l))
			json_object_set_new(by, rating_level_name(l),
					    json_integer(c));
		n += c;
		sum += db_column_int64(st, 2);
		complaints += db_column_int64(st, 3);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	rc = 0;
	*total = n;
	/* TT 01/2018 art. 14: an index's score is rounded to one decimal */
	*out = json_pack("{s:I, s:I, s:o, s:O}", "count", (json_int_t)n,
			 "complaints", (json_int_t)complaints, "avg_total",
			 n ? json_real((double)((sum * 10 + n / 2) / n) / 10.0)
			   : json_null(),
			 "by_level", by);
out:
	json_decref(by);
	buf_release(&sql);
	return rc;
}

int rating_list(struct db *db, const struct rating_list_q *q, json_t **out,
		struct buf *err)
{
	struct buf where = BUF_INIT, sql = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *items = json_array(), *summary = NULL;
	int64_t total = 0;
	int page = q->page > 0 ? q->page : 1;
	int per = q->per_page > 0 && q->per_page <= 200 ? q->per_page : 50;
	int rc, i;

	*out = NULL;
	list_where(q, &where);
	if ((rc = list_summary(db, q, where.ptr, &summary, &total, err)))
		goto out;
	buf_addf(&sql,
		 "SELECT " RATING_COLS " FROM ratings r JOIN dossiers d ON "
		 "d.id = r.dossier_id%s ORDER BY r.created_at DESC, r.id DESC "
		 "LIMIT ? OFFSET ?",
		 where.ptr);
	if ((rc = db_prepare(db, sql.ptr, &st, err)))
		goto out;
	i = list_bind(q, st);
	db_bind_int64(st, i++, per);
	db_bind_int64(st, i, (int64_t)(page - 1) * per);
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, rating_of_row(st));
	db_finalize(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	/* the officers of each rating on the page */
	for (size_t k = 0; k < json_array_size(items); k++) {
		json_t *it = json_array_get(items, k), *offs = json_array();
		rc = db_prepare_cached(db,
				       "SELECT user_id, username FROM "
				       "rating_officers WHERE rating_id = ? "
				       "ORDER BY user_id",
				       &st, err);
		if (rc) {
			json_decref(offs);
			goto out;
		}
		db_bind_int64(st, 1,
			      json_integer_value(json_object_get(it, "id")));
		while ((rc = db_step(st)) == DB_ROW)
			json_array_append_new(
				offs, json_pack("{s:I, s:s}", "id",
						(json_int_t)db_column_int64(st,
									    0),
						"username",
						db_column_text(st, 1)));
		db_done(st);
		json_object_set_new(it, "officers", offs);
		if (rc != DB_DONE) {
			rc = db_fail(db, rc, err);
			goto out;
		}
	}
	rc = 0;
	*out = json_pack("{s:O, s:I, s:i, s:i, s:O}", "items", items, "total",
			 (json_int_t)total, "page", page, "per_page", per,
			 "summary", summary);
out:
	json_decref(items);
	json_decref(summary);
	buf_release(&where);
	buf_release(&sql);
	return rc;
}
