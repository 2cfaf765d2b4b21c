/*
 * lookup_repo.c - the citizen's lookup: second-factor check and the public
 * model of a dossier (read only, from the dossier tables of 0008 and the
 * desks). The texts come from core/dossier_public.c. See lookup_repo.h.
 */
#include "store/lookup_repo.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/dossier.h"
#include "core/dossier_public.h"
#include "core/duration.h"
#include "store/auth_repo.h"
#include "store/dossier_repo.h"
#include "store/rating_repo.h"
#include "util/err.h"
#include "util/xalloc.h"

#define MAX_ITEMS 50

static int db_fail(struct db *db, int rc, struct buf *err)
{
	if (err && !err->len)
		buf_setf(err, "%s", db_errmsg(db));
	return rc < 0 ? rc : MC_EDB;
}

static void sha256_hex(const char *s, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(hex, 65, h, sizeof h);
}

/* A stored hash to compare against when the code is unknown, so the work
 * is the same (its preimage is no dossier's secret). */
static const char dummy_hash[] = "000000000000000000000000000000000000000"
				 "0000000000000000000000000";

/* Whether the factor matches the stored hash, phone and ID number. */
static bool factor_ok(const char *stored, const char *phone, const char *idn,
		      const char *secret, const char *last4)
{
	char want[65];

	if (secret && *secret) {
		sha256_hex(secret, want);
		return strlen(secret) == DOSSIER_SECRET_LEN &&
		       strlen(stored) == 64 &&
		       sodium_memcmp(stored, want, 64) == 0;
	}
	return dossier_public_last4_match(last4, phone, idn);
}

