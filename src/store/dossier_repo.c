/*
 * dossier_repo.c - dossiers in the database (migrations/0008_dossier.sql):
 * creation, actions as events with the derived row and the audit entry in
 * one transaction, replay, queues, the tracking book, payments, plans.
 * Decides nothing legal: core/dossier.c does. Contracts: dossier_repo.h.
 */
#include "store/dossier_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/dossier_code.h"
#include "core/duration.h"
#include "store/audit.h"
#include "store/outbox.h"
#include "store/version_repo.h"
#include "util/err.h"
#include "util/json.h"
#include "util/xalloc.h"

/* ---- small helpers -------------------------------------------------------- */

static const char *const mode_names[DCM__COUNT] = {
	"original", "certified_copy", "copy", "reused_from_national_db",
	"digitised",
};
static const char *const mode_labels[DCM__COUNT] = {
	"Bản chính", "Bản sao chứng thực", "Bản sao", "Khai thác từ CSDL quốc gia",
	"Số hóa (bản điện tử)",
};

const char *dossier_component_mode_name(enum dossier_component_mode m)
{
	if ((unsigned)m >= DCM__COUNT)
		BUG("bad component mode %d", (int)m);
	return mode_names[m];
}

const char *dossier_component_mode_label(enum dossier_component_mode m)
{
	if ((unsigned)m >= DCM__COUNT)
		BUG("bad component mode %d", (int)m);
	return mode_labels[m];
}

int dossier_component_mode_parse(const char *s,
				 enum dossier_component_mode *out)
{
	for (int i = 0; i < DCM__COUNT; i++)
		if (s && !strcmp(s, mode_names[i])) {
			*out = (enum dossier_component_mode)i;
			return 0;
		}
	return MC_EINVALID;
}

static void sha256_hex(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* 16 random bytes as 26 characters of lower-case base32. */
static void new_secret(char out[DOSSIER_SECRET_LEN + 1])
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[17] = { 0 };
	randombytes_buf(r, 16);
	for (int i = 0; i < DOSSIER_SECRET_LEN; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = ((unsigned)r[byte] << 8 | r[byte + 1]) >>
			     (11 - off);
		out[i] = alpha[v & 31];
	}
	out[DOSSIER_SECRET_LEN] = '\0';
}

static void bind_time(struct db_stmt *st, int i, mc_time t)
{
	if (t)
		db_bind_int64(st, i, t);
	else
		db_bind_null(st, i);
}

static void dur_code(const struct duration *d, char out[16])
{
	struct buf b = BUF_INIT;
	duration_code(d, &b);
	snprintf(out, 16, "%s", b.ptr);
	buf_release(&b);
}

static int role_parse_or(const char *s, enum role def)
{
	enum role r;
	return authz_role_parse(s, &r) == 0 ? (int)r : (int)def;
}

static void pauses_encode(const struct dossier *d, struct buf *out)
{
	for (int i = 0; i < d->n_pauses; i++)
		buf_addf(out, "%s%lld-%lld", i ? "," : "",
			 (long long)d->pauses[i].start,
			 (long long)d->pauses[i].end);
}

