/*
 * outbox.c - the outbox of notifications and the webhooks table
 * (migrations/0019_outbox.sql): enqueue in the caller's transaction, the
 * dossier hook, claims with a lease, sent / failed with backoff / dead,
 * retry, lists. All SQL of notifications; never talks to the network.
 */
#include "store/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/dossier_public.h"
#include "store/audit.h"
#include "util/err.h"
#include "util/json.h"
#include "util/xalloc.h"

#define REASON_MAX 500
#define ITEMS_MAX 64

static const char *kind_name(enum outbox_kind k)
{
	return k == OUTBOX_WEBHOOK ? "webhook" : "email";
}

int64_t outbox_backoff(const struct outbox_policy *p, int attempts)
{
	int64_t d = p->base_s > 0 ? p->base_s : 1;
	for (int i = 1; i < attempts && d < p->max_s; i++)
		d *= 2;
	return d < p->max_s ? d : p->max_s;
}

static int step_done(struct db_stmt *st)
{
	int rc = db_step(st);
	return rc == DB_DONE || rc == DB_ROW ? 0 : rc;
}

int outbox_enqueue(struct db *db, const struct outbox_msg *m, mc_time now,
		   int64_t *id, struct buf *err)
{
	struct db_stmt *st;
	int rc;
	if (!db_in_transaction(db)) {
		buf_setf(err, "outbox_enqueue: outside a transaction");
		return MC_EINVALID;
	}
	if (!m->target || !*m->target || !m->body || !*m->body) {
		buf_setf(err, "outbox_enqueue: empty target or body");
		return MC_EINVALID;
	}
	rc = db_prepare_cached(
		db,
		"INSERT INTO outbox (kind, target, webhook_id, dossier_code,"
		" event_seq, event, subject, body, status, attempts, next_at,"
		" locked_until, last_error, created_at) VALUES (?, ?, ?, ?, ?,"
		" ?, ?, ?, 'pending', 0, ?, 0, '', ?) RETURNING id",
		&st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, kind_name(m->kind), -1);
	db_bind_text(st, 2, m->target, -1);
	if (m->kind == OUTBOX_WEBHOOK)
		db_bind_int64(st, 3, m->webhook_id);
	db_bind_text(st, 4, m->dossier_code, -1);
	if (m->dossier_code)
		db_bind_int64(st, 5, m->event_seq);
	db_bind_text(st, 6, m->event ? m->event : "", -1);
	db_bind_text(st, 7, m->subject ? m->subject : "", -1);
	db_bind_text(st, 8, m->body, -1);
	db_bind_int64(st, 9, now);
	db_bind_int64(st, 10, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (id)
			*id = db_column_int64(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_EDB;
	}
	db_done(st);
	return rc;
}

/* ---- the dossier hook ------------------------------------------------------ */

struct dossier_facts {
	char *code, *email, *phone, *procedure, *place;
};

static void facts_release(struct dossier_facts *f)
{
	free(f->code);
	free(f->email);
	free(f->phone);
	free(f->procedure);
	free(f->place);
}

static int facts_load(struct db *db, int64_t dossier_id,
		      struct dossier_facts *f, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT d.code, d.applicant_email, d.applicant_phone,"
		" p.name, k.name, k.address FROM dossiers d"
		" LEFT JOIN procedures p ON p.code = d.procedure_code"
		" LEFT JOIN desks k ON k.id = d.desk_id WHERE d.id = ?",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, dossier_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		struct buf place = BUF_INIT;
		f->code = xstrdup(db_column_text(st, 0));
		f->email = xstrdup(db_column_text(st, 1));
		f->phone = xstrdup(db_column_text(st, 2));
		f->procedure = xstrdup(db_column_text(st, 3));
		buf_adds(&place, db_column_text(st, 4));
		if (*db_column_text(st, 5))
			buf_addf(&place, ", %s", db_column_text(st, 5));
		f->place = buf_detach(&place, NULL);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "outbox: dossier %lld not found",
			 (long long)dossier_id);
		rc = MC_EDB;	/* written in this transaction: cannot be */
	}
	db_done(st);
	return rc;
}