int lookup_verify(struct db *db, const char *code, const char *secret,
		  const char *last4, struct buf *err)
{
	char stored[65];
	char phone[64] = "", idn[64] = "";
	struct db_stmt *st;
	bool found = false, ok = false;
	int rc;

	if (!code || !*code || strlen(code) >= DOSSIER_CODE_MAX)
		goto notfound;
	rc = db_prepare_cached(db,
			       "SELECT secret_hash, applicant_phone, "
			       "applicant_id_number FROM dossiers WHERE code "
			       "= ?",
			       &st, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, code, -1);
	rc = db_step(st);
	snprintf(stored, sizeof stored, "%s", dummy_hash);
	if (rc == DB_ROW) {
		found = true;
		snprintf(stored, sizeof stored, "%s", db_column_text(st, 0));
		snprintf(phone, sizeof phone, "%s", db_column_text(st, 1));
		snprintf(idn, sizeof idn, "%s", db_column_text(st, 2));
	}
	db_done(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(db, rc, err);
	ok = factor_ok(stored, phone, idn, secret, last4);
	sodium_memzero(phone, sizeof phone);
	sodium_memzero(idn, sizeof idn);
	if (found && ok)
		return 0;
notfound:
	buf_setf(err, "Không tìm thấy hồ sơ");
	return MC_ENOTFOUND;
}

/* A string out of the database or our own code: stored text was checked
 * as UTF-8 (NFC) when it was written, so jansson's check is skipped. */
static json_t *jtext(const char *s)
{
	return json_stringn_nocheck(s, strlen(s));
}

static json_t *iso_or_null(mc_time t)
{
	char s[MCTIME_ISO_LEN + 1];
	if (t <= 0)
		return json_null();
	return json_stringn_nocheck(s, mctime_iso(t, s));
}

static json_t *text_or_null(mc_time t)
{
	struct buf b = BUF_INIT;
	json_t *j;

	if (t <= 0)
		return json_null();
	dossier_public_format_time(t, &b);
	j = json_stringn_nocheck(b.ptr, b.len);
	buf_release(&b);
	return j;
}

/* The strings of payload "items" into items[] (borrowed from payload). */
static int payload_items(json_t *payload, const char **items)
{
	json_t *a = json_object_get(payload, "items");
	int n = 0;

	for (size_t i = 0; i < json_array_size(a) && n < MAX_ITEMS; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (s)
			items[n++] = s;
	}
	return n;
}

/* The dossier's row as the lookup needs it. */
struct row {
	int64_t id;
	enum dossier_state state;
	enum dossier_channel channel;
	char procedure_code[32];
	int64_t version_id;
	char dur_code[32];
	int step, n_steps;
	bool apology_used;
	mc_time submitted_at, received_at, due_at, original_due_at;
	mc_time finished_at, closed_at;
};

/* The row and the head of the model; with `check`, the factor first
 * (MC_ENOTFOUND when it does not match, like an unknown code). One
 * statement brings the row with each of its events (columns 24..29, in
 * order): on success *stp is left on the first row for the caller to read
 * the events and db_done(). */
static int load_row(struct db *db, const char *code, bool check,
		    const char *secret, const char *last4,
		    const char *throttle_key, mc_time now, int64_t *wait_s,
		    struct row *r, json_t **head, struct db_stmt **stp,
		    struct buf *err)
{
	struct db_stmt *st;
	struct buf name = BUF_INIT, place = BUF_INIT;
	int rc = db_prepare_cached(
		db,
		"SELECT d.id, d.state, d.channel, d.procedure_code, "
		"d.version_id, d.dur_code, d.step, d.n_steps, d.apology_used, "
		"d.submitted_at, d.received_at, d.due_at, d.original_due_at, "
		"d.finished_at, d.closed_at, d.applicant_name, p.name, k.name, "
		"k.address, k.phone, d.secret_hash, d.applicant_phone, "
		"d.applicant_id_number, (SELECT t.next_allowed_at FROM "
		"login_throttle t WHERE t.throttle_key = ?), e.at, e.action, "
		"e.note, e.payload, e.ev_step, e.ev_new_due FROM dossiers d "
		"LEFT JOIN procedures p ON "
		"p.code = d.procedure_code LEFT JOIN desks k ON k.id = "
		"d.desk_id LEFT JOIN dossier_events e ON e.dossier_id = d.id "
		"WHERE d.code = ? ORDER BY e.seq",
		&st, err);

	*head = NULL;
	if (rc)
		return rc;
	db_bind_text(st, 1, throttle_key, -1);
	db_bind_text(st, 2, code, -1);
	rc = db_step(st);
	if (rc == DB_ROW && throttle_key && db_column_int64(st, 23) > now) {
		/* the address must wait: nothing is checked or shown */
		*wait_s = db_column_int64(st, 23) - now;
		db_done(st);
		return MC_EFORBIDDEN;
	}
	if (check) {
		bool ok = rc == DB_ROW &&
			  factor_ok(db_column_text(st, 20),
				    db_column_text(st, 21),
				    db_column_text(st, 22), secret, last4);
		if (rc == DB_DONE)	/* the same work for an unknown code */
			(void)factor_ok(dummy_hash, "", "", secret, last4);
		if (rc == DB_ROW && !ok)
			rc = DB_DONE;
	}
	if (rc != DB_ROW) {
		db_done(st);
		if (rc == DB_DONE) {
			buf_setf(err, "Không tìm thấy hồ sơ");
			return MC_ENOTFOUND;
		}
		return db_fail(db, rc, err);
	}
	memset(r, 0, sizeof *r);
	r->id = db_column_int64(st, 0);
	dossier_state_parse(db_column_text(st, 1), &r->state, NULL);
	r->channel = DCH_COUNTER;
	dossier_channel_parse(db_column_text(st, 2), &r->channel, NULL);
	snprintf(r->procedure_code, sizeof r->procedure_code, "%s",
		 db_column_text(st, 3));
	r->version_id = db_column_int64(st, 4);
	snprintf(r->dur_code, sizeof r->dur_code, "%s", db_column_text(st, 5));
	r->step = (int)db_column_int64(st, 6);
	r->n_steps = (int)db_column_int64(st, 7);
	r->apology_used = db_column_int64(st, 8) != 0;
	r->submitted_at = db_column_int64(st, 9);
	r->received_at = db_column_int64(st, 10);
	r->due_at = db_column_int64(st, 11);
	r->original_due_at = db_column_int64(st, 12);
	r->finished_at = db_column_int64(st, 13);
	r->closed_at = db_column_int64(st, 14);
	dossier_public_mask_name(db_column_text(st, 15), &name);
	buf_adds(&place, db_column_text(st, 17));
	if (*db_column_text(st, 18)) {
		buf_adds(&place, ", ");
		buf_adds(&place, db_column_text(st, 18));
	}
	{
		json_t *h = json_object(), *o;
		enum dossier_state shown = r->state ? r->state : DS_SUBMITTED;

		json_object_set_new_nocheck(h, "code", jtext(code));
		o = json_object();
		json_object_set_new_nocheck(o, "code",
					    jtext(r->procedure_code));
		json_object_set_new_nocheck(o, "name",
					    jtext(db_column_text(st, 16)));
		json_object_set_new_nocheck(h, "procedure", o);
		o = json_object();
		json_object_set_new_nocheck(o, "name",
					    jtext(db_column_text(st, 17)));
		json_object_set_new_nocheck(o, "address",
					    jtext(db_column_text(st, 18)));
		json_object_set_new_nocheck(o, "phone",
					    jtext(db_column_text(st, 19)));
		json_object_set_new_nocheck(h, "desk", o);
		json_object_set_new_nocheck(h, "applicant_name",
					    jtext(name.ptr));
		json_object_set_new_nocheck(
			h, "channel",
			jtext(dossier_channel_name(r->channel)));
		json_object_set_new_nocheck(
			h, "channel_label",
			jtext(dossier_channel_label(r->channel)));
		json_object_set_new_nocheck(
			h, "state", jtext(dossier_state_name(shown)));
		json_object_set_new_nocheck(
			h, "state_label",
			jtext(dossier_state_label(shown)));
		json_object_set_new_nocheck(
			h, "closed",
			json_boolean(dossier_state_closed(r->state)));
		json_object_set_new_nocheck(h, "place",
					    jtext(place.ptr));
		*head = h;
	}
	*stp = st;	/* on the first event: the caller reads the others */
	buf_release(&name);
	buf_release(&place);
	return 0;
}

/*
 * Plans by (procedure, version, committed time), kept PLAN_TTL seconds:
 * the lookup page reads one on every hit, and an administrator's edit of
 * a plan's step names may show a minute late on public pages (dossiers
 * keep their number of steps; names are only read for display).
 */
#define PLAN_CACHE 64
#define PLAN_TTL 60
static struct {
	char key[96];
	mc_time at;
	struct dossier_plan plan;
} plan_cache[PLAN_CACHE];
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

/* The step names of the dossier's plan, when the plan has its length. */
static bool plan_of(struct db *db, const struct row *r, mc_time now,
		    struct dossier_plan *plan)
{
	struct duration dur;
	struct buf err = BUF_INIT;
	char key[96];
	unsigned h = 5381;
	bool ok = false;
	int slot;

	snprintf(key, sizeof key, "%s|%lld|%s", r->procedure_code,
		 (long long)r->version_id, r->dur_code);
	for (const char *p = key; *p; p++)
		h = h * 33 + (unsigned char)*p;
	slot = (int)(h % PLAN_CACHE);
	pthread_mutex_lock(&plan_lock);
	if (!strcmp(plan_cache[slot].key, key) &&
	    now - plan_cache[slot].at < PLAN_TTL && now >= plan_cache[slot].at) {
		*plan = plan_cache[slot].plan;
		ok = true;
	}
	pthread_mutex_unlock(&plan_lock);
	if (!ok) {
		ok = duration_from_code(r->dur_code, &dur, &err) == 0 &&
		     dossier_plan_get(db, r->procedure_code, r->version_id,
				      &dur, plan, &err) == 0;
		if (ok) {
			pthread_mutex_lock(&plan_lock);
			snprintf(plan_cache[slot].key,
				 sizeof plan_cache[slot].key, "%s", key);
			plan_cache[slot].at = now;
			plan_cache[slot].plan = *plan;
			pthread_mutex_unlock(&plan_lock);
		}
	}
	buf_release(&err);
	return ok && plan->n_steps == r->n_steps;
}

static int build(struct db *db, const char *code, bool check,
		 const char *secret, const char *last4,
		 const char *throttle_key, bool snapshot, mc_time now,
		 int64_t *wait_s, json_t **out, struct buf *err)
{
	struct row r;
	struct dossier_plan plan;
	struct db_stmt *st = NULL;
	json_t *m = NULL, *timeline = json_array(), *missing = json_array();
	json_t *rating = NULL, *last_supp = NULL;
	const char *reason = NULL;
	char *reason_copy = NULL;
	bool have_plan, own_tx;
	int rc;

	*out = NULL;
	/* one snapshot; the caller's read transaction when it has one */
	own_tx = snapshot && !db_in_transaction(db);
	if (own_tx && (rc = db_begin_read(db, err)))
		goto done;
	if ((rc = load_row(db, code, check, secret, last4, throttle_key, now,
			   wait_s, &r, &m, &st, err)))
		goto out;
	have_plan = plan_of(db, &r, now, &plan);
	for (rc = DB_ROW; rc == DB_ROW; rc = db_step(st)) {
		struct dossier_public_event e;
		enum dossier_action a;
		enum dossier_public_kind k;
		const char *items[MAX_ITEMS];
		json_t *payload = NULL;
		struct buf text = BUF_INIT, at = BUF_INIT;
		int step;

		if (dossier_action_parse(db_column_text(st, 25), &a, NULL))
			continue;
		k = dossier_public_kind_of(a);
		if (!dossier_public_kind_visible(k))
			continue;
		memset(&e, 0, sizeof e);
		e.action = a;
		e.at = db_column_int64(st, 24);
		e.note = db_column_text(st, 26);
		if (!db_column_is_null(st, 27))
			payload = json_loads(db_column_text(st, 27), 0, NULL);
		e.n_items = payload_items(payload, items);
		e.items = items;
		e.new_due = db_column_int64(st, 29);
		step = (int)db_column_int64(st, 28);
		if (have_plan && step >= 0 && step < plan.n_steps)
			e.step_name = plan.steps[step].name;
		e.place = json_string_value(json_object_get(m, "place"));
		dossier_public_event_text(&e, &text);
		dossier_public_format_time(e.at, &at);
		{
			/* set one by one: json_pack's format parsing showed
			 * in the profile of this page */
			json_t *ev = json_object();
			json_object_set_new_nocheck(ev, "at", iso_or_null(e.at));
			json_object_set_new_nocheck(ev, "at_text",
						    jtext(at.ptr));
			json_object_set_new_nocheck(
				ev, "kind",
				jtext(dossier_public_kind_name(k)));
			json_object_set_new_nocheck(
				ev, "title",
				jtext(dossier_public_kind_title(k)));
			json_object_set_new_nocheck(ev, "text",
						    jtext(text.ptr));
			json_array_append_new(timeline, ev);
		}
		if (k == DPK_SUPPLEMENT) {
			json_decref(last_supp);
			last_supp = json_incref(payload);
		}
		if (k == DPK_REFUSED || k == DPK_STOPPED) {
			free(reason_copy);
			reason_copy = xstrdup(e.note);
		}
		json_decref(payload);
		buf_release(&text);
		buf_release(&at);
	}
	db_done(st);
	if (rc != DB_DONE) {
		rc = db_fail(db, rc, err);
		goto out;
	}
	reason = reason_copy && *reason_copy ? reason_copy : NULL;

	/* where it stands */
	{
		struct dossier_public_status s;
		const char *items[MAX_ITEMS];
		struct buf text = BUF_INIT;

		memset(&s, 0, sizeof s);
		s.state = r.state;
		s.now = now;
		s.due_at = r.due_at;
		s.original_due_at = r.original_due_at;
		s.apology_used = r.apology_used;
		s.finished_at = r.finished_at;
		s.closed_at = r.closed_at;
		if (have_plan && r.step >= 0 && r.step < plan.n_steps &&
		    !dossier_state_closed(r.state))
			s.step_name = plan.steps[r.step].name;
		s.place = json_string_value(json_object_get(m, "place"));
		if (r.state == DS_SUPPLEMENT_REQUESTED && last_supp) {
			s.n_missing = payload_items(last_supp, items);
			s.missing = items;
			for (int i = 0; i < s.n_missing; i++)
				json_array_append_new(missing,
						      jtext(items[i]));
		}
		s.reason = reason;
		s.before_acceptance = r.received_at <= 0;
		dossier_public_status_text(&s, &text);
		json_object_set_new_nocheck(m, "status_text", jtext(text.ptr));
		buf_release(&text);
	}
	json_object_set_new_nocheck(m, "submitted_at", iso_or_null(r.submitted_at));
	json_object_set_new_nocheck(m, "received_at", iso_or_null(r.received_at));
	json_object_set_new_nocheck(m, "due_at", iso_or_null(r.due_at));
	json_object_set_new_nocheck(m, "due_text", text_or_null(r.due_at));
	json_object_set_new_nocheck(m, "finished_at", iso_or_null(r.finished_at));
	json_object_set_new_nocheck(m, "closed_at", iso_or_null(r.closed_at));
	json_object_set_new_nocheck(m, "apology",
			    r.apology_used
				    ? json_pack("{s:o, s:o}", "new_due",
						iso_or_null(r.due_at),
						"new_due_text",
						text_or_null(r.due_at))
				    : json_null());
	json_object_set_new_nocheck(m, "missing", missing);
	missing = NULL;
	json_object_set_new_nocheck(m, "result_ready",
			    json_boolean(r.state == DS_RESULT_READY));
	json_object_set_new_nocheck(m, "reason",
			    reason ? jtext(reason) : json_null());
	json_object_set_new_nocheck(m, "timeline", timeline);
	timeline = NULL;
	/* a rating exists only in the states that allow one */
	rc = dossier_public_can_rate(r.state)
		     ? rating_get(db, code, &rating, err)
		     : MC_ENOTFOUND;
	if (rc && rc != MC_ENOTFOUND)
		goto out;
	buf_reset(err);
	json_object_set_new_nocheck(m, "can_rate",
			    json_boolean(!rating &&
					 dossier_public_can_rate(r.state)));
	json_object_set_new_nocheck(m, "rating", rating ? rating : json_null());
	rc = 0;
	*out = m;
	m = NULL;
out:
	if (own_tx)
		db_rollback(db);
done:
	json_decref(m);
	json_decref(timeline);
	json_decref(missing);
	json_decref(last_supp);
	free(reason_copy);
	return rc;
}

int lookup_model(struct db *db, const char *code, mc_time now, json_t **out,
		 struct buf *err)
{
	int64_t wait = 0;

	return build(db, code, false, NULL, NULL, NULL, true, now, &wait, out,
		     err);
}

int lookup_open(struct db *db, const char *code, const char *secret,
		const char *last4, const char *throttle_key, mc_time now,
		int64_t *wait_s, json_t **out, struct buf *err)
{
	int rc;

	*out = NULL;
	*wait_s = 0;
	if (!code || !*code || strlen(code) >= DOSSIER_CODE_MAX)
		rc = MC_ENOTFOUND;
	else
		rc = build(db, code, true, secret, last4, throttle_key, false,
			   now, wait_s, out, err);
	/* an unknown code has no row to carry the throttle: read it alone */
	if (rc == MC_ENOTFOUND && throttle_key) {
		int64_t w = 0;
		int trc = auth_throttle_check(db, throttle_key, now, &w, err);
		if (trc)
			return trc;
		if (w > 0) {
			*wait_s = w;
			return MC_EFORBIDDEN;
		}
		buf_setf(err, "Không tìm thấy hồ sơ");
	}
	return rc;
}