static void pauses_decode(const char *s, struct dossier *d)
{
	d->n_pauses = 0;
	while (*s && d->n_pauses < DOSSIER_MAX_PAUSES) {
		char *end;
		long long a = strtoll(s, &end, 10), b = 0;
		if (*end == '-')
			b = strtoll(end + 1, &end, 10);
		d->pauses[d->n_pauses].start = a;
		d->pauses[d->n_pauses].end = b;
		d->n_pauses++;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
}

static const char *class_name_or_null(const struct dossier *d)
{
	return d->has_class ? deadline_class_name(d->cls) : NULL;
}

/* ---- the row ---------------------------------------------------------- */

/* The row's columns with the unit's parent as the expression `parent`
 * (a joined column, or a scalar subquery: QMODEL_COLS). */
#define ROW_COLS_(parent)                                                   \
	"d.id, d.code, d.desk_id, d.version_id, d.unit_code, d.procedure_code," \
	" d.state, d.resume_state, d.step, d.n_steps, d.queue_role,"          \
	" d.assignee_id, d.dur_code, d.submitted_at, d.received_at,"          \
	" d.due_at, d.original_due_at, d.approach_at, d.finished_at,"         \
	" d.closed_at, d.restart_at, d.pauses, d.supplement_count,"           \
	" d.apology_used, d.violation, d.classification, d.version, " parent
#define ROW_COLS ROW_COLS_("COALESCE(u.parent_code, '')")

#define ROW_FROM                                                            \
	" FROM dossiers d LEFT JOIN units u ON u.era = '2025' AND"             \
	" u.code = d.unit_code"

static void read_row(struct db_stmt *st, struct dossier *d,
		     struct dossier_ref *ref)
{
	enum dossier_state s;
	dossier_init(d);
	if (ref) {
		memset(ref, 0, sizeof *ref);
		ref->id = db_column_int64(st, 0);
		snprintf(ref->code, sizeof ref->code, "%s",
			 db_column_text(st, 1));
		ref->desk_id = db_column_int64(st, 2);
		ref->version_id = db_column_int64(st, 3);
		snprintf(ref->unit_code, sizeof ref->unit_code, "%s",
			 db_column_text(st, 4));
		snprintf(ref->procedure_code, sizeof ref->procedure_code, "%s",
			 db_column_text(st, 5));
		snprintf(ref->unit_parent, sizeof ref->unit_parent, "%s",
			 db_column_text(st, 27));
	}
	if (dossier_state_parse(db_column_text(st, 6), &s, NULL) == 0)
		d->state = s;
	if (dossier_state_parse(db_column_text(st, 7), &s, NULL) == 0)
		d->resume_state = s;
	d->step = (int)db_column_int64(st, 8);
	d->n_steps = (int)db_column_int64(st, 9);
	d->queue_role = (enum role)role_parse_or(db_column_text(st, 10),
						 ROLE_RECEIVER);
	d->assignee_id = db_column_int64(st, 11);
	duration_from_code(db_column_text(st, 12), &d->dur, NULL);
	d->submitted_at = db_column_int64(st, 13);
	d->received_at = db_column_int64(st, 14);
	d->due_at = db_column_int64(st, 15);
	d->original_due_at = db_column_int64(st, 16);
	d->approach_at = db_column_int64(st, 17);
	d->finished_at = db_column_int64(st, 18);
	d->closed_at = db_column_int64(st, 19);
	d->restart_at = db_column_int64(st, 20);
	pauses_decode(db_column_text(st, 21), d);
	d->supplement_count = (int)db_column_int64(st, 22);
	d->apology_used = db_column_int64(st, 23) != 0;
	d->violation = db_column_int64(st, 24) != 0;
	if (!db_column_is_null(st, 25)) {
		const char *c = db_column_text(st, 25);
		d->has_class = true;
		d->cls = !strcmp(c, "early")	 ? DL_EARLY
			 : !strcmp(c, "late") ? DL_LATE
					      : DL_ON_TIME;
	}
	d->n_events = db_column_int64(st, 26);
}

int dossier_load(struct db *db, const char *code, struct dossier *row,
		 struct dossier_ref *ref, struct buf *err)
{
	struct db_stmt *st;
	struct dossier tmp;
	int rc = db_prepare_cached(db, "SELECT " ROW_COLS ROW_FROM
				   " WHERE d.code = ?", &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_row(st, row ? row : &tmp, ref);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "Không tìm thấy hồ sơ %s", code);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

/* Writes the derived columns of d (id, with the version check). */
static int write_row(struct db *db, int64_t id, const struct dossier *d,
		     int64_t old_version, mc_time now,
		     const struct dossier_act_in *result, struct buf *err)
{
	struct db_stmt *st;
	struct buf pz = BUF_INIT;
	char dc[16];
	int rc = db_prepare_cached(
		db,
		"UPDATE dossiers SET state = ?, resume_state = ?, step = ?,"
		" n_steps = ?, queue_role = ?, assignee_id = ?, dur_code = ?,"
		" submitted_at = ?, received_at = ?, due_at = ?,"
		" original_due_at = ?, approach_at = ?, finished_at = ?,"
		" closed_at = ?, restart_at = ?, pauses = ?,"
		" supplement_count = ?, apology_used = ?, violation = ?,"
		" classification = ?, active = ?, version = ?, updated_at = ?,"
		" result_number = COALESCE(?, result_number),"
		" result_date = COALESCE(?, result_date),"
		" result_sha256 = COALESCE(?, result_sha256)"
		" WHERE id = ? AND version = ?",
		&st, err);
	if (rc)
		return rc;
	pauses_encode(d, &pz);
	dur_code(&d->dur, dc);
	db_bind_text(st, 1, dossier_state_name(d->state), -1);
	db_bind_text(st, 2, dossier_state_name(d->resume_state), -1);
	db_bind_int64(st, 3, d->step);
	db_bind_int64(st, 4, d->n_steps);
	db_bind_text(st, 5, authz_role_name(d->queue_role), -1);
	db_bind_int64(st, 6, d->assignee_id);
	db_bind_text(st, 7, dc, -1);
	bind_time(st, 8, d->submitted_at);
	bind_time(st, 9, d->received_at);
	bind_time(st, 10, d->due_at);
	bind_time(st, 11, d->original_due_at);
	bind_time(st, 12, d->approach_at);
	bind_time(st, 13, d->finished_at);
	bind_time(st, 14, d->closed_at);
	bind_time(st, 15, d->restart_at);
	db_bind_text(st, 16, pz.ptr, -1);
	db_bind_int64(st, 17, d->supplement_count);
	db_bind_int64(st, 18, d->apology_used);
	db_bind_int64(st, 19, d->violation);
	db_bind_text(st, 20, class_name_or_null(d), -1);
	db_bind_int64(st, 21, dossier_state_closed(d->state) ? 0 : 1);
	db_bind_int64(st, 22, d->n_events);
	db_bind_int64(st, 23, now);
	if (result) {
		db_bind_text(st, 24, result->result_number, -1);
		db_bind_text(st, 25, result->result_date, -1);
		db_bind_text(st, 26, result->result_file_sha256, -1);
	}
	db_bind_int64(st, 27, id);
	db_bind_int64(st, 28, old_version);
	rc = db_step(st);
	if (rc == DB_DONE) {
		rc = db_changes(st) == 1 ? 0 : MC_ECONFLICT;
		if (rc)
			buf_setf(err, "Hồ sơ đã được người khác cập nhật; tải "
				      "lại trang.");
	}
	db_done(st);
	buf_release(&pz);
	return rc;
}

static int insert_event(struct db *db, int64_t id, const struct dossier_event *e,
			enum dossier_state from, enum dossier_state to,
			int64_t seq, const struct auth_actor *actor,
			const char *note, const char *payload, struct buf *err)
{
	struct db_stmt *st;
	char dc[16];
	int rc = db_prepare_cached(
		db,
		"INSERT INTO dossier_events (dossier_id, seq, at, actor_id,"
		" actor, action, from_state, to_state, step, note, payload,"
		" ev_to_step, ev_new_due, ev_dur, ev_n_steps, ev_step,"
		" ev_queue_role, ev_assignee_id, ev_due_at, ev_original_due_at,"
		" ev_approach_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?)",
		&st, err);
	if (rc)
		return rc;
	dur_code(&e->dur, dc);
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, seq);
	db_bind_int64(st, 3, e->at);
	db_bind_int64(st, 4, actor ? actor->id : 0);
	db_bind_text(st, 5, actor && actor->name ? actor->name : "system", -1);
	db_bind_text(st, 6, dossier_action_name(e->action), -1);
	db_bind_text(st, 7, dossier_state_name(from), -1);
	db_bind_text(st, 8, dossier_state_name(to), -1);
	if (e->step >= 0)
		db_bind_int64(st, 9, e->step);
	db_bind_text(st, 10, note ? note : "", -1);
	db_bind_text(st, 11, payload, -1);
	db_bind_int64(st, 12, e->to_step);
	db_bind_int64(st, 13, e->new_due);
	db_bind_text(st, 14, dc, -1);
	db_bind_int64(st, 15, e->n_steps);
	db_bind_int64(st, 16, e->step);
	db_bind_text(st, 17, authz_role_name(e->queue_role), -1);
	db_bind_int64(st, 18, e->assignee_id);
	db_bind_int64(st, 19, e->due_at);
	db_bind_int64(st, 20, e->original_due_at);
	db_bind_int64(st, 21, e->approach_at);
	rc = db_step(st);
	if (rc == DB_DONE)
		rc = 0;
	db_done(st);
	/* (notify) the applicant's e-mail and the webhooks of a public
	 * event, in this transaction (store/outbox.h). */
	if (!rc)
		rc = outbox_dossier_event(db, id, seq, e->action, e->at,
					  e->new_due, note, payload, err);
	return rc;
}

static int audit_dossier(struct db *db, const struct auth_actor *actor,
			 const char *action, const char *code,
			 const char *unit, const struct dossier *before,
			 const struct dossier *after, mc_time now,
			 struct buf *err)
{
	char act[64];
	struct audit_entry e;
	json_t *b = NULL, *a = NULL;
	struct buf due = BUF_INIT;
	int rc;
	snprintf(act, sizeof act, "dossier.%s", action);
	if (before && before->state != DS_NONE)
		b = json_pack("{s:s, s:i, s:I}", "state",
			      dossier_state_name(before->state), "step",
			      before->step, "due_at", (json_int_t)before->due_at);
	if (after)
		a = json_pack("{s:s, s:i, s:I}", "state",
			      dossier_state_name(after->state), "step",
			      after->step, "due_at", (json_int_t)after->due_at);
	memset(&e, 0, sizeof e);
	e.at = now;
	e.actor_id = actor ? actor->id : 0;
	e.actor = actor && actor->name ? actor->name : "system";
	e.action = act;
	e.object_type = "dossier";
	e.object_id = code;
	e.unit_code = unit;
	e.client = actor ? actor->client : NULL;
	e.before = b;
	e.after = a;
	rc = audit_append(db, &e, NULL, err);
	json_decref(b);
	json_decref(a);
	buf_release(&due);
	return rc;
}

/* ---- terms and plans ------------------------------------------------------ */

static int unit_from_text(const char *s, enum duration_unit *u)
{
	if (!strcmp(s, "working_days"))
		*u = DUR_WORKING_DAYS;
	else if (!strcmp(s, "working_hours"))
		*u = DUR_WORKING_HOURS;
	else if (!strcmp(s, "calendar_days"))
		*u = DUR_CALENDAR_DAYS;
	else if (!strcmp(s, "same_day"))
		*u = DUR_SAME_DAY;
	else
		return MC_EINVALID;
	return 0;
}

static const char *channel_db(enum dossier_channel c)
{
	return dossier_channel_name(c);
}

int dossier_terms_get(struct db *db, const char *procedure_code,
		      const char *unit_code, enum dossier_channel channel,
		      int32_t today, struct dossier_terms *out,
		      struct buf *err)
{
	struct version_ref vr;
	struct db_stmt *st = NULL;
	bool found = false;
	int rc;
	memset(out, 0, sizeof *out);
	rc = version_current(db, procedure_code, unit_code, today, &vr, err);
	if (rc && rc != MC_ENOTFOUND)
		return rc;
	if (rc == MC_ENOTFOUND)
		vr.id = 0;
	out->version_id = vr.id;
	if (vr.id) {
		rc = db_prepare(
			db,
			"SELECT COALESCE(committed_unit, legal_unit),"
			" CASE WHEN committed_unit IS NULL THEN legal_amount"
			" ELSE committed_amount END, legal_text, fee_text,"
			" fee_dong, channel FROM procedure_version_channels"
			" WHERE version_id = ? ORDER BY CASE WHEN channel = ?"
			" THEN 0 WHEN channel = 'tat_ca' THEN 1 ELSE 2 END, seq"
			" LIMIT 1",
			&st, err);
		if (rc)
			return rc;
		db_bind_int64(st, 1, vr.id);
	} else {
		rc = db_prepare(
			db,
			"SELECT dur_unit, dur_amount, time_text, fee_text,"
			" fee_dong, channel FROM procedure_channels WHERE code = ?"
			" ORDER BY CASE WHEN channel = ? THEN 0 WHEN channel ="
			" 'tat_ca' THEN 1 ELSE 2 END, seq LIMIT 1",
			&st, err);
		if (rc)
			return rc;
		db_bind_text(st, 1, procedure_code, -1);
	}
	db_bind_text(st, 2, channel_db(channel), -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		found = true;
		snprintf(out->time_text, sizeof out->time_text, "%s",
			 db_column_text(st, 2));
		snprintf(out->fee_text, sizeof out->fee_text, "%s",
			 db_column_text(st, 3));
		out->fee_known = !db_column_is_null(st, 4);
		out->fee_dong = db_column_int64(st, 4);
		if (db_column_is_null(st, 0) ||
		    unit_from_text(db_column_text(st, 0), &out->dur.unit)) {
			buf_setf(err, "Thời hạn giải quyết \"%s\" không có đơn "
				      "vị rõ ràng: không thể tính ngày hẹn trả",
				 out->time_text);
			rc = MC_EINVALID;
		} else {
			out->dur.amount = (int)db_column_int64(st, 1);
			rc = 0;
		}
	} else if (rc == DB_DONE) {
		rc = 0;
	}
	db_finalize(st);
	if (rc)
		return rc;
	if (!found) {
		buf_setf(err, "Không tìm thấy thủ tục %s hoặc thủ tục chưa có "
			      "thời hạn giải quyết", procedure_code);
		return MC_ENOTFOUND;
	}
	return dossier_plan_get(db, procedure_code, vr.id, &out->dur,
				&out->plan, err);
}

static int plan_read(struct db *db, const char *code, int64_t version_id,
		     struct dossier_plan *out, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	memset(out, 0, sizeof *out);
	if (version_id)
		rc = db_prepare_cached(db, "SELECT name, role, assignee_id,"
				       " weight FROM procedure_steps WHERE"
				       " procedure_code = ? AND version_id = ?"
				       " ORDER BY seq", &st, err);
	else
		rc = db_prepare_cached(db, "SELECT name, role, assignee_id,"
				       " weight FROM procedure_steps WHERE"
				       " procedure_code = ? AND version_id IS NULL"
				       " ORDER BY seq", &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	if (version_id)
		db_bind_int64(st, 2, version_id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct dossier_step *s;
		if (out->n_steps >= DOSSIER_MAX_STEPS)
			continue;
		s = &out->steps[out->n_steps++];
		snprintf(s->name, sizeof s->name, "%s", db_column_text(st, 0));
		s->role = (enum role)role_parse_or(db_column_text(st, 1),
						   ROLE_SPECIALIST);
		s->assignee_id = db_column_int64(st, 2);
		s->weight = (int)db_column_int64(st, 3);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int dossier_plan_get(struct db *db, const char *procedure_code,
		     int64_t version_id, const struct duration *dur,
		     struct dossier_plan *out, struct buf *err)
{
	int rc = plan_read(db, procedure_code, version_id, out, err);
	if (rc)
		return rc;
	if (out->n_steps == 0 && version_id)
		rc = plan_read(db, procedure_code, 0, out, err);
	if (rc)
		return rc;
	if (out->n_steps == 0)
		dossier_plan_default(dur, out);
	return 0;
}

static json_t *plan_json(const struct dossier_plan *p)
{
	json_t *a = json_array();
	for (int i = 0; i < p->n_steps; i++)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I, s:i}", "name",
				     p->steps[i].name, "role",
				     authz_role_name(p->steps[i].role),
				     "assignee_id",
				     (json_int_t)p->steps[i].assignee_id,
				     "weight", p->steps[i].weight));
	return a;
}

int dossier_plan_set(struct db *db, const struct auth_actor *by,
		     const char *procedure_code, int64_t version_id,
		     const struct dossier_plan *plan, mc_time now,
		     struct buf *err)
{
	struct dossier_plan before;
	struct db_stmt *st;
	struct audit_entry e;
	json_t *jb = NULL, *ja = NULL;
	char oid[64];
	int rc;
	if (plan->n_steps && (rc = dossier_plan_check(plan, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = plan_read(db, procedure_code, version_id, &before, err)))
		goto out;
	if (version_id)
		rc = db_prepare(db, "DELETE FROM procedure_steps WHERE"
				" procedure_code = ? AND version_id = ?", &st, err);
	else
		rc = db_prepare(db, "DELETE FROM procedure_steps WHERE"
				" procedure_code = ? AND version_id IS NULL",
				&st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, procedure_code, -1);
	if (version_id)
		db_bind_int64(st, 2, version_id);
	rc = db_step(st);
	db_finalize(st);
	if (rc < 0)
		goto out;
	for (int i = 0; i < plan->n_steps; i++) {
		rc = db_prepare(db, "INSERT INTO procedure_steps (procedure_code,"
				" version_id, seq, name, role, assignee_id, weight)"
				" VALUES (?, ?, ?, ?, ?, ?, ?)", &st, err);
		if (rc)
			goto out;
		db_bind_text(st, 1, procedure_code, -1);
		if (version_id)
			db_bind_int64(st, 2, version_id);
		db_bind_int64(st, 3, i);
		db_bind_text(st, 4, plan->steps[i].name, -1);
		db_bind_text(st, 5, authz_role_name(plan->steps[i].role), -1);
		db_bind_int64(st, 6, plan->steps[i].assignee_id);
		db_bind_int64(st, 7, plan->steps[i].weight);
		rc = db_step(st);
		db_finalize(st);
		if (rc < 0)
			goto out;
	}
	/* Intake memoizes a procedure's terms per catalog version (web/
	 * h_intake.c): a new plan is a new version of the catalog. */
	if ((rc = db_exec(db, "UPDATE catalog_meta SET value = value + 1"
			  " WHERE name = 'catalog_version'", err)))
		goto out;
	jb = plan_json(&before);
	ja = plan_json(plan);
	snprintf(oid, sizeof oid, "%s@%lld", procedure_code,
		 (long long)version_id);
	memset(&e, 0, sizeof e);
	e.at = now;
	e.actor_id = by ? by->id : 0;
	e.actor = by && by->name ? by->name : "system";
	e.action = "procedure_steps.update";
	e.object_type = "procedure";
	e.object_id = oid;
	e.client = by ? by->client : NULL;
	e.before = jb;
	e.after = ja;
	rc = audit_append(db, &e, NULL, err);
out:
	json_decref(jb);
	json_decref(ja);
	if (rc) {
		db_rollback(db);
		return rc < 0 ? rc : MC_EDB;
	}
	return db_commit(db, err);
}

/* A plan of n steps when the configured one no longer has the dossier's
 * number of steps: desk, specialists, the leader before the desk. */
static void plan_generic(int n, struct dossier_plan *p)
{
	memset(p, 0, sizeof *p);
	p->n_steps = n;
	for (int i = 0; i < n; i++) {
		struct dossier_step *s = &p->steps[i];
		s->role = (i == 0 || i == n - 1) ? ROLE_RECEIVER
			  : (i == n - 2)	 ? ROLE_LEADER
						 : ROLE_SPECIALIST;
		snprintf(s->name, sizeof s->name, "Bước %d", i + 1);
		s->weight = i == 0 ? 0 : 1;
	}
}

/* ---- creation -------------------------------------------------------------- */

/*
 * SQLite: the transaction holds the database's one write lock, so reading
 * the counter and then writing it cannot interleave with another writer;
 * without RETURNING, which would buffer its row in a temporary b-tree
 * (db.h). The counter of the day exists but for the first dossier of the
 * day: read, then UPDATE, or INSERT the first.
 */
static int counter_next_sqlite(struct db *db, const char *scope,
			       const char *period, int64_t *out,
			       struct buf *err)
{
	struct db_stmt *st;
	int64_t last = 0;
	bool found;
	int rc = db_prepare_cached(db, "SELECT last FROM dossier_counter"
				   " WHERE scope = ? AND period = ?", &st, err);

	if (rc)
		return rc;
	db_bind_text(st, 1, scope, -1);
	db_bind_text(st, 2, period, -1);
	rc = db_step(st);
	found = rc == DB_ROW;
	if (found)
		last = db_column_int64(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	rc = found ? db_prepare_cached(db, "UPDATE dossier_counter SET last"
				       " = ? WHERE scope = ? AND period = ?",
				       &st, err)
		   : db_prepare_cached(db, "INSERT INTO dossier_counter (last,"
				       " scope, period) VALUES (?, ?, ?)",
				       &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, last + 1);
	db_bind_text(st, 2, scope, -1);
	db_bind_text(st, 3, period, -1);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return rc;
	*out = last + 1;
	return 0;
}

static int counter_next(struct db *db, const char *scope, const char *period,
			int64_t *out, struct buf *err)
{
	struct db_stmt *st;
	int rc;

	if (db_kind(db) == DB_SQLITE)
		return counter_next_sqlite(db, scope, period, out, err);
	/* PostgreSQL: one atomic upsert (concurrent transactions wait on
	 * the row) */
	rc = db_prepare_cached(
		db,
		"INSERT INTO dossier_counter (scope, period, last) VALUES"
		" (?, ?, 1) ON CONFLICT (scope, period) DO UPDATE SET last ="
		" dossier_counter.last + 1 RETURNING last",
		&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, scope, -1);
	db_bind_text(st, 2, period, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = db_column_int64(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_EDB;
	}
	db_done(st);
	return rc;
}

static int idem_lookup(struct db *db, const char *key, char code[DOSSIER_CODE_MAX],
		       struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT dossier_code FROM"
				   " dossier_idempotency WHERE idem_key = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, key, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(code, DOSSIER_CODE_MAX, "%s", db_column_text(st, 0));
		rc = 1;
	}
	db_done(st);
	return rc;
}

static int fill_replayed(struct db *db, const char *code,
			 struct dossier_created *out, struct buf *err)
{
	struct dossier d;
	struct db_stmt *st;
	int rc = dossier_load(db, code, &d, NULL, err);
	if (rc)
		return rc;
	memset(out, 0, sizeof *out);
	snprintf(out->code, sizeof out->code, "%s", code);
	out->received_at = d.received_at;
	out->due_at = d.due_at;
	out->state = d.state;
	out->version = d.n_events;
	out->replayed = true;
	rc = db_prepare_cached(db, "SELECT fee_dong, COALESCE(book_year, 0),"
			       " COALESCE(book_no, 0) FROM dossiers WHERE"
			       " code = ?", &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	if (db_step(st) == DB_ROW) {
		out->fee_dong = db_column_int64(st, 0);
		out->book_year = (int)db_column_int64(st, 1);
		out->book_no = (int)db_column_int64(st, 2);
	}
	db_done(st);
	return 0;
}

static int desk_info(struct db *db, int64_t desk_id, char unit[16],
		     char agency[48], char parent[16], struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT k.unit_code, COALESCE("
				   "k.agency_code, ''), COALESCE(u.parent_code,"
				   " '') FROM desks k LEFT JOIN units u ON u.era"
				   " = '2025' AND u.code = k.unit_code WHERE"
				   " k.id = ?", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, desk_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(unit, 16, "%s", db_column_text(st, 0));
		snprintf(agency, 48, "%s", db_column_text(st, 1));
		snprintf(parent, 16, "%s", db_column_text(st, 2));
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "Không tìm thấy bộ phận một cửa %lld",
			 (long long)desk_id);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

static int insert_components(struct db *db, int64_t id,
			     const struct dossier_create_in *in, struct buf *err)
{
	for (int i = 0; i < in->n_components; i++) {
		const struct dossier_component_in *c = &in->components[i];
		struct db_stmt *st;
		int rc = db_prepare_cached(
			db,
			"INSERT INTO dossier_components (dossier_id, seq,"
			" component_seq, name, mode, originals, certified, copies,"
			" file_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			&st, err);
		if (rc)
			return rc;
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, i + 1);
		db_bind_int64(st, 3, c->seq);
		db_bind_text(st, 4, c->name ? c->name : "", -1);
		db_bind_text(st, 5, dossier_component_mode_name(c->mode), -1);
		db_bind_int64(st, 6, c->originals);
		db_bind_int64(st, 7, c->certified);
		db_bind_int64(st, 8, c->copies);
		db_bind_text(st, 9, c->file_sha256, -1);
		rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int check_create_in(const struct dossier_create_in *in, struct buf *err)
{
	if (in->action != DA_RECEIVE && in->action != DA_SUBMIT &&
	    in->action != DA_REFUSE_INTAKE) {
		buf_setf(err, "thao tác tạo hồ sơ không hợp lệ");
		return MC_EINVALID;
	}
	if (!in->procedure_code || !*in->procedure_code) {
		buf_setf(err, "Thủ tục: chưa chọn thủ tục");
		return MC_EINVALID;
	}
	if (!in->applicant.name || !*in->applicant.name) {
		buf_setf(err, "Người nộp: chưa nhập họ tên hoặc tên tổ chức");
		return MC_EINVALID;
	}
	if (in->n_components < 0 || in->n_components > DOSSIER_MAX_COMPONENTS) {
		buf_setf(err, "Thành phần hồ sơ: quá nhiều");
		return MC_EINVALID;
	}
	for (int i = 0; i < in->n_components; i++)
		if ((unsigned)in->components[i].mode >= DCM__COUNT) {
			buf_setf(err, "Thành phần %d: hình thức không hợp lệ",
				 i + 1);
			return MC_EINVALID;
		}
	return 0;
}

static void create_remember(struct dossier_bulk *bk, int64_t id,
			    const char *code, const struct dossier_create_in *in,
			    const char *unit, const char *parent,
			    const struct dossier_terms *terms,
			    const struct dossier *d);
static int bulk_desk(struct dossier_bulk *bk, int64_t desk_id, char unit[16],
		     char agency[48], char parent[16], struct buf *err);

/* The dossier's row; "RETURNING id" is added on PostgreSQL. */
#define DOSSIER_INSERT \
	"INSERT INTO dossiers (code, secret_hash, procedure_code," \
	" version_id, desk_id, unit_code, channel, request," \
	" applicant_kind, applicant_name, applicant_id_number," \
	" applicant_birth_year, applicant_sex, applicant_phone," \
	" applicant_email, applicant_address_unit," \
	" applicant_address_street, state, resume_state, step, n_steps," \
	" queue_role, assignee_id, dur_code, submitted_at, received_at," \
	" due_at, original_due_at, approach_at, finished_at, closed_at," \
	" restart_at, pauses, supplement_count, apology_used, violation," \
	" classification, active, version, fee_dong, paid_dong," \
	" book_year, book_no, created_at, updated_at) VALUES (?, ?, ?," \
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
	" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"

/*
 * The one implementation of creation. bk NULL: its own transaction (a
 * savepoint of the caller's). bk set: in the caller's transaction without
 * a savepoint, the desk from the handle's cache, the new row remembered
 * for the actions that follow.
 */
static int create_run(struct db *db, struct dossier_bulk *bk,
		      const struct dossier_create_in *in, const char *idem_key,
		      const struct deadline *dl,
		      const struct dossier_settings *settings, mc_time now,
		      const struct auth_actor *actor,
		      struct dossier_created *out, struct buf *err)
{
	struct dossier_terms terms_buf;
	const struct dossier_terms *terms = in->terms;
	struct dossier d;
	struct dossier_event ev;
	struct buf code = BUF_INIT, pz = BUF_INIT;
	char unit[16], agency[48], parent[16], day[7], hash[65], dc[16],
		book_scope[40], year[8], found[DOSSIER_CODE_MAX];
	int64_t seq = 0, book_no = 0, id = 0;
	struct db_stmt *st;
	char *first_payload = NULL;
	bool in_tx = false, sqlite, rtx;
	int rc;

	memset(out, 0, sizeof *out);
	if (idem_key && (strlen(idem_key) < 1 || strlen(idem_key) > 128)) {
		buf_setf(err, "khóa chống gửi trùng không hợp lệ");
		return MC_EINVALID;
	}
	if ((rc = check_create_in(in, err)))
		return rc;
	/* SQLite: the reads before the write in one read transaction (each
	 * one after another connection's commit starts with a cold page
	 * cache); PostgreSQL would pay two round trips for it. */
	rtx = !bk && db_kind(db) == DB_SQLITE && !db_in_transaction(db) &&
	      db_begin_read(db, NULL) == 0;
	if (idem_key && !bk) {
		rc = idem_lookup(db, idem_key, found, err);
		if (rc == 1) {
			if (rtx)
				db_rollback(db);
			return fill_replayed(db, found, out, err);
		}
		if (rc < 0)
			goto out_read;
	}
	rc = bk ? bulk_desk(bk, in->desk_id, unit, agency, parent, err)
		: desk_info(db, in->desk_id, unit, agency, parent, err);
out_read:
	if (rtx)
		db_rollback(db);
	if (rc)
		return rc;
	if (in->agency_code)
		snprintf(agency, sizeof agency, "%s", in->agency_code);
	if (!*agency) {
		buf_setf(err, "Bộ phận một cửa chưa có mã định danh điện tử "
			      "của cơ quan (quản trị: Đơn vị > Bộ phận): không "
			      "thể cấp mã hồ sơ");
		return MC_EINVALID;
	}
	if (!terms) {
		rc = dossier_terms_get(db, in->procedure_code,
				       in->unit_code ? in->unit_code : unit,
				       in->channel, mctime_local_day(now),
				       &terms_buf, err);
		if (rc)
			return rc;
		terms = &terms_buf;
	}

	/* The first event, prepared before anything is written. */
	dossier_init(&d);
	dossier_event_init(&ev);
	ev.action = in->action;
	ev.at = now;
	ev.dur = terms->dur;
	ev.n_steps = terms->plan.n_steps;
	if ((rc = dossier_prepare(&d, settings, &terms->plan, dl, &ev, err)))
		return rc;
	if ((rc = dossier_apply(&d, settings, &ev, err)))
		return rc;

	if (!bk) {
		if ((rc = db_begin(db, err)))
			return rc;
		in_tx = true;
	}
	if (idem_key) {
		rc = idem_lookup(db, idem_key, found, err);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			if (in_tx)
				db_rollback(db);
			return fill_replayed(db, found, out, err);
		}
	}
	dossier_code_day(mctime_local_day(now), day);
	if ((rc = counter_next(db, agency, day, &seq, err)))
		goto out;
	rc = dossier_code_format(agency, now, seq, settings->code_seq_digits,
				 &code, err);
	if (rc)
		goto out;
	if (in->action == DA_RECEIVE) {
		struct mc_civil c;
		mctime_to_local(now, &c);
		snprintf(book_scope, sizeof book_scope, "book:%lld",
			 (long long)in->desk_id);
		snprintf(year, sizeof year, "%04d", c.year);
		if ((rc = counter_next(db, book_scope, year, &book_no, err)))
			goto out;
		out->book_year = c.year;
		out->book_no = (int)book_no;
	}
	new_secret(out->secret);
	sha256_hex(out->secret, hash);
	pauses_encode(&d, &pz);
	dur_code(&d.dur, dc);
	/* SQLite: the id from the connection, not RETURNING (db.h) */
	sqlite = db_kind(db) == DB_SQLITE;
	rc = db_prepare_cached(db,
			       sqlite ? DOSSIER_INSERT
				      : DOSSIER_INSERT " RETURNING id",
			       &st, err);
	if (rc)
		goto out;
	{
		const struct dossier_applicant *a = &in->applicant;
		char sex[2] = { a->sex, 0 };
		int i = 1;
		db_bind_text(st, i++, code.ptr, -1);
		db_bind_text(st, i++, hash, -1);
		db_bind_text(st, i++, in->procedure_code, -1);
		if (terms->version_id)
			db_bind_int64(st, i, terms->version_id);
		i++;
		db_bind_int64(st, i++, in->desk_id);
		db_bind_text(st, i++, in->unit_code ? in->unit_code : unit, -1);
		db_bind_text(st, i++, dossier_channel_name(in->channel), -1);
		db_bind_text(st, i++, in->request ? in->request : "", -1);
		db_bind_text(st, i++, a->kind == DAK_ORG ? "org" : "person", -1);
		db_bind_text(st, i++, a->name, -1);
		db_bind_text(st, i++, a->id_number, -1);
		if (a->birth_year)
			db_bind_int64(st, i, a->birth_year);
		i++;
		db_bind_text(st, i++, a->sex ? sex : NULL, -1);
		db_bind_text(st, i++, a->phone, -1);
		db_bind_text(st, i++, a->email, -1);
		db_bind_text(st, i++, a->address_unit, -1);
		db_bind_text(st, i++, a->address_street, -1);
		db_bind_text(st, i++, dossier_state_name(d.state), -1);
		db_bind_text(st, i++, dossier_state_name(d.resume_state), -1);
		db_bind_int64(st, i++, d.step);
		db_bind_int64(st, i++, d.n_steps);
		db_bind_text(st, i++, authz_role_name(d.queue_role), -1);
		db_bind_int64(st, i++, d.assignee_id);
		db_bind_text(st, i++, dc, -1);
		bind_time(st, i++, d.submitted_at);
		bind_time(st, i++, d.received_at);
		bind_time(st, i++, d.due_at);
		bind_time(st, i++, d.original_due_at);
		bind_time(st, i++, d.approach_at);
		bind_time(st, i++, d.finished_at);
		bind_time(st, i++, d.closed_at);
		bind_time(st, i++, d.restart_at);
		db_bind_text(st, i++, pz.ptr, -1);
		db_bind_int64(st, i++, d.supplement_count);
		db_bind_int64(st, i++, d.apology_used);
		db_bind_int64(st, i++, d.violation);
		db_bind_text(st, i++, class_name_or_null(&d), -1);
		db_bind_int64(st, i++, dossier_state_closed(d.state) ? 0 : 1);
		db_bind_int64(st, i++, d.n_events);
		db_bind_int64(st, i++, terms->fee_dong);
		if (book_no) {
			db_bind_int64(st, i, out->book_year);
			db_bind_int64(st, i + 1, book_no);
		}
		i += 2;
		db_bind_int64(st, i++, now);
		db_bind_int64(st, i++, now);
	}
	rc = db_step(st);
	if (rc == DB_ROW)
		id = db_column_int64(st, 0);
	if (rc == DB_DONE && sqlite) {
		id = db_last_insert_id(db);
		rc = DB_ROW;
	}
	db_done(st);
	if (rc < 0) {
		if (db_error_is_unique(db) && !bk) {
			buf_setf(err, "Mã hồ sơ %s đã tồn tại", code.ptr);
			rc = MC_ECONFLICT;
		}
		goto out;
	}
	if (rc != DB_ROW) {
		rc = MC_EDB;
		goto out;
	}
	if (in->n_items > 0 || in->form) {
		json_t *pj = json_object(), *a = json_array();
		for (int k = 0; k < in->n_items; k++)
			json_array_append_new(a, json_string(in->items[k]));
		json_object_set_new(pj, "items", a);
		if (in->form)
			json_object_set_new(pj, "form", json_string(in->form));
		first_payload = json_text(pj, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(pj);
	}
	rc = insert_event(db, id, &ev, DS_NONE, d.state, 1, actor, in->note,
			  first_payload, err);
	if (rc)
		goto out;
	if ((rc = insert_components(db, id, in, err)))
		goto out;
	if (idem_key) {
		rc = db_prepare_cached(db, "INSERT INTO dossier_idempotency"
				       " (idem_key, dossier_code, created_at)"
				       " VALUES (?, ?, ?)", &st, err);
		if (rc)
			goto out;
		db_bind_text(st, 1, idem_key, -1);
		db_bind_text(st, 2, code.ptr, -1);
		db_bind_int64(st, 3, now);
		rc = db_step(st);
		db_done(st);
		if (rc < 0) {
			if (db_error_is_unique(db) && !bk) {
				/* another node won the race: its dossier */
				db_rollback(db);
				in_tx = false;
				rc = idem_lookup(db, idem_key, found, err);
				if (rc == 1)
					rc = fill_replayed(db, found, out, err);
				else if (rc == 0)
					rc = MC_ECONFLICT;
				goto done;
			}
			goto out;
		}
	}
	rc = audit_dossier(db, actor, dossier_action_name(in->action), code.ptr,
			   in->unit_code ? in->unit_code : unit, NULL, &d, now,
			   err);
	if (rc)
		goto out;
	if (in_tx) {
		in_tx = false;
		if ((rc = db_commit(db, err)))
			goto out;
	}
	snprintf(out->code, sizeof out->code, "%s", code.ptr);
	out->received_at = d.received_at;
	out->due_at = d.due_at;
	out->state = d.state;
	out->version = d.n_events;
	out->fee_dong = terms->fee_dong;
	if (bk && !(in->unit_code && strcmp(in->unit_code, unit)))
		create_remember(bk, id, code.ptr, in, unit, parent, terms, &d);
out:
	if (in_tx)
		db_rollback(db);
	if (rc)
		memset(out->secret, 0, sizeof out->secret);
done:
	free(first_payload);
	buf_release(&code);
	buf_release(&pz);
	return rc < 0 ? rc : 0;
}

int dossier_create(struct db *db, const struct dossier_create_in *in,
		   const char *idem_key, const struct deadline *dl,
		   const struct dossier_settings *settings, mc_time now,
		   const struct auth_actor *actor, struct dossier_created *out,
		   struct buf *err)
{
	struct dossier_settings defs;
	if (!settings) {
		dossier_settings_default(&defs);
		settings = &defs;
	}
	return create_run(db, NULL, in, idem_key, dl, settings, now, actor, out,
			  err);
}

/* ---- actions --------------------------------------------------------------- */

static int check_act_in(const struct dossier_act_in *in, struct buf *err)
{
	if (in->assignee_id < 0 ||
	    (in->assignee_id && !dossier_action_assignable(in->action))) {
		buf_setf(err, "Người được giao: chỉ chọn khi chuyển bước hoặc "
			      "trả lại bước trước");
		return MC_EINVALID;
	}
	switch (in->action) {
	case DA_REQUEST_SUPPLEMENT:
		/* NĐ 61/2018 art. 15 cl. 3: everything missing, at once */
		if (in->n_items < 1) {
			buf_setf(err, "Yêu cầu bổ sung: liệt kê đầy đủ một lần "
				      "mọi thành phần còn thiếu");
			return MC_EINVALID;
		}
		break;
	case DA_REFUSE:
	case DA_REJECT:
	case DA_STOP:
	case DA_APOLOGIZE:
		if (!in->note || !*in->note) {
			buf_setf(err, "Lý do: không được để trống");
			return MC_EINVALID;
		}
		break;
	case DA_RECORD_RESULT:
		if (!in->result_number || !*in->result_number) {
			buf_setf(err, "Kết quả: chưa nhập số văn bản kết quả");
			return MC_EINVALID;
		}
		break;
	case DA_RETURN:
		if (!in->collected_by || !*in->collected_by) {
			buf_setf(err, "Người nhận kết quả: không được để trống");
			return MC_EINVALID;
		}
		break;
	case DA_SUBMIT:
	case DA_RECEIVE:
	case DA_REFUSE_INTAKE:
		buf_setf(err, "Thao tác này chỉ dùng khi tạo hồ sơ");
		return MC_EINVALID;
	default:
		break;
	}
	return 0;
}

static char *act_payload(const struct dossier_act_in *in)
{
	json_t *p = json_object();
	char *s = NULL;
	if (in->n_items > 0) {
		json_t *a = json_array();
		for (int i = 0; i < in->n_items; i++)
			json_array_append_new(a, json_string(in->items[i]));
		json_object_set_new(p, "items", a);
	}
	if (in->pause_kind)
		json_object_set_new(p, "kind", json_string(in->pause_kind));
	if (in->result_number)
		json_object_set_new(p, "number",
				    json_string(in->result_number));
	if (in->result_date)
		json_object_set_new(p, "date",
				    json_string(in->result_date));
	if (in->result_file_sha256)
		json_object_set_new(p, "file_sha256",
				    json_string(in->result_file_sha256));
	if (in->collected_by)
		json_object_set_new(p, "collected_by",
				    json_string(in->collected_by));
	if (in->identity_checked)
		json_object_set_new(p, "identity_checked",
				    json_string(in->identity_checked));
	if (in->action == DA_APOLOGIZE)
		json_object_set_new(p, "new_due", json_integer(in->new_due));
	if (in->action == DA_SEND_BACK)
		json_object_set_new(p, "to_step", json_integer(in->to_step));
	if (in->assignee_id)
		json_object_set_new(p, "assignee_id",
				    json_integer(in->assignee_id));
	if (json_object_size(p))
		s = json_text(p, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(p);
	return s;
}

/* Whether p holds role r through a grant covering the unit. */
static bool holds_role(const struct principal *p, enum role r,
		       const char *unit, const char *parent)
{
	for (int i = 0; i < p->n_grants; i++)
		if (p->grants[i].role == r &&
		    authz_covers(p->grants[i].unit, unit, parent))
			return true;
	return false;
}

/* The chosen assignee `uid` must be an enabled user holding the step's
 * role `r` on the dossier's unit. */
static int check_assignee(struct db *db, const struct dossier_ref *ref,
			  enum role r, int64_t uid, struct buf *err)
{
	struct principal p;
	struct buf why = BUF_INIT;
	int rc = auth_principal_load(db, uid, &p, &why);
	if (rc == 0 && !holds_role(&p, r, ref->unit_code, ref->unit_parent))
		rc = MC_ENOTFOUND;
	if (rc == MC_ENOTFOUND) {
		buf_setf(err, "Người được giao: cán bộ được chọn không có vai "
			      "trò %s tại đơn vị %s (hoặc tài khoản đã bị "
			      "khóa)", authz_role_label(r), ref->unit_code);
		rc = MC_EINVALID;
	} else if (rc) {
		buf_setf(err, "%s", why.ptr);
	}
	buf_release(&why);
	return rc;
}

/* ---- idempotency keys of actions (0012) ------------------------------------ */

struct act_key {
	int64_t actor_id;
	char fp[65];
	enum dossier_state from, to;
	int64_t version;
	mc_time due_at;
	bool violation;
};

/* Hex SHA-256 of what makes two keyed requests "the same action". */
static void act_fingerprint(const struct dossier_act_in *in,
			    const char *payload, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	const char *a = dossier_action_name(in->action);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)a, strlen(a) + 1);
	if (payload)
		crypto_hash_sha256_update(&st, (const unsigned char *)payload,
					  strlen(payload));
	crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
	if (in->note)
		crypto_hash_sha256_update(&st, (const unsigned char *)in->note,
					  strlen(in->note));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* 1 with *k when (id, key) is stored and alive at now, 0 when not. */
static int key_lookup(struct db *db, int64_t id, const char *key, mc_time now,
		      struct act_key *k, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT actor_id, fingerprint, from_state, to_state, version,"
		" due_at, violation FROM dossier_action_keys WHERE"
		" dossier_id = ? AND idem_key = ? AND expires_at > ?",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, key, -1);
	db_bind_int64(st, 3, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(k, 0, sizeof *k);
		k->actor_id = db_column_int64(st, 0);
		snprintf(k->fp, sizeof k->fp, "%s", db_column_text(st, 1));
		dossier_state_parse(db_column_text(st, 2), &k->from, NULL);
		dossier_state_parse(db_column_text(st, 3), &k->to, NULL);
		k->version = db_column_int64(st, 4);
		k->due_at = db_column_int64(st, 5);
		k->violation = db_column_int64(st, 6) != 0;
		rc = 1;
	}
	db_done(st);
	return rc;
}

/* The answer to a repeat: the first result, or a conflict when the key
 * was used by someone else or for something else. */
static int key_answer(const struct act_key *k, int64_t actor_id,
		      const char *fp, struct dossier_act_out *out,
		      struct buf *err)
{
	if (k->actor_id != actor_id || strcmp(k->fp, fp)) {
		buf_setf(err, "Khóa chống gửi trùng này đã được dùng cho một "
			      "thao tác khác trên hồ sơ; tải lại trang.");
		return MC_ECONFLICT;
	}
	memset(out, 0, sizeof *out);
	out->from = k->from;
	out->to = k->to;
	out->version = k->version;
	out->event_seq = k->version;
	out->due_at = k->due_at;
	out->violation = k->violation;
	out->replayed = true;
	return 0;
}

/* Stores the key of an applied action, after deleting expired keys. */
static int key_store(struct db *db, int64_t id, const char *key,
		     int64_t actor_id, const char *fp, enum dossier_action a,
		     const struct dossier_act_out *o, mc_time now,
		     struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "DELETE FROM dossier_action_keys WHERE"
				   " expires_at <= ?", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, now);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return rc;
	rc = db_prepare_cached(
		db,
		"INSERT INTO dossier_action_keys (dossier_id, idem_key,"
		" actor_id, fingerprint, action, from_state, to_state, version,"
		" due_at, violation, created_at, expires_at) VALUES (?, ?, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, key, -1);
	db_bind_int64(st, 3, actor_id);
	db_bind_text(st, 4, fp, -1);
	db_bind_text(st, 5, dossier_action_name(a), -1);
	db_bind_text(st, 6, dossier_state_name(o->from), -1);
	db_bind_text(st, 7, dossier_state_name(o->to), -1);
	db_bind_int64(st, 8, o->version);
	db_bind_int64(st, 9, o->due_at);
	db_bind_int64(st, 10, o->violation);
	db_bind_int64(st, 11, now);
	db_bind_int64(st, 12, now + DOSSIER_ACT_KEY_TTL);
	rc = db_step(st);
	db_done(st);
	if (rc < 0 && db_error_is_unique(db)) {
		buf_setf(err, "Khóa chống gửi trùng đã được dùng");
		return MC_ECONFLICT;
	}
	return rc < 0 ? rc : 0;
}

/* ---- the action, for dossier_act and the bulk path ----------------------- */

/* Checks the principal against the action's needs on the dossier. */
static int check_principal(const struct principal *p, const struct dossier *d,
			   const struct dossier_ref *ref, enum dossier_action a,
			   struct buf *err)
{
	enum action need = dossier_needed_action(d, a);
	if (!authz_can(p, need, ref->unit_code, ref->unit_parent)) {
		buf_setf(err, "Bạn không có quyền %s hồ sơ của đơn vị này (cần "
			      "quyền %s)",
			 dossier_action_label(a), authz_action_name(need));
		return MC_EFORBIDDEN;
	}
	if (d->assignee_id && dossier_rule(a)->by_step_role &&
	    p->user_id != d->assignee_id) {
		buf_setf(err, "Bước này được giao cho cán bộ khác");
		return MC_EFORBIDDEN;
	}
	return 0;
}

/*
 * What one action works on: the derived row and its reference (loaded,
 * or from the bulk handle's cache), the plan pinned for the dossier.
 */
struct act_state {
	struct dossier d;
	struct dossier_ref ref;
	struct dossier_plan plan;
};

static int act_load(struct db *db, struct dossier_bulk *bk, const char *code,
		    const struct dossier_act_in *in, struct act_state *as,
		    struct buf *err);
static int act_plan(struct db *db, struct dossier_bulk *bk,
		    const struct dossier_act_in *in, struct act_state *as,
		    struct buf *err);
static void act_remember(struct dossier_bulk *bk, const struct act_state *as);
static void act_forget(struct dossier_bulk *bk, const char *code);

/*
 * The one implementation of an action. bk NULL: in its own transaction
 * (a savepoint of the caller's). bk set: inside the caller's transaction
 * without a savepoint, with the handle's caches; every check comes before
 * the first write, so a refusal writes nothing.
 */
static int act_run(struct db *db, struct dossier_bulk *bk, const char *code,
		   const struct dossier_act_in *in, const struct deadline *dl,
		   const struct dossier_settings *settings,
		   const struct principal *p, mc_time now,
		   const struct auth_actor *actor, struct dossier_act_out *out,
		   struct buf *err)
{
	struct act_state as;
	struct dossier before;
	struct dossier_event ev;
	struct act_key key;
	char *payload = NULL;
	char fp[65];
	int64_t actor_id = actor ? actor->id : 0;
	bool in_tx = false, wrote = false, retried = false;
	int rc;

	memset(out, 0, sizeof *out);
	as.ref.id = 0;
	if ((unsigned)in->action >= DA__COUNT) {
		buf_setf(err, "thao tác không hợp lệ");
		return MC_EINVALID;
	}
	if ((rc = check_act_in(in, err)))
		return rc;
	if (in->idem_key && (!*in->idem_key || strlen(in->idem_key) > 128)) {
		buf_setf(err, "khóa chống gửi trùng không hợp lệ");
		return MC_EINVALID;
	}
	payload = act_payload(in);
	if (in->idem_key)
		act_fingerprint(in, payload, fp);
	if (!bk) {
		if ((rc = db_begin(db, err)))
			goto done;
		in_tx = true;
	}
	if ((rc = act_load(db, bk, code, in, &as, err)))
		goto out;
	if (in->idem_key) {
		rc = key_lookup(db, as.ref.id, in->idem_key, now, &key, err);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			rc = key_answer(&key, actor_id, fp, out, err);
			goto out;
		}
	}
	if (in->expected_version != as.d.n_events) {
		buf_setf(err, "Hồ sơ đã được người khác cập nhật (phiên bản "
			      "%lld, bạn đang xem phiên bản %lld); tải lại "
			      "trang.",
			 (long long)as.d.n_events,
			 (long long)in->expected_version);
		rc = MC_ECONFLICT;
		goto out;
	}
	if (p && (rc = check_principal(p, &as.d, &as.ref, in->action, err)))
		goto out;
	if ((rc = act_plan(db, bk, in, &as, err)))
		goto out;
	dossier_event_init(&ev);
	ev.action = in->action;
	ev.at = now;
	ev.to_step = in->to_step;
	ev.new_due = in->new_due;
	ev.dur = as.d.dur;
	ev.n_steps = as.d.n_steps;
	before = as.d;
	if ((rc = dossier_prepare(&as.d, settings, &as.plan, dl, &ev, err)))
		goto out;
	if (in->assignee_id) {
		rc = check_assignee(db, &as.ref, ev.queue_role, in->assignee_id,
				    err);
		if (rc)
			goto out;
		ev.assignee_id = in->assignee_id;
	}
	if ((rc = dossier_apply(&as.d, settings, &ev, err)))
		goto out;
	/* The writes: the row first (its version check writes nothing when
	 * it fails), then the event, the key and the audit entry. */
	rc = write_row(db, as.ref.id, &as.d, before.n_events, now,
		       in->action == DA_RECORD_RESULT ? in : NULL, err);
	if (rc)
		goto out;
	wrote = true;
	rc = insert_event(db, as.ref.id, &ev, before.state, as.d.state,
			  as.d.n_events, actor, in->note, payload, err);
	if (rc)
		goto out;
	out->from = before.state;
	out->to = as.d.state;
	out->version = as.d.n_events;
	out->due_at = as.d.due_at;
	out->event_seq = as.d.n_events;
	out->violation = as.d.violation && !before.violation;
	if (in->idem_key) {
		rc = key_store(db, as.ref.id, in->idem_key, actor_id, fp,
			       in->action, out, now, err);
		if (rc && bk)
			rc = MC_EDB;	/* written in part: roll back */
		if (rc)
			goto out;
	}
	rc = audit_dossier(db, actor, dossier_action_name(in->action), code,
			   as.ref.unit_code, &before, &as.d, now, err);
	if (rc)
		goto out;
	if (in_tx) {
		in_tx = false;
		if ((rc = db_commit(db, err)))
			goto out;
	}
	act_remember(bk, &as);
	goto done;
out:
	if (in_tx)
		db_rollback(db);
	in_tx = false;
	if (bk && wrote)
		act_forget(bk, code);
	/* A concurrent request with the same key won the race (its row
	 * update or its key came first): answer its result. */
	if (rc == MC_ECONFLICT && in->idem_key && !bk && !retried && as.ref.id) {
		retried = true;
		struct buf why = BUF_INIT;
		if (key_lookup(db, as.ref.id, in->idem_key, now, &key, &why) == 1) {
			buf_reset(err);
			rc = key_answer(&key, actor_id, fp, out, err);
		}
		buf_release(&why);
	}
	if (rc)
		memset(out, 0, sizeof *out);
done:
	free(payload);
	return rc < 0 ? rc : 0;
}

/* ---- the bulk handle ------------------------------------------------------ */

/*
 * Caches of a bulk handle: the rows it wrote last (direct-mapped by the
 * code's hash; a row is used only when its version is the one the caller
 * expects, and the UPDATE's version check guards anyway), the plans by
 * (procedure, version, committed time), the desks by id.
 */
#define BULK_ROWS 4096
#define BULK_PLANS 64
#define BULK_DESKS 64

struct bulk_row {
	bool used;
	struct act_state as;
};

struct bulk_plan {
	bool used;
	char procedure[32];
	int64_t version_id;
	struct duration dur;
	struct dossier_plan plan;
};

struct bulk_desk {
	bool used;
	int64_t id;
	char unit[16], agency[48], parent[16];
};

struct dossier_bulk {
	struct db *db;
	struct dossier_settings settings;
	struct bulk_row *rows;		/* BULK_ROWS */
	struct bulk_plan plans[BULK_PLANS];
	struct bulk_desk desks[BULK_DESKS];
	uint64_t hits, misses;
};

static size_t code_slot(const char *code)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	for (const unsigned char *c = (const unsigned char *)code; *c; c++)
		h = (h ^ *c) * 1099511628211ull;
	return (size_t)(h & (BULK_ROWS - 1));
}

static int act_load(struct db *db, struct dossier_bulk *bk, const char *code,
		    const struct dossier_act_in *in, struct act_state *as,
		    struct buf *err)
{
	if (bk) {
		struct bulk_row *r = &bk->rows[code_slot(code)];
		if (r->used && !strcmp(r->as.ref.code, code) &&
		    r->as.d.n_events == in->expected_version) {
			*as = r->as;
			bk->hits++;
			return 0;
		}
		bk->misses++;
	}
	as->plan.n_steps = 0;
	return dossier_load(db, code, &as->d, &as->ref, err);
}

/* The plan: the caller's pinned plan, the cached one, or the stored
 * one; a plan whose length is not the dossier's maps to plan_generic. */
static int act_plan(struct db *db, struct dossier_bulk *bk,
		    const struct dossier_act_in *in, struct act_state *as,
		    struct buf *err)
{
	struct bulk_plan *bp = NULL;
	int rc;
	if (in->plan && in->plan->n_steps == as->d.n_steps) {
		as->plan = *in->plan;
		return 0;
	}
	if (as->plan.n_steps == as->d.n_steps && as->d.n_steps > 0)
		return 0;	/* cached with the row */
	if (bk) {
		size_t h = code_slot(as->ref.procedure_code);
		h = (h * 31 + (size_t)as->ref.version_id * 7 +
		     (size_t)as->d.dur.unit * 3 + (size_t)as->d.dur.amount) &
		    (BULK_PLANS - 1);
		bp = &bk->plans[h];
		if (bp->used && bp->version_id == as->ref.version_id &&
		    bp->dur.unit == as->d.dur.unit &&
		    bp->dur.amount == as->d.dur.amount &&
		    !strcmp(bp->procedure, as->ref.procedure_code)) {
			as->plan = bp->plan;
			goto mapped;
		}
	}
	rc = dossier_plan_get(db, as->ref.procedure_code, as->ref.version_id,
			      &as->d.dur, &as->plan, err);
	if (rc)
		return rc;
	if (bp) {
		bp->used = true;
		snprintf(bp->procedure, sizeof bp->procedure, "%s",
			 as->ref.procedure_code);
		bp->version_id = as->ref.version_id;
		bp->dur = as->d.dur;
		bp->plan = as->plan;
	}
mapped:
	if (as->plan.n_steps != as->d.n_steps)
		plan_generic(as->d.n_steps, &as->plan);
	return 0;
}

static void act_remember(struct dossier_bulk *bk, const struct act_state *as)
{
	struct bulk_row *r;
	if (!bk)
		return;
	r = &bk->rows[code_slot(as->ref.code)];
	r->used = true;
	r->as = *as;
}

static void act_forget(struct dossier_bulk *bk, const char *code)
{
	struct bulk_row *r = &bk->rows[code_slot(code)];
	if (r->used && !strcmp(r->as.ref.code, code))
		r->used = false;
}

static int bulk_desk(struct dossier_bulk *bk, int64_t desk_id, char unit[16],
		     char agency[48], char parent[16], struct buf *err)
{
	struct bulk_desk *k = &bk->desks[(size_t)desk_id & (BULK_DESKS - 1)];
	int rc;
	if (!k->used || k->id != desk_id) {
		rc = desk_info(bk->db, desk_id, k->unit, k->agency, k->parent,
			       err);
		if (rc)
			return rc;
		k->used = true;
		k->id = desk_id;
	}
	memcpy(unit, k->unit, 16);
	memcpy(agency, k->agency, 48);
	memcpy(parent, k->parent, 16);
	return 0;
}

static void create_remember(struct dossier_bulk *bk, int64_t id,
			    const char *code, const struct dossier_create_in *in,
			    const char *unit, const char *parent,
			    const struct dossier_terms *terms,
			    const struct dossier *d)
{
	struct act_state as;
	memset(&as.ref, 0, sizeof as.ref);
	as.d = *d;
	as.ref.id = id;
	as.ref.desk_id = in->desk_id;
	as.ref.version_id = terms->version_id;
	snprintf(as.ref.code, sizeof as.ref.code, "%s", code);
	snprintf(as.ref.unit_code, sizeof as.ref.unit_code, "%s", unit);
	snprintf(as.ref.unit_parent, sizeof as.ref.unit_parent, "%s", parent);
	snprintf(as.ref.procedure_code, sizeof as.ref.procedure_code, "%s",
		 in->procedure_code);
	as.plan = terms->plan;
	if (as.plan.n_steps != d->n_steps)
		plan_generic(d->n_steps, &as.plan);
	act_remember(bk, &as);
}

int dossier_bulk_new(struct db *db, const struct dossier_settings *settings,
		     struct dossier_bulk **out)
{
	struct dossier_bulk *bk = xcalloc(1, sizeof *bk);
	bk->db = db;
	if (settings)
		bk->settings = *settings;
	else
		dossier_settings_default(&bk->settings);
	bk->rows = xcalloc(BULK_ROWS, sizeof *bk->rows);
	*out = bk;
	return 0;
}

void dossier_bulk_forget(struct dossier_bulk *bk)
{
	if (!bk)
		return;
	memset(bk->rows, 0, BULK_ROWS * sizeof *bk->rows);
	memset(bk->plans, 0, sizeof bk->plans);
	memset(bk->desks, 0, sizeof bk->desks);
}

void dossier_bulk_free(struct dossier_bulk *bk)
{
	if (!bk)
		return;
	free(bk->rows);
	free(bk);
}

void dossier_bulk_stats(const struct dossier_bulk *bk, uint64_t *hits,
			uint64_t *misses)
{
	*hits = bk->hits;
	*misses = bk->misses;
}

static int bulk_in_tx(struct dossier_bulk *bk, struct buf *err)
{
	if (db_in_transaction(bk->db))
		return 0;
	buf_setf(err, "dossier_bulk: call db_begin() first (the caller's "
		      "transaction)");
	return MC_EINVALID;
}

int dossier_bulk_create(struct dossier_bulk *bk,
			const struct dossier_create_in *in,
			const char *idem_key, const struct deadline *dl,
			mc_time now, const struct auth_actor *actor,
			struct dossier_created *out, struct buf *err)
{
	int rc = bulk_in_tx(bk, err);
	if (rc) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	return create_run(bk->db, bk, in, idem_key, dl, &bk->settings, now,
			  actor, out, err);
}

int dossier_bulk_act(struct dossier_bulk *bk, const char *code,
		     const struct dossier_act_in *in, const struct deadline *dl,
		     mc_time now, const struct auth_actor *actor,
		     struct dossier_act_out *out, struct buf *err)
{
	int rc = bulk_in_tx(bk, err);
	if (rc) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	return act_run(bk->db, bk, code, in, dl, &bk->settings, NULL, now,
		       actor, out, err);
}

int dossier_act(struct db *db, const char *code, const struct dossier_act_in *in,
		const struct deadline *dl, const struct dossier_settings *settings,
		const struct principal *p, mc_time now,
		const struct auth_actor *actor, struct dossier_act_out *out,
		struct buf *err)
{
	struct dossier_settings defs;
	if (!settings) {
		dossier_settings_default(&defs);
		settings = &defs;
	}
	return act_run(db, NULL, code, in, dl, settings, p, now, actor, out,
		       err);
}

int dossier_assignees(struct db *db, const char *code, int step, json_t **out,
		      struct buf *err)
{
	struct dossier d;
	struct dossier_ref ref;
	struct dossier_plan plan;
	struct auth_user_filter f;
	const char *scope[3];
	json_t *items = NULL;
	enum role r;
	int rc, n_scope = 0;
	*out = NULL;
	if ((rc = dossier_load(db, code, &d, &ref, err)))
		return rc;
	if ((rc = dossier_plan_get(db, ref.procedure_code, ref.version_id,
				   &d.dur, &plan, err)))
		return rc;
	if (plan.n_steps != d.n_steps)
		plan_generic(d.n_steps, &plan);
	if (step < 0 || step >= plan.n_steps) {
		buf_setf(err, "Bước %d không có trong quy trình của hồ sơ",
			 step + 1);
		return MC_EINVALID;
	}
	r = plan.steps[step].role;
	scope[n_scope++] = ref.unit_code;
	if (*ref.unit_parent)
		scope[n_scope++] = ref.unit_parent;
	scope[n_scope++] = AUTHZ_UNIT_COUNTRY;
	memset(&f, 0, sizeof f);
	f.status = AUTH_USERS_ACTIVE;
	f.scope = scope;
	f.n_scope = n_scope;
	f.per_page = 200;
	items = json_array();
	for (f.page = 1;; f.page++) {
		json_t *res = NULL, *users, *u;
		size_t i;
		if ((rc = auth_user_search(db, &f, &res, err)))
			goto out;
		users = json_object_get(res, "items");
		json_array_foreach(users, i, u) {
			json_t *g;
			size_t k;
			bool ok = false;
			json_array_foreach(json_object_get(u, "grants"), k, g) {
				const char *gr = json_string_value(
					json_object_get(g, "role"));
				const char *gu = json_string_value(
					json_object_get(g, "unit"));
				if (gr && gu && !strcmp(gr, authz_role_name(r)) &&
				    authz_covers(gu, ref.unit_code,
						 ref.unit_parent))
					ok = true;
			}
			if (ok)
				json_array_append_new(
					items,
					json_pack("{s:O, s:O, s:O}", "id",
						  json_object_get(u, "id"),
						  "username",
						  json_object_get(u, "username"),
						  "full_name",
						  json_object_get(u, "full_name")));
		}
		i = json_array_size(users);
		json_decref(res);
		if (i < (size_t)f.per_page)
			break;
	}
	*out = json_pack("{s:i, s:s, s:s, s:s, s:o}", "step", step,
			 "step_name", plan.steps[step].name, "role",
			 authz_role_name(r), "role_label", authz_role_label(r),
			 "items", items);
	items = NULL;
out:
	json_decref(items);
	return rc;
}

/* ---- events and replay ----------------------------------------------------- */

#define EV_COLS                                                             \
	"e.seq, e.at, e.actor_id, e.actor, e.action, e.from_state,"           \
	" e.to_state, e.step, e.note, e.payload, e.ev_to_step, e.ev_new_due,"  \
	" e.ev_dur, e.ev_n_steps, e.ev_step, e.ev_queue_role,"                 \
	" e.ev_assignee_id, e.ev_due_at, e.ev_original_due_at,"                \
	" e.ev_approach_at"

static int dossier_id_of(struct db *db, const char *code, int64_t *id,
			 struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT id FROM dossiers WHERE code = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "Không tìm thấy hồ sơ %s", code);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

static void read_event(struct db_stmt *st, struct dossier_event *e)
{
	dossier_event_init(e);
	dossier_action_parse(db_column_text(st, 4), &e->action, NULL);
	e->at = db_column_int64(st, 1);
	e->to_step = (int)db_column_int64(st, 10);
	e->new_due = db_column_int64(st, 11);
	duration_from_code(db_column_text(st, 12), &e->dur, NULL);
	e->n_steps = (int)db_column_int64(st, 13);
	e->step = (int)db_column_int64(st, 14);
	e->queue_role = (enum role)role_parse_or(db_column_text(st, 15),
						 ROLE_RECEIVER);
	e->assignee_id = db_column_int64(st, 16);
	e->due_at = db_column_int64(st, 17);
	e->original_due_at = db_column_int64(st, 18);
	e->approach_at = db_column_int64(st, 19);
}

int dossier_events_load(struct db *db, const char *code,
			struct dossier_event **events, int *n,
			struct buf *err)
{
	struct db_stmt *st;
	int64_t id;
	int cap = 16, rc;
	*events = NULL;
	*n = 0;
	if ((rc = dossier_id_of(db, code, &id, err)))
		return rc;
	rc = db_prepare(db, "SELECT " EV_COLS " FROM dossier_events e WHERE"
			" e.dossier_id = ? ORDER BY e.seq", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	*events = xmalloc(sizeof **events * (size_t)cap);
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			cap *= 2;
			*events = xrealloc(*events, sizeof **events * (size_t)cap);
		}
		read_event(st, &(*events)[(*n)++]);
	}
	db_finalize(st);
	if (rc < 0) {
		free(*events);
		*events = NULL;
		*n = 0;
		return rc;
	}
	return 0;
}

static json_t *time_or_null(mc_time t)
{
	char s[MCTIME_ISO_LEN + 1];
	if (!t)
		return json_null();
	/* ASCII digits: no UTF-8 check needed */
	return json_stringn_nocheck(s, mctime_iso(t, s));
}

int dossier_events_list(struct db *db, const char *code, json_t **out,
			struct buf *err)
{
	struct db_stmt *st;
	int64_t id;
	json_t *items;
	int rc;
	*out = NULL;
	if ((rc = dossier_id_of(db, code, &id, err)))
		return rc;
	rc = db_prepare(db, "SELECT " EV_COLS " FROM dossier_events e WHERE"
			" e.dossier_id = ? ORDER BY e.seq", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		enum dossier_action a = DA_RECEIVE;
		json_t *payload = NULL;
		dossier_action_parse(db_column_text(st, 4), &a, NULL);
		if (!db_column_is_null(st, 9))
			payload = json_loads(db_column_text(st, 9), 0, NULL);
		json_array_append_new(
			items,
			json_pack("{s:I, s:o, s:s, s:I, s:s, s:s, s:s, s:s,"
				  " s:o, s:s, s:o}",
				  "seq", (json_int_t)db_column_int64(st, 0),
				  "at", time_or_null(db_column_int64(st, 1)),
				  "actor", db_column_text(st, 3), "actor_id",
				  (json_int_t)db_column_int64(st, 2), "action",
				  db_column_text(st, 4), "action_label",
				  dossier_action_label(a), "from_state",
				  db_column_text(st, 5), "to_state",
				  db_column_text(st, 6), "step",
				  db_column_is_null(st, 7)
					  ? json_null()
					  : json_integer(db_column_int64(st, 7)),
				  "note", db_column_text(st, 8), "payload",
				  payload ? payload : json_null()));
	}
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int dossier_replay(struct db *db, const char *code,
		   const struct dossier_settings *settings, bool *equal,
		   struct buf *diff, struct buf *err)
{
	struct dossier_settings defs;
	struct dossier stored, rebuilt;
	struct dossier_event *evs = NULL;
	int n = 0, rc;
	*equal = false;
	if (!settings) {
		dossier_settings_default(&defs);
		settings = &defs;
	}
	if ((rc = db_begin_read(db, err)))
		return rc;
	rc = dossier_load(db, code, &stored, NULL, err);
	if (!rc)
		rc = dossier_events_load(db, code, &evs, &n, err);
	db_commit(db, NULL);
	if (rc)
		goto out;
	dossier_init(&rebuilt);
	for (int i = 0; i < n; i++) {
		struct buf why = BUF_INIT;
		if (dossier_apply(&rebuilt, settings, &evs[i], &why)) {
			buf_setf(err, "sự kiện %d (%s) không áp dụng được: %s",
				 i + 1, dossier_action_name(evs[i].action),
				 why.ptr);
			buf_release(&why);
			rc = MC_EINVALID;
			goto out;
		}
		buf_release(&why);
	}
	*equal = dossier_equal(&stored, &rebuilt, diff);
out:
	free(evs);
	return rc;
}

/* ---- secret ------------------------------------------------------------------ */

int dossier_check_secret(struct db *db, const char *code, const char *secret,
			 struct buf *err)
{
	struct db_stmt *st;
	char want[65];
	int rc;
	if (!secret || strlen(secret) != DOSSIER_SECRET_LEN) {
		buf_setf(err, "Không tìm thấy hồ sơ");
		return MC_ENOTFOUND;
	}
	sha256_hex(secret, want);
	rc = db_prepare_cached(db, "SELECT secret_hash FROM dossiers WHERE"
			       " code = ?", &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *h = db_column_text(st, 0);
		rc = (strlen(h) == 64 && sodium_memcmp(h, want, 64) == 0)
			     ? 0
			     : MC_ENOTFOUND;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	if (rc == MC_ENOTFOUND)
		buf_setf(err, "Không tìm thấy hồ sơ");
	return rc;
}

int dossier_secret_reset(struct db *db, const char *code, mc_time now,
			 const struct auth_actor *actor,
			 char secret[DOSSIER_SECRET_LEN + 1], struct buf *err)
{
	struct dossier_ref ref;
	struct db_stmt *st;
	char hash[65];
	int rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = dossier_load(db, code, NULL, &ref, err)))
		goto out;
	new_secret(secret);
	sha256_hex(secret, hash);
	rc = db_prepare_cached(db, "UPDATE dossiers SET secret_hash = ? WHERE"
			       " id = ?", &st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, hash, -1);
	db_bind_int64(st, 2, ref.id);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		goto out;
	rc = audit_dossier(db, actor, "secret_reset", code, ref.unit_code, NULL,
			   NULL, now, err);
	if (rc)
		goto out;
	return db_commit(db, err);
out:
	db_rollback(db);
	memset(secret, 0, DOSSIER_SECRET_LEN + 1);
	return rc < 0 ? rc : MC_EDB;
}

/* ---- models ------------------------------------------------------------------ */

static const char *urgency_name(const struct dossier *d, mc_time now)
{
	if (dossier_state_closed(d->state))
		return "closed";
	if (d->state == DS_PAUSED || d->state == DS_SUPPLEMENT_REQUESTED)
		return "paused";
	switch (dossier_urgency(d, now)) {
	case 2: return "overdue";
	case 1: return "approaching";
	default: return "normal";
	}
}

#define MODEL_COLS_(parent, procedure, desk)                                 \
	ROW_COLS_(parent) ", d.channel, d.request, d.fee_dong, d.paid_dong,"  \
		 " d.book_year, d.book_no, d.result_number, d.result_date,"   \
		 " d.result_sha256, d.created_at, d.updated_at, " procedure   \
		 ", d.applicant_kind, d.applicant_name,"                      \
		 " d.applicant_id_number, d.applicant_birth_year,"            \
		 " d.applicant_sex, d.applicant_phone, d.applicant_email,"    \
		 " d.applicant_address_unit, d.applicant_address_street, " desk
#define MODEL_COLS                                                          \
	MODEL_COLS_("COALESCE(u.parent_code, '')", "COALESCE(p.name, '')",    \
		    "COALESCE(k.name, '')")
#define MODEL_FROM                                                          \
	ROW_FROM " LEFT JOIN procedures p ON p.code = d.procedure_code"       \
		 " LEFT JOIN desks k ON k.id = d.desk_id"

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_column_is_null(st, col) ? json_null()
					  : json_string(db_column_text(st, col));
}

/* The "dossier" shape of the current row of st (MODEL_COLS). */
static json_t *model_of(struct db_stmt *st, bool personal, mc_time now,
			const struct dossier_plan *plan)
{
	struct dossier d;
	struct dossier_ref ref;
	struct buf dt = BUF_INIT;
	char dc[16];
	json_t *m, *step = json_null(), *app;
	enum dossier_channel ch = DCH_COUNTER;
	read_row(st, &d, &ref);
	dossier_channel_parse(db_column_text(st, 28), &ch, NULL);
	duration_format(&d.dur, &dt);
	dur_code(&d.dur, dc);
	if (d.step >= 0) {
		const char *name = plan && d.step < plan->n_steps
					   ? plan->steps[d.step].name
					   : "";
		step = json_pack("{s:i, s:s, s:s, s:s, s:o}", "index", d.step,
				 "name", name, "role",
				 authz_role_name(d.queue_role), "role_label",
				 authz_role_label(d.queue_role), "assignee_id",
				 d.assignee_id ? json_integer(d.assignee_id)
					       : json_null());
	}
	app = json_pack("{s:s}", "kind", db_column_text(st, 40));
	if (personal) {
		json_object_set_new(app, "name", text_or_null(st, 41));
		json_object_set_new(app, "id_number", text_or_null(st, 42));
		json_object_set_new(app, "birth_year",
				    db_column_is_null(st, 43)
					    ? json_null()
					    : json_integer(db_column_int64(st, 43)));
		json_object_set_new(app, "sex", text_or_null(st, 44));
		json_object_set_new(app, "phone", text_or_null(st, 45));
		json_object_set_new(app, "email", text_or_null(st, 46));
		json_object_set_new(app, "address_unit", text_or_null(st, 47));
		json_object_set_new(app, "address_street", text_or_null(st, 48));
	}
	m = json_object();
	json_object_set_new(m, "code", json_string(ref.code));
	json_object_set_new(m, "version", json_integer(d.n_events));
	json_object_set_new(m, "state", json_string(dossier_state_name(d.state)));
	json_object_set_new(m, "state_label",
			    json_string(dossier_state_label(d.state)));
	json_object_set_new(m, "closed",
			    json_boolean(dossier_state_closed(d.state)));
	json_object_set_new(
		m, "procedure",
		json_pack("{s:s, s:s, s:o}", "code", ref.procedure_code, "name",
			  db_column_text(st, 39), "version_id",
			  ref.version_id ? json_integer(ref.version_id)
					 : json_null()));
	json_object_set_new(m, "desk",
			    json_pack("{s:I, s:s, s:s}", "id",
				      (json_int_t)ref.desk_id, "unit_code",
				      ref.unit_code, "name",
				      db_column_text(st, 49)));
	json_object_set_new(m, "unit_code", json_string(ref.unit_code));
	json_object_set_new(m, "channel", json_string(dossier_channel_name(ch)));
	json_object_set_new(m, "channel_label",
			    json_string(dossier_channel_label(ch)));
	json_object_set_new(m, "request", json_string(db_column_text(st, 29)));
	json_object_set_new(m, "applicant", app);
	json_object_set_new(m, "submitted_at", time_or_null(d.submitted_at));
	json_object_set_new(m, "received_at", time_or_null(d.received_at));
	json_object_set_new(m, "due_at", time_or_null(d.due_at));
	json_object_set_new(m, "original_due_at",
			    time_or_null(d.original_due_at));
	json_object_set_new(m, "finished_at", time_or_null(d.finished_at));
	json_object_set_new(m, "closed_at", time_or_null(d.closed_at));
	json_object_set_new(m, "duration", json_pack("{s:s, s:s}", "code", dc,
						     "text", dt.ptr));
	json_object_set_new(m, "step", step);
	json_object_set_new(m, "n_steps", json_integer(d.n_steps));
	json_object_set_new(m, "urgency", json_string(urgency_name(&d, now)));
	json_object_set_new(m, "supplement_count",
			    json_integer(d.supplement_count));
	json_object_set_new(m, "violation", json_boolean(d.violation));
	json_object_set_new(m, "apology_used", json_boolean(d.apology_used));
	json_object_set_new(m, "classification",
			    d.has_class ? json_string(deadline_class_name(d.cls))
					: json_null());
	json_object_set_new(m, "fee_dong", json_integer(db_column_int64(st, 30)));
	json_object_set_new(m, "paid_dong", json_integer(db_column_int64(st, 31)));
	json_object_set_new(
		m, "book",
		db_column_is_null(st, 33)
			? json_null()
			: json_pack("{s:I, s:I}", "year",
				    (json_int_t)db_column_int64(st, 32), "no",
				    (json_int_t)db_column_int64(st, 33)));
	json_object_set_new(
		m, "result",
		db_column_is_null(st, 34)
			? json_null()
			: json_pack("{s:s, s:o, s:o}", "number",
				    db_column_text(st, 34), "date",
				    text_or_null(st, 35), "file_sha256",
				    text_or_null(st, 36)));
	json_object_set_new(m, "created_at",
			    time_or_null(db_column_int64(st, 37)));
	json_object_set_new(m, "updated_at",
			    time_or_null(db_column_int64(st, 38)));
	buf_release(&dt);
	return m;
}

static int components_json(struct db *db, int64_t id, json_t **out,
			   struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT seq, name, mode, originals, certified,"
			    " copies, file_sha256 FROM dossier_components WHERE"
			    " dossier_id = ? ORDER BY seq", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	*out = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		enum dossier_component_mode m = DCM_COPY;
		dossier_component_mode_parse(db_column_text(st, 2), &m);
		json_array_append_new(
			*out,
			json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:o}",
				  "seq", (json_int_t)db_column_int64(st, 0),
				  "name", db_column_text(st, 1), "mode",
				  db_column_text(st, 2), "mode_label",
				  dossier_component_mode_label(m), "originals",
				  (json_int_t)db_column_int64(st, 3),
				  "certified", (json_int_t)db_column_int64(st, 4),
				  "copies", (json_int_t)db_column_int64(st, 5),
				  "file_sha256", text_or_null(st, 6)));
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int dossier_get(struct db *db, const char *code, unsigned flags, mc_time now,
		const struct auth_actor *viewer, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	struct dossier_ref ref;
	struct dossier d;
	struct dossier_plan plan;
	json_t *m = NULL, *comps = NULL, *evs = NULL;
	int rc;
	*out = NULL;
	if ((rc = dossier_load(db, code, &d, &ref, err)))
		return rc;
	if ((rc = dossier_plan_get(db, ref.procedure_code, ref.version_id,
				   &d.dur, &plan, err)))
		return rc;
	if (plan.n_steps != d.n_steps)
		plan_generic(d.n_steps, &plan);
	rc = db_prepare(db, "SELECT " MODEL_COLS MODEL_FROM " WHERE d.code = ?",
			&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW)
		m = model_of(st, flags & DOSSIER_WITH_PERSONAL, now, &plan);
	db_finalize(st);
	if (!m) {
		buf_setf(err, "Không tìm thấy hồ sơ %s", code);
		return rc < 0 ? rc : MC_ENOTFOUND;
	}
	if ((rc = components_json(db, ref.id, &comps, err)))
		goto fail;
	json_object_set_new(m, "components", comps);
	if (flags & DOSSIER_WITH_EVENTS) {
		if ((rc = dossier_events_list(db, code, &evs, err)))
			goto fail;
		json_object_set(m, "events", json_object_get(evs, "items"));
		json_decref(evs);
	}
	if ((flags & DOSSIER_WITH_PERSONAL) && viewer) {
		struct audit_entry e;
		memset(&e, 0, sizeof e);
		e.at = now;
		e.actor_id = viewer->id;
		e.actor = viewer->name ? viewer->name : "system";
		e.action = "personal.view";
		e.object_type = "dossier";
		e.object_id = code;
		e.unit_code = ref.unit_code;
		e.client = viewer->client;
		if ((rc = audit_log(db, &e, err)))
			goto fail;
	}
	*out = m;
	return 0;
fail:
	json_decref(m);
	return rc;
}

/* ---- queues ------------------------------------------------------------------- */

#define RUNNING_SQL                                                        \
	"d.state IN ('received', 'in_progress')"

/* Pieces of the queue queries. `d.active = 1` is written literally: the
 * partial indexes of migration 0015 (WHERE active = 1) need it. */
#define QW_ROLE " WHERE d.queue_role = ? AND d.active = 1"
#define QW_PERSON " WHERE d.assignee_id = ? AND d.active = 1"
#define QW_UNIT1 " AND d.unit_code IN (?)"
#define QW_STATE " AND d.state = ?"
#define QU_OVERDUE " AND " RUNNING_SQL " AND d.due_at < ?"
#define QU_APPROACHING                                                     \
	" AND " RUNNING_SQL " AND d.due_at >= ? AND d.approach_at <= ?"
#define QU_NORMAL                                                          \
	" AND NOT (" RUNNING_SQL " AND d.approach_at <= ?) AND d.state NOT IN" \
	" ('paused', 'supplement_requested')"
/* The counts in one pass over the index range (covering: state, due_at,
 * approach_at are in the index); its 3 time parameters come first. */
#define QCOUNT                                                             \
	"SELECT COUNT(*), SUM(CASE WHEN " RUNNING_SQL " AND d.due_at < ? THEN" \
	" 1 ELSE 0 END), SUM(CASE WHEN " RUNNING_SQL " AND d.due_at >= ? AND"  \
	" d.approach_at <= ? THEN 1 ELSE 0 END), SUM(CASE WHEN d.state IN"     \
	" ('paused', 'supplement_requested') THEN 1 ELSE 0 END) FROM"         \
	" dossiers d"
/* The page: the unit's parent, the procedure's and the desk's names as
 * scalar subqueries, which SQLite computes only for the rows it returns;
 * as joins they were looked up for the rows an OFFSET skips too (page 3
 * cost a third more than page 1), which now come from the index alone. */
#define QMODEL_COLS                                                         \
	MODEL_COLS_("COALESCE((SELECT u.parent_code FROM units u WHERE"       \
		    " u.era = '2025' AND u.code = d.unit_code), '')",        \
		    "COALESCE((SELECT p.name FROM procedures p WHERE"         \
		    " p.code = d.procedure_code), '')",                      \
		    "COALESCE((SELECT k.name FROM desks k WHERE"              \
		    " k.id = d.desk_id), '')")
#define QPAGE "SELECT " QMODEL_COLS " FROM dossiers d"
#define QTAIL " ORDER BY d.due_at, d.code LIMIT ? OFFSET ?"
#define QSHAPE(w)                                                          \
	{ QCOUNT w,                                                        \
	  { QPAGE w QTAIL, QPAGE w QU_OVERDUE QTAIL,                       \
	    QPAGE w QU_APPROACHING QTAIL, QPAGE w QU_NORMAL QTAIL } }

/* The common shapes as literals for db_prepare_cached (the literal is the
 * key): a role queue of one unit, a person's queue; each with or without a
 * state filter. Page by urgency: none, overdue, approaching, normal. */
static const struct queue_shape {
	const char *count;
	const char *page[4];
} queue_shapes[] = {
	QSHAPE(QW_ROLE QW_UNIT1),
	QSHAPE(QW_ROLE QW_UNIT1 QW_STATE),
	QSHAPE(QW_PERSON),
	QSHAPE(QW_PERSON QW_STATE),
};

/* The cached shape of q, or NULL (several units, or all units). */
static const struct queue_shape *queue_shape_of(const struct dossier_queue_q *q)
{
	if (q->assignee_id && !q->units)
		return &queue_shapes[2 + (q->state != NULL)];
	if (!q->assignee_id && q->units && q->n_units == 1)
		return &queue_shapes[q->state != NULL];
	return NULL;
}

/* Appends the WHERE clause of a queue and binds nothing (see bind_where). */
static void queue_where(const struct dossier_queue_q *q, struct buf *sql)
{
	buf_adds(sql, q->assignee_id ? QW_PERSON : QW_ROLE);
	if (q->units) {
		buf_adds(sql, " AND d.unit_code IN (");
		for (int i = 0; i < q->n_units; i++)
			buf_adds(sql, i ? ", ?" : "?");
		if (q->n_units == 0)
			buf_adds(sql, "NULL");
		buf_adds(sql, ")");
	}
	if (q->state)
		buf_adds(sql, QW_STATE);
}

/* Binds the WHERE parameters from `i`; returns the next number. */
static int bind_where(struct db_stmt *st, const struct dossier_queue_q *q,
		      int i)
{
	if (q->assignee_id)
		db_bind_int64(st, i++, q->assignee_id);
	else
		db_bind_text(st, i++, authz_role_name(q->role), -1);
	if (q->units)
		for (int k = 0; k < q->n_units; k++)
			db_bind_text(st, i++, q->units[k], -1);
	if (q->state)
		db_bind_text(st, i++, q->state, -1);
	return i;
}

/* Prepares the shape's literal (cached) or the text built in sql. */
static int queue_prepare(struct db *db, const char *lit, struct buf *sql,
			 struct db_stmt **st, struct buf *err)
{
	return lit ? db_prepare_cached(db, lit, st, err)
		   : db_prepare(db, sql->ptr, st, err);
}

int dossier_queue(struct db *db, const struct dossier_queue_q *q,
		  mc_time now, json_t **out, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct db_stmt *st = NULL;
	json_t *items = NULL, *counts = NULL;
	const struct queue_shape *shape = queue_shape_of(q);
	int per = q->per_page > 0 ? q->per_page : 50;
	int page = q->page > 0 ? q->page : 1;
	int urg = 0;
	int64_t total = 0, filtered = 0;
	int rc, i;
	*out = NULL;
	if (per > 200)
		per = 200;
	if (q->urgency) {
		if (!strcmp(q->urgency, "overdue"))
			urg = 1;
		else if (!strcmp(q->urgency, "approaching"))
			urg = 2;
		else if (!strcmp(q->urgency, "normal"))
			urg = 3;
		else {
			buf_setf(err, "Bộ lọc hạn không hợp lệ: %s", q->urgency);
			return MC_EINVALID;
		}
	}
	if ((rc = db_begin_read(db, err)))
		return rc;
	/* counts: one pass over the queue's index range */
	if (!shape) {
		buf_adds(&sql, QCOUNT);
		queue_where(q, &sql);
	}
	if ((rc = queue_prepare(db, shape ? shape->count : NULL, &sql, &st,
				err)))
		goto out;
	/* the time parameters come first in the text */
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, now);
	bind_where(st, q, 4);
	rc = db_step(st);
	if (rc == DB_ROW) {
		int64_t n = db_column_int64(st, 0), over = db_column_int64(st, 1),
			appr = db_column_int64(st, 2),
			paused = db_column_int64(st, 3);
		total = n;
		counts = json_pack("{s:I, s:I, s:I, s:I, s:I}", "overdue",
				   (json_int_t)over, "approaching",
				   (json_int_t)appr, "normal",
				   (json_int_t)(n - over - appr - paused),
				   "paused", (json_int_t)paused, "total",
				   (json_int_t)n);
		rc = 0;
	}
	db_done(st);
	st = NULL;
	if (rc < 0)
		goto out;
	filtered = total;
	/* the page */
	if (!shape) {
		static const char *const urg_sql[4] = { "", QU_OVERDUE,
							QU_APPROACHING,
							QU_NORMAL };
		buf_reset(&sql);
		buf_adds(&sql, QPAGE);
		queue_where(q, &sql);
		buf_adds(&sql, urg_sql[urg]);
		buf_adds(&sql, QTAIL);
	}
	if ((rc = queue_prepare(db, shape ? shape->page[urg] : NULL, &sql,
				&st, err)))
		goto out;
	i = bind_where(st, q, 1);
	if (urg) {
		static const char *const urg_name[4] = { "", "overdue",
							 "approaching",
							 "normal" };
		db_bind_int64(st, i++, now);
		if (urg == 2)
			db_bind_int64(st, i++, now);
		filtered = json_integer_value(
			json_object_get(counts, urg_name[urg]));
	}
	db_bind_int64(st, i++, per);
	db_bind_int64(st, i++, (int64_t)(page - 1) * per);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, model_of(st, false, now, NULL));
	db_done(st);
	st = NULL;
	if (rc < 0)
		goto out;
	rc = 0;
	*out = json_pack("{s:o, s:o, s:i, s:i, s:I}", "items", items, "counts",
			 counts ? counts : json_object(), "page", page,
			 "per_page", per, "total", (json_int_t)filtered);
	items = counts = NULL;