/* The enabled webhooks: ids and URLs (caller frees). */
static int webhooks_enabled(struct db *db, int64_t **ids, char ***urls,
			    int *n, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "SELECT id, url FROM webhooks WHERE"
				   " enabled = 1 ORDER BY id",
				   &st, err);
	*ids = NULL;
	*urls = NULL;
	*n = 0;
	if (rc)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		*ids = xrealloc(*ids, sizeof(**ids) * (size_t)(*n + 1));
		*urls = xrealloc(*urls, sizeof(**urls) * (size_t)(*n + 1));
		(*ids)[*n] = db_column_int64(st, 0);
		(*urls)[*n] = xstrdup(db_column_text(st, 1));
		(*n)++;
	}
	db_done(st);
	return rc == DB_DONE ? 0 : rc;
}

/*
 * The e-mail's subject and body (plain UTF-8). The sender adds the footer
 * (lookup link, "do not reply") since only it knows the public URL.
 */
static void compose_email(const struct dossier_facts *f,
			  enum dossier_public_kind k,
			  const struct dossier_public_event *pe,
			  struct buf *subject, struct buf *body)
{
	buf_addf(subject, "%s - hồ sơ %s", dossier_public_kind_title(k),
		 f->code);
	buf_adds(body, "Kính gửi ông/bà,\n\n");
	buf_addf(body, "Hồ sơ số: %s\n", f->code);
	if (*f->procedure)
		buf_addf(body, "Thủ tục: %s\n", f->procedure);
	buf_adds(body, "Thời điểm: ");
	dossier_public_format_time(pe->at, body);
	buf_adds(body, "\n\n");
	dossier_public_event_text(pe, body);
	buf_adds(body, "\n");
}

static char *compose_webhook(const struct dossier_facts *f, int64_t seq,
			     enum dossier_public_kind k,
			     const struct dossier_public_event *pe,
			     const char *subject, const char *text)
{
	struct buf at = BUF_INIT;
	mctime_format_iso(pe->at, &at);
	json_t *j = json_pack(
		"{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:{s:s?, s:s?}}", "event",
		dossier_public_kind_name(k), "dossier", f->code, "seq",
		(json_int_t)seq, "at", at.ptr, "title",
		dossier_public_kind_title(k), "subject", subject, "text", text,
		"applicant", "email", *f->email ? f->email : NULL, "phone",
		*f->phone ? f->phone : NULL);
	char *s = json_text(j, JSON_COMPACT);
	json_decref(j);
	buf_release(&at);
	return s;
}

int outbox_dossier_event(struct db *db, int64_t dossier_id, int64_t seq,
			 enum dossier_action action, mc_time at,
			 mc_time new_due, const char *note,
			 const char *payload, struct buf *err)
{
	enum dossier_public_kind k = dossier_public_kind_of(action);
	struct dossier_facts f = { 0 };
	struct dossier_public_event pe;
	const char *items[ITEMS_MAX];
	struct buf subject = BUF_INIT, body = BUF_INIT, text = BUF_INIT;
	int64_t *wh_ids = NULL;
	char **wh_urls = NULL;
	int n_wh = 0, rc;
	json_t *pj = NULL;
	if (!dossier_public_kind_notifies(k))
		return 0;
	if ((rc = webhooks_enabled(db, &wh_ids, &wh_urls, &n_wh, err)))
		goto out;
	if ((rc = facts_load(db, dossier_id, &f, err)))
		goto out;
	if (!*f.email && n_wh == 0)
		goto out;
	memset(&pe, 0, sizeof pe);
	pe.action = action;
	pe.at = at;
	pe.note = note && *note ? note : NULL;
	pe.new_due = new_due;
	pe.place = *f.place ? f.place : NULL;
	if (payload && *payload)
		pj = json_loads(payload, 0, NULL);
	json_t *ja = json_object_get(pj, "items");
	size_t i;
	json_t *v;
	json_array_foreach(ja, i, v)
	{
		if (pe.n_items < ITEMS_MAX && json_is_string(v))
			items[pe.n_items++] = json_string_value(v);
	}
	pe.items = items;
	compose_email(&f, k, &pe, &subject, &body);
	dossier_public_event_text(&pe, &text);
	if (*f.email) {
		struct outbox_msg m = { .kind = OUTBOX_EMAIL,
					.target = f.email,
					.dossier_code = f.code,
					.event_seq = seq,
					.event = dossier_public_kind_name(k),
					.subject = subject.ptr,
					.body = body.ptr };
		if ((rc = outbox_enqueue(db, &m, at, NULL, err)))
			goto out;
	}
	if (n_wh) {
		char *json = compose_webhook(&f, seq, k, &pe, subject.ptr,
					     text.ptr);
		for (int w = 0; w < n_wh && !rc; w++) {
			struct outbox_msg m = {
				.kind = OUTBOX_WEBHOOK,
				.target = wh_urls[w],
				.webhook_id = wh_ids[w],
				.dossier_code = f.code,
				.event_seq = seq,
				.event = dossier_public_kind_name(k),
				.subject = dossier_public_kind_name(k),
				.body = json
			};
			rc = outbox_enqueue(db, &m, at, NULL, err);
		}
		free(json);
	}
out:
	json_decref(pj);
	for (int w = 0; w < n_wh; w++)
		free(wh_urls[w]);
	free(wh_urls);
	free(wh_ids);
	facts_release(&f);
	buf_release(&subject);
	buf_release(&body);
	buf_release(&text);
	return rc;
}