out:
	db_commit(db, NULL);
	json_decref(items);
	json_decref(counts);
	buf_release(&sql);
	return rc < 0 ? rc : 0;
}

/* ---- tracking book -------------------------------------------------------------- */

int dossier_book(struct db *db, int64_t desk_id, int year, int page,
		 int per_page, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	json_t *items, *desk = json_null();
	int64_t total = 0;
	int rc;
	*out = NULL;
	if (page < 1)
		page = 1;
	if ((rc = db_begin_read(db, err)))
		return rc;
	rc = db_prepare(db, "SELECT id, unit_code, name FROM desks WHERE id = ?",
			&st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, desk_id);
	if (db_step(st) == DB_ROW)
		desk = json_pack("{s:I, s:s, s:s}", "id",
				 (json_int_t)db_column_int64(st, 0), "unit_code",
				 db_column_text(st, 1), "name",
				 db_column_text(st, 2));
	db_finalize(st);
	if (json_is_null(desk)) {
		buf_setf(err, "Không tìm thấy bộ phận một cửa");
		rc = MC_ENOTFOUND;
		goto out;
	}
	rc = db_prepare(db, "SELECT COUNT(*) FROM dossiers WHERE desk_id = ?"
			" AND book_year = ?", &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, desk_id);
	db_bind_int64(st, 2, year);
	if (db_step(st) == DB_ROW)
		total = db_column_int64(st, 0);
	db_finalize(st);
	rc = db_prepare(
		db,
		"SELECT d.book_no, d.code, d.procedure_code, COALESCE(p.name,"
		" ''), COALESCE(d.applicant_name, ''),"
		" COALESCE(d.applicant_address_street, ''),"
		" COALESCE(d.applicant_phone, ''), d.unit_code, d.received_at,"
		" d.due_at, (SELECT MIN(e.at) FROM dossier_events e WHERE"
		" e.dossier_id = d.id AND e.action = 'forward'), d.finished_at,"
		" CASE WHEN d.state = 'returned' THEN d.closed_at END, d.state,"
		" (SELECT COUNT(*) FROM dossier_components c WHERE c.dossier_id"
		" = d.id) FROM dossiers d LEFT JOIN procedures p ON p.code ="
		" d.procedure_code WHERE d.desk_id = ? AND d.book_year = ?"
		" ORDER BY d.book_no LIMIT ? OFFSET ?",
		&st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, desk_id);
	db_bind_int64(st, 2, year);
	/* all rows: LIMIT -1 on SQLite, LIMIT NULL on PostgreSQL (which
	 * refuses a negative limit) */
	if (per_page > 0)
		db_bind_int64(st, 3, per_page);
	else if (db_kind(db) == DB_SQLITE)
		db_bind_int64(st, 3, -1);
	else
		db_bind_null(st, 3);
	db_bind_int64(st, 4, per_page > 0 ? (int64_t)(page - 1) * per_page : 0);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		enum dossier_state s = DS_RECEIVED;
		dossier_state_parse(db_column_text(st, 13), &s, NULL);
		json_array_append_new(
			items,
			json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s,"
				  " s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:s}",
				  "no", (json_int_t)db_column_int64(st, 0),
				  "code", db_column_text(st, 1),
				  "procedure_code", db_column_text(st, 2),
				  "procedure_name", db_column_text(st, 3),
				  "applicant_name", db_column_text(st, 4),
				  "applicant_address", db_column_text(st, 5),
				  "phone", db_column_text(st, 6), "n_sets",
				  (json_int_t)1, "unit_code",
				  db_column_text(st, 7), "received_at",
				  time_or_null(db_column_int64(st, 8)),
				  "due_at", time_or_null(db_column_int64(st, 9)),
				  "forwarded_at",
				  time_or_null(db_column_int64(st, 10)),
				  "result_at",
				  time_or_null(db_column_int64(st, 11)),
				  "returned_at",
				  time_or_null(db_column_int64(st, 12)),
				  "state", dossier_state_name(s), "state_label",
				  dossier_state_label(s), "note", ""));
	}
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		goto out;
	}
	rc = 0;
	*out = json_pack("{s:O, s:i, s:o, s:i, s:i, s:I}", "desk", desk, "year",
			 year, "items", items, "page", page, "per_page",
			 per_page, "total", (json_int_t)total);