/* ---- senders ------------------------------------------------------------- */

void outbox_item_release(struct outbox_item *it)
{
	free(it->target);
	free(it->webhook_secret);
	free(it->dossier_code);
	free(it->event);
	free(it->subject);
	free(it->body);
	memset(it, 0, sizeof(*it));
}

/* Marks `id` dead with `reason`, whatever its state. */
static int mark_dead(struct db *db, int64_t id, const char *reason,
		     struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "UPDATE outbox SET status = 'dead',"
				   " locked_until = 0, last_error = ?"
				   " WHERE id = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, reason, -1);
	db_bind_int64(st, 2, id);
	rc = step_done(st);
	db_done(st);
	return rc;
}

/* Takes the lease of row `id` if it is still due and free: *got. */
static int claim_one(struct db *db, int64_t id, mc_time now, int64_t lease_s,
		     bool *got, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"UPDATE outbox SET locked_until = ? WHERE id = ? AND"
		" status = 'pending' AND next_at <= ? AND locked_until <= ?",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, now + lease_s);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, now);
	rc = step_done(st);
	*got = !rc && db_changes(st) == 1;
	db_done(st);
	return rc;
}

static int load_item(struct db *db, int64_t id, struct outbox_item *it,
		     bool *orphan, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(
		db,
		"SELECT o.kind, o.target, o.webhook_id, o.dossier_code,"
		" o.event, o.subject, o.body, o.attempts, o.created_at,"
		" w.secret, w.url, w.id FROM outbox o LEFT JOIN webhooks w ON"
		" w.id = o.webhook_id AND w.enabled = 1 WHERE o.id = ?",
		&st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	*orphan = false;
	rc = db_step(st);
	if (rc == DB_ROW) {
		memset(it, 0, sizeof(*it));
		it->id = id;
		it->kind = strcmp(db_column_text(st, 0), "webhook")
				   ? OUTBOX_EMAIL
				   : OUTBOX_WEBHOOK;
		it->target = xstrdup(db_column_text(st, 1));
		it->webhook_id = db_column_int64(st, 2);
		it->dossier_code = xstrdup(db_column_text(st, 3));
		it->event = xstrdup(db_column_text(st, 4));
		it->subject = xstrdup(db_column_text(st, 5));
		it->body = xstrdup(db_column_text(st, 6));
		it->attempts = (int)db_column_int64(st, 7);
		it->created_at = db_column_int64(st, 8);
		if (it->kind == OUTBOX_WEBHOOK) {
			if (db_column_is_null(st, 11)) {
				*orphan = true;
			} else {
				it->webhook_secret =
					xstrdup(db_column_text(st, 9));
				/* The URL in force (an edit applies to
				 * messages not yet sent). */
				free(it->target);
				it->target = xstrdup(db_column_text(st, 10));
			}
		}
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

int outbox_claim(struct db *db, mc_time now, int64_t lease_s, int max,
		 unsigned kinds, struct outbox_item **items, int *n,
		 struct buf *err)
{
	struct db_stmt *st;
	int64_t ids[64];
	int n_ids = 0, rc;
	*items = NULL;
	*n = 0;
	if (max > 64)
		max = 64;
	rc = db_prepare_cached(db,
			       "SELECT id FROM outbox WHERE status = 'pending'"
			       " AND next_at <= ? AND locked_until <= ?"
			       " AND (kind = 'email' OR ? = 1)"
			       " AND (kind = 'webhook' OR ? = 1)"
			       " ORDER BY next_at, id LIMIT ?",
			       &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, (kinds & OUTBOX_KIND_WEBHOOK) ? 1 : 0);
	db_bind_int64(st, 4, (kinds & OUTBOX_KIND_EMAIL) ? 1 : 0);
	db_bind_int64(st, 5, max);
	while ((rc = db_step(st)) == DB_ROW && n_ids < max)
		ids[n_ids++] = db_column_int64(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	rc = 0;
	if (!n_ids)
		return 0;
	*items = xcalloc((size_t)n_ids, sizeof(**items));
	for (int i = 0; i < n_ids && !rc; i++) {
		bool got = false, orphan = false;
		struct outbox_item *it = &(*items)[*n];
		if ((rc = db_begin(db, err)))
			break;
		rc = claim_one(db, ids[i], now, lease_s, &got, err);
		if (!rc && got)
			rc = load_item(db, ids[i], it, &orphan, err);
		if (!rc && got && orphan) {
			outbox_item_release(it);
			rc = mark_dead(db, ids[i], "webhook removed", err);
		} else if (!rc && got) {
			(*n)++;
		}
		if (rc)
			db_rollback(db);
		else
			rc = db_commit(db, err);
		if (rc && got && !orphan)
			outbox_item_release(it);
		if (rc && got && !orphan && *n > 0 && it == &(*items)[*n - 1])
			(*n)--;
	}
	if (rc) {
		for (int i = 0; i < *n; i++)
			outbox_item_release(&(*items)[i]);
		free(*items);
		*items = NULL;
		*n = 0;
	}
	return rc;
}

int outbox_mark_sent(struct db *db, int64_t id, mc_time now, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db,
				   "UPDATE outbox SET status = 'sent',"
				   " attempts = attempts + 1, sent_at = ?,"
				   " locked_until = 0, last_error = ''"
				   " WHERE id = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, id);
	rc = step_done(st);
	db_done(st);
	return rc;
}

int outbox_mark_failed(struct db *db, int64_t id, const char *reason,
		       const struct outbox_policy *policy, mc_time now,
		       bool *dead, struct buf *err)
{
	struct db_stmt *st;
	struct buf r = BUF_INIT;
	int attempts = 0;
	int rc = db_prepare_cached(db, "SELECT attempts FROM outbox WHERE id = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		attempts = (int)db_column_int64(st, 0) + 1;
	db_done(st);
	if (rc == DB_DONE)
		return MC_ENOTFOUND;
	if (rc < 0)
		return rc;
	bool is_dead = attempts >= policy->max_attempts;
	/* The reason is cut at a UTF-8 character boundary. */
	buf_adds(&r, reason ? reason : "");
	if (r.len > REASON_MAX) {
		size_t l = REASON_MAX;
		while (l > 0 && ((unsigned char)r.ptr[l] & 0xC0) == 0x80)
			l--;
		buf_truncate(&r, l);
	}
	rc = db_prepare_cached(db,
			       "UPDATE outbox SET status = ?, attempts = ?,"
			       " next_at = ?, locked_until = 0, last_error = ?"
			       " WHERE id = ?",
			       &st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, is_dead ? "dead" : "pending", -1);
	db_bind_int64(st, 2, attempts);
	db_bind_int64(st, 3, now + outbox_backoff(policy, attempts));
	db_bind_text(st, 4, r.ptr, -1);
	db_bind_int64(st, 5, id);
	rc = step_done(st);
	db_done(st);
	if (!rc && dead)
		*dead = is_dead;
out:
	buf_release(&r);
	return rc;
}

static void audit_simple(struct audit_entry *e, const struct auth_actor *by,
			 const char *action, const char *type,
			 const char *obj_id, mc_time now)
{
	memset(e, 0, sizeof(*e));
	e->at = now;
	e->actor_id = by ? by->id : 0;
	e->actor = by && by->name ? by->name : "system";
	e->client = by ? by->client : NULL;
	e->action = action;
	e->object_type = type;
	e->object_id = obj_id;
}

int outbox_retry(struct db *db, const struct auth_actor *by, int64_t id,
		 mc_time now, struct buf *err)
{
	struct db_stmt *st;
	char status[16] = "";
	char ids[24];
	int attempts = 0;
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = db_prepare_cached(db,
			       "SELECT status, attempts FROM outbox WHERE id = ?",
			       &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(status, sizeof status, "%s", db_column_text(st, 0));
		attempts = (int)db_column_int64(st, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "không có thông báo số %lld", (long long)id);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	if (rc)
		goto out;
	if (!strcmp(status, "sent")) {
		buf_setf(err, "thông báo số %lld đã được gửi", (long long)id);
		rc = MC_ECONFLICT;
		goto out;
	}
	rc = db_prepare_cached(db,
			       "UPDATE outbox SET status = 'pending',"
			       " attempts = 0, next_at = ?, locked_until = 0"
			       " WHERE id = ?",
			       &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, now);
	db_bind_int64(st, 2, id);
	rc = step_done(st);
	db_done(st);
	if (rc)
		goto out;
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	struct audit_entry e;
	audit_simple(&e, by, "outbox.retry", "outbox", ids, now);
	json_t *b = json_pack("{s:s, s:i}", "status", status, "attempts",
			      attempts);
	json_t *a = json_pack("{s:s, s:i}", "status", "pending", "attempts",
			      0);
	e.before = b;
	e.after = a;
	rc = audit_append(db, &e, NULL, err);
	json_decref(b);
	json_decref(a);
out:
	if (rc)
		db_rollback(db);
	else
		rc = db_commit(db, err);
	return rc;
}

static json_t *iso_or_null(struct db_stmt *st, int col)
{
	if (db_column_is_null(st, col) || db_column_int64(st, col) == 0)
		return json_null();
	struct buf b = BUF_INIT;
	mctime_format_iso(db_column_int64(st, col), &b);
	json_t *j = json_string(b.ptr);
	buf_release(&b);
	return j;
}

#define MSG_COLS                                                            \
	"id, kind, target, webhook_id, dossier_code, event_seq, event,"     \
	" subject, status, attempts, next_at, last_error, created_at,"      \
	" sent_at, body"

static json_t *msg_json(struct db_stmt *st, bool with_body)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(db_column_int64(st, 0)));
	json_object_set_new(j, "kind", json_string(db_column_text(st, 1)));
	json_object_set_new(j, "target", json_string(db_column_text(st, 2)));
	json_object_set_new(j, "webhook_id",
			    db_column_is_null(st, 3)
				    ? json_null()
				    : json_integer(db_column_int64(st, 3)));
	json_object_set_new(j, "dossier_code",
			    db_column_is_null(st, 4)
				    ? json_null()
				    : json_string(db_column_text(st, 4)));
	json_object_set_new(j, "event_seq",
			    db_column_is_null(st, 5)
				    ? json_null()
				    : json_integer(db_column_int64(st, 5)));
	json_object_set_new(j, "event", json_string(db_column_text(st, 6)));
	json_object_set_new(j, "subject", json_string(db_column_text(st, 7)));
	json_object_set_new(j, "status", json_string(db_column_text(st, 8)));
	json_object_set_new(j, "attempts",
			    json_integer(db_column_int64(st, 9)));
	json_object_set_new(j, "next_at", iso_or_null(st, 10));
	json_object_set_new(j, "last_error",
			    json_string(db_column_text(st, 11)));
	json_object_set_new(j, "created_at", iso_or_null(st, 12));
	json_object_set_new(j, "sent_at", iso_or_null(st, 13));
	if (with_body)
		json_object_set_new(j, "body",
				    json_string(db_column_text(st, 14)));
	return j;
}

int outbox_list(struct db *db, const struct outbox_filter *f, json_t **out,
		struct buf *err)
{
	struct db_stmt *st;
	int limit = f && f->limit > 0 ? f->limit : 100;
	if (limit > 500)
		limit = 500;
	int rc = db_prepare(db,
			    "SELECT " MSG_COLS " FROM outbox WHERE"
			    " (CAST(? AS TEXT) IS NULL OR status = ?) AND"
			    " (CAST(? AS TEXT) IS NULL OR dossier_code = ?)"
			    " ORDER BY id DESC LIMIT ?",
			    &st, err);
	if (rc)
		return rc;
	const char *status = f ? f->status : NULL;
	const char *code = f ? f->dossier_code : NULL;
	db_bind_text(st, 1, status, -1);
	db_bind_text(st, 2, status, -1);
	db_bind_text(st, 3, code, -1);
	db_bind_text(st, 4, code, -1);
	db_bind_int64(st, 5, limit);
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(items, msg_json(st, false));
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	json_t *counts = json_pack("{s:i, s:i, s:i}", "pending", 0, "sent", 0,
				   "dead", 0);
	rc = db_prepare(db,
			"SELECT status, COUNT(*) FROM outbox GROUP BY status",
			&st, err);
	if (rc) {
		json_decref(items);
		json_decref(counts);
		return rc;
	}
	while ((rc = db_step(st)) == DB_ROW)
		json_object_set_new(counts, db_column_text(st, 0),
				    json_integer(db_column_int64(st, 1)));
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(counts);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "items", items, "counts", counts);
	return 0;
}

int outbox_purge(struct db *db, mc_time before, int64_t *n, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
			    "DELETE FROM outbox WHERE status = 'sent' AND"
			    " sent_at < ?",
			    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, before);
	rc = step_done(st);
	if (!rc && n)
		*n = db_changes(st);
	db_finalize(st);
	return rc;
}

int outbox_get(struct db *db, int64_t id, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT " MSG_COLS " FROM outbox WHERE id = ?",
			    &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = msg_json(st, true);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "không có thông báo số %lld", (long long)id);
		rc = MC_ENOTFOUND;
	}
	db_finalize(st);
	return rc;
}