out:
	db_commit(db, NULL);
	json_decref(desk);
	return rc < 0 ? rc : 0;
}

/* ---- payments --------------------------------------------------------------------- */

/* A payment may be typed a little ahead of the server's clock. */
#define PAYMENT_CLOCK_SKEW 300
#define PAYMENT_MAX_DONG 1000000000000LL

static int payment_check(const struct dossier_payment_in *in, mc_time at,
			 mc_time now, struct buf *err)
{
	if (in->amount <= 0 || in->amount > PAYMENT_MAX_DONG) {
		buf_setf(err, "Số tiền: phải lớn hơn 0 và không quá 10^12 "
			      "đồng");
		return MC_EINVALID;
	}
	if (!in->method || (strcmp(in->method, "cash") &&
			    strcmp(in->method, "transfer"))) {
		buf_setf(err, "Hình thức nộp: tiền mặt (cash) hoặc chuyển "
			      "khoản (transfer)");
		return MC_EINVALID;
	}
	if (in->receipt_no && strlen(in->receipt_no) > 64) {
		buf_setf(err, "Số biên lai: tối đa 64 ký tự");
		return MC_EINVALID;
	}
	if (at > now + PAYMENT_CLOCK_SKEW) {
		buf_setf(err, "Thời điểm nộp: không được sau thời điểm hiện "
			      "tại");
		return MC_EINVALID;
	}
	return 0;
}