/* ---- webhooks ------------------------------------------------------------ */

static bool url_ok(const char *url)
{
	size_t n = strlen(url);
	const char *host;
	if (n > 2000)
		return false;
	if (!strncmp(url, "https://", 8))
		host = url + 8;
	else if (!strncmp(url, "http://", 7))
		host = url + 7;
	else
		return false;
	if (!*host || *host == '/' || *host == ':' || *host == '?')
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

int outbox_webhook_check(const char *name, const char *url,
			 const char *secret, const char **field,
			 struct buf *err)
{
	size_t n = name ? strlen(name) : 0;
	bool ok = n >= 3 && n <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
	}
	if (!ok) {
		if (field)
			*field = "name";
		buf_setf(err, "Tên: 3-64 ký tự gồm chữ không dấu, số và . _ -");
		return MC_EINVALID;
	}
	if (!url || !url_ok(url)) {
		if (field)
			*field = "url";
		buf_setf(err, "Địa chỉ URL: phải bắt đầu bằng https:// hoặc "
			      "http://, có tên máy, không có khoảng trắng, "
			      "tối đa 2000 ký tự");
		return MC_EINVALID;
	}
	n = secret ? strlen(secret) : 0;
	ok = n >= WEBHOOK_SECRET_MIN && n <= WEBHOOK_SECRET_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)secret[i] > 0x20 &&
		     (unsigned char)secret[i] < 0x7f;
	if (!ok) {
		if (field)
			*field = "secret";
		buf_setf(err, "Khóa bí mật: %d-%d ký tự ASCII in được, không "
			      "có khoảng trắng",
			 WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
		return MC_EINVALID;
	}
	return 0;
}

int outbox_webhook_add(struct db *db, const struct auth_actor *by,
		       const char *name, const char *url, const char *secret,
		       mc_time now, int64_t *id, struct buf *err)
{
	struct db_stmt *st;
	int64_t new_id = 0;
	int rc = outbox_webhook_check(name, url, secret, NULL, err);
	if (rc)
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_prepare_cached(db,
			       "INSERT INTO webhooks (name, url, secret,"
			       " enabled, created_at) VALUES (?, ?, ?, 1, ?)"
			       " RETURNING id",
			       &st, err);
	if (rc)
		goto out;
	db_bind_text(st, 1, name, -1);
	db_bind_text(st, 2, url, -1);
	db_bind_text(st, 3, secret, -1);
	db_bind_int64(st, 4, now);
	rc = db_step(st);
	if (rc == DB_ROW) {
		new_id = db_column_int64(st, 0);
		rc = 0;
	} else if (rc < 0 && db_error_is_unique(db)) {
		buf_setf(err, "Tên: đã có webhook tên này");
		rc = MC_ECONFLICT;
	} else if (rc == DB_DONE) {
		rc = MC_EDB;
	}
	db_done(st);
	if (rc)
		goto out;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)new_id);
	struct audit_entry e;
	audit_simple(&e, by, "webhook.add", "webhook", ids, now);
	json_t *a = json_pack("{s:s, s:s}", "name", name, "url", url);
	e.after = a;
	rc = audit_append(db, &e, NULL, err);
	json_decref(a);