/* An earlier payment with this receipt number at the desk: 1 and its
 * dossier id, id, amount and method, dossier code; 0 when none. */
struct receipt_use {
	int64_t dossier_id, id, amount;
	char method[16], code[DOSSIER_CODE_MAX];
};

static int receipt_find(struct db *db, int64_t desk_id, const char *receipt,
			struct receipt_use *u, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT p.dossier_id, p.id, p.amount, p.method, d.code FROM"
		" dossier_payments p JOIN dossiers d ON d.id = p.dossier_id"
		" WHERE p.desk_id = ? AND p.receipt_no = ? ORDER BY p.id"
		" LIMIT 1",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, desk_id);
	db_bind_text(st, 2, receipt, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		u->dossier_id = db_column_int64(st, 0);
		u->id = db_column_int64(st, 1);
		u->amount = db_column_int64(st, 2);
		snprintf(u->method, sizeof u->method, "%s",
			 db_column_text(st, 3));
		snprintf(u->code, sizeof u->code, "%s", db_column_text(st, 4));
		rc = 1;
	}
	db_done(st);
	return rc;
}

int dossier_payment_add(struct db *db, const char *code,
			const struct dossier_payment_in *in, mc_time now,
			const struct auth_actor *actor, int64_t *id_out,
			struct buf *err)
{
	struct db_stmt *st;
	struct audit_entry e;
	struct receipt_use use;
	struct buf when = BUF_INIT;
	json_t *after = NULL;
	int64_t id = 0, desk_id = 0, pay_id = 0;
	mc_time created = 0, at = in->at ? in->at : now;
	char unit[16] = "";
	const char *receipt = in->receipt_no && *in->receipt_no ? in->receipt_no
							       : NULL;
	int rc;
	if ((rc = payment_check(in, at, now, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_prepare_cached(db, "SELECT id, desk_id, unit_code, created_at"
			       " FROM dossiers WHERE code = ?", &st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int64(st, 0);
		desk_id = db_column_int64(st, 1);
		snprintf(unit, sizeof unit, "%s", db_column_text(st, 2));
		created = db_column_int64(st, 3);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "Không tìm thấy hồ sơ %s", code);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	if (rc)
		goto out;
	if (at < mctime_day_start(mctime_local_day(created))) {
		mctime_format_local(created, &when);
		buf_setf(err, "Thời điểm nộp: không được trước ngày hồ sơ được "
			      "lập (%s)", when.ptr);
		rc = MC_EINVALID;
		goto out;
	}
	if (receipt) {
		rc = receipt_find(db, desk_id, receipt, &use, err);
		if (rc < 0)
			goto out;
		if (rc == 1 && use.dossier_id == id &&
		    use.amount == in->amount && !strcmp(use.method, in->method)) {
			/* the same payment again: a double click */
			db_rollback(db);
			if (id_out)
				*id_out = use.id;
			rc = 0;
			goto done;
		}
		if (rc == 1) {
			buf_setf(err, "Số biên lai: số %s đã được dùng cho hồ sơ "
				      "%s tại bộ phận này", receipt, use.code);
			rc = MC_EINVALID;
			goto out;
		}
	}
	rc = db_prepare_cached(db, "INSERT INTO dossier_payments (dossier_id,"
			       " at, amount, method, receipt_no, note, actor,"
			       " desk_id, receipt_key, recorded_at) VALUES (?, ?,"
			       " ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, at);
	db_bind_int64(st, 3, in->amount);
	db_bind_text(st, 4, in->method, -1);
	db_bind_text(st, 5, receipt ? receipt : "", -1);
	db_bind_text(st, 6, in->note ? in->note : "", -1);
	db_bind_text(st, 7, actor && actor->name ? actor->name : "system", -1);
	db_bind_int64(st, 8, desk_id);
	db_bind_text(st, 9, receipt, -1);
	db_bind_int64(st, 10, now);
	rc = db_step(st);
	if (rc == DB_ROW)
		pay_id = db_column_int64(st, 0);
	db_done(st);
	if (rc < 0) {
		if (db_error_is_unique(db)) {
			/* another officer took the number at this instant */
			buf_setf(err, "Số biên lai: số %s đã được dùng tại bộ "
				      "phận này", receipt ? receipt : "");
			rc = MC_EINVALID;
		}
		goto out;
	}
	rc = db_prepare_cached(db, "UPDATE dossiers SET paid_dong = paid_dong +"
			       " ? WHERE id = ?", &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, in->amount);
	db_bind_int64(st, 2, id);
	rc = db_step(st);
	db_done(st);
	if (rc < 0)
		goto out;
	buf_reset(&when);
	mctime_format_iso(at, &when);
	after = json_pack("{s:I, s:s, s:s, s:s}", "amount",
			  (json_int_t)in->amount, "method", in->method,
			  "receipt_no", receipt ? receipt : "", "at", when.ptr);
	memset(&e, 0, sizeof e);
	e.at = now;
	e.actor_id = actor ? actor->id : 0;
	e.actor = actor && actor->name ? actor->name : "system";
	e.action = "dossier.payment";
	e.object_type = "dossier";
	e.object_id = code;
	e.unit_code = unit;
	e.client = actor ? actor->client : NULL;
	e.after = after;
	rc = audit_append(db, &e, NULL, err);
	json_decref(after);
	if (rc)
		goto out;
	if ((rc = db_commit(db, err)))
		goto done;
	if (id_out)
		*id_out = pay_id;
	goto done;
out:
	db_rollback(db);
	rc = rc < 0 ? rc : MC_EDB;
done:
	buf_release(&when);
	return rc;
}

int dossier_payments_list(struct db *db, const char *code, json_t **out,
			  struct buf *err)
{
	struct db_stmt *st;
	int64_t id, fee = 0, paid = 0;
	json_t *items;
	int rc;
	*out = NULL;
	if ((rc = dossier_id_of(db, code, &id, err)))
		return rc;
	rc = db_prepare(db, "SELECT fee_dong, paid_dong FROM dossiers WHERE"
			" id = ?", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW) {
		fee = db_column_int64(st, 0);
		paid = db_column_int64(st, 1);
	}
	db_finalize(st);
	rc = db_prepare_cached(db, "SELECT id, at, amount, method, receipt_no,"
			       " note, actor, recorded_at FROM dossier_payments"
			       " WHERE dossier_id = ? ORDER BY id", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(
			items,
			json_pack("{s:I, s:o, s:o, s:I, s:s, s:s, s:s, s:s}",
				  "id", (json_int_t)db_column_int64(st, 0), "at",
				  time_or_null(db_column_int64(st, 1)),
				  "recorded_at",
				  time_or_null(db_column_int64(st, 7)),
				  "amount", (json_int_t)db_column_int64(st, 2),
				  "method", db_column_text(st, 3), "receipt_no",
				  db_column_text(st, 4), "note",
				  db_column_text(st, 5), "actor",
				  db_column_text(st, 6)));
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "fee_dong",
			 (json_int_t)fee, "paid_dong", (json_int_t)paid,
			 "due_dong", (json_int_t)(fee > paid ? fee - paid : 0));
	return 0;
}