out:
	if (rc) {
		db_rollback(db);
	} else {
		rc = db_commit(db, err);
		if (!rc && id)
			*id = new_id;
	}
	return rc;
}

int outbox_webhook_remove(struct db *db, const struct auth_actor *by,
			  int64_t id, mc_time now, struct buf *err)
{
	struct db_stmt *st;
	char name[128] = "", url[2048] = "";
	int rc = db_begin(db, err);
	if (rc)
		return rc;
	rc = db_prepare_cached(db, "SELECT name, url FROM webhooks WHERE id = ?",
			       &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(name, sizeof name, "%s", db_column_text(st, 0));
		snprintf(url, sizeof url, "%s", db_column_text(st, 1));
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "không có webhook số %lld", (long long)id);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	if (rc)
		goto out;
	rc = db_prepare_cached(db, "DELETE FROM webhooks WHERE id = ?", &st,
			       err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, id);
	rc = step_done(st);
	db_done(st);
	if (rc)
		goto out;
	rc = db_prepare_cached(db,
			       "UPDATE outbox SET status = 'dead', last_error ="
			       " 'webhook removed', locked_until = 0 WHERE"
			       " webhook_id = ? AND status = 'pending'",
			       &st, err);
	if (rc)
		goto out;
	db_bind_int64(st, 1, id);
	rc = step_done(st);
	db_done(st);
	if (rc)
		goto out;
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", (long long)id);
	struct audit_entry e;
	audit_simple(&e, by, "webhook.remove", "webhook", ids, now);
	json_t *b = json_pack("{s:s, s:s}", "name", name, "url", url);
	e.before = b;
	rc = audit_append(db, &e, NULL, err);
	json_decref(b);
out:
	if (rc)
		db_rollback(db);
	else
		rc = db_commit(db, err);
	return rc;
}

int outbox_webhook_find(struct db *db, const char *name, int64_t *id,
			struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare_cached(db, "SELECT id FROM webhooks WHERE name = ?",
				   &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, name, -1);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int64(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		buf_setf(err, "không có webhook tên %s", name);
		rc = MC_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

int outbox_webhook_list(struct db *db, json_t **out, struct buf *err)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
			    "SELECT id, name, url, enabled, created_at FROM"
			    " webhooks ORDER BY name",
			    &st, err);
	if (rc)
		return rc;
	json_t *items = json_array();
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *j = json_object();
		json_object_set_new(j, "id",
				    json_integer(db_column_int64(st, 0)));
		json_object_set_new(j, "name",
				    json_string(db_column_text(st, 1)));
		json_object_set_new(j, "url",
				    json_string(db_column_text(st, 2)));
		json_object_set_new(j, "enabled",
				    json_boolean(db_column_int64(st, 3)));
		json_object_set_new(j, "created_at", iso_or_null(st, 4));
		json_array_append_new(items, j);
	}
	db_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}
