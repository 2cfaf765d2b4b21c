/*
 * bench_dossier.c - bulk speed of store/dossier_repo: N dossiers, each
 * created at the counter (2 components) and walked through forward,
 * forward, record_result, return (every 8th also request_supplement +
 * receive_supplement), B dossiers per outer transaction, through the
 * real repository (events, derived rows, counters, audit entries).
 *
 * usage: bench_dossier DB_URL [N] [B] [MODE]
 *   MODE "single": dossier_create + dossier_act one call at a time;
 *   MODE "bulk" (default): dossier_bulk_create/act in the batch's
 *   transaction (one handle for the run).
 * Prints dossiers/s and events/s, wall and CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/officehours.h"
#include "store/db.h"
#include "store/demo.h"
#include "store/dossier_repo.h"
#include "store/migrate.h"
#include "util/err.h"

static const char *const seed_sql[] = {
	"INSERT INTO units (era, code, name, full_name, type, parent_code,"
	" level, name_key) VALUES ('2025', '24', 'Bắc Ninh', 'Tỉnh Bắc Ninh',"
	" 'Tỉnh', NULL, 1, 'bac ninh'), ('2025', '10000', 'A', 'Xã A', 'Xã',"
	" '24', 3, 'a')",
	"INSERT INTO procedures (code, name, name_key, field, levels,"
	" commune_level, commune_list_2026, commune_desk, issuing_body,"
	" decision_no, procedure_type, implementing_agency,"
	" competent_authority, target, receiving_address, online_submission,"
	" processing_time_text, fee_text, dossier_items, legal_basis, steps,"
	" conditions, results, related_procedures, dossier_note, source_url,"
	" detail_status) VALUES ('P1', 'Đăng ký X', 'dang ky x', 'Hộ tịch',"
	" 'Cấp xã', 1, 1, 1, '', '', '', '', '', '', '', 1, '', '', 1, '', '',"
	" '', '[]', '', '', '', 'ok')",
	"INSERT INTO procedure_channels (code, seq, channel, origin, time_text,"
	" dur_unit, dur_amount, fee_text, fee_dong, note) VALUES ('P1', 1,"
	" 'truc_tiep', 'detail', '3 ngày làm việc', 'working_days', 3,"
	" '50.000 đồng', 50000, '')",
	"INSERT INTO desks (unit_code, name, agency_code) VALUES ('10000',"
	" 'Một cửa Xã A', 'H24.99')",
};

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, struct buf *err)
{
	fprintf(stderr, "bench_dossier: %s: %s\n", what, err->ptr);
	exit(1);
}

/* The walk after creation, by index of the dossier. */
static int walk_of(int i, enum dossier_action *w)
{
	int n = 0;
	w[n++] = DA_FORWARD;
	if (i % 8 == 7) {
		w[n++] = DA_REQUEST_SUPPLEMENT;
		w[n++] = DA_RECEIVE_SUPPLEMENT;
	}
	w[n++] = DA_FORWARD;
	w[n++] = DA_RECORD_RESULT;
	w[n++] = DA_RETURN;
	return n;
}

static void act_in_of(enum dossier_action a, int64_t version,
		      struct dossier_act_in *in)
{
	static const char *const items[] = { "Bản sao giấy khai sinh" };
	memset(in, 0, sizeof *in);
	in->action = a;
	in->expected_version = version;
	if (a == DA_REQUEST_SUPPLEMENT) {
		in->n_items = 1;
		in->items = items;
		in->note = "Đề nghị bổ sung hồ sơ (Mẫu 02).";
	} else if (a == DA_RECORD_RESULT) {
		in->result_number = "12/QĐ-UBND";
		in->result_date = "2026-03-05";
	} else if (a == DA_RETURN) {
		in->collected_by = "Người nộp hồ sơ";
		in->identity_checked = "Căn cước";
	}
}

int main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct calendar cal;
	struct officehours oh;
	struct deadline dl;
	struct dossier_terms terms;
	struct dossier_settings settings;
	struct db *db;
	const char *url = argc > 1 ? argv[1] : "sqlite:/tmp/bench_dossier.db";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	long batch = argc > 3 ? strtol(argv[3], NULL, 10) : 400;
	const char *mode = argc > 4 ? argv[4] : "bulk";
	bool bulk = strcmp(mode, "single") != 0;
	static const struct auth_actor actor = { 3, "mai.motcua", NULL };
	struct dossier_component_in comps[2] = {
		{ 1, "Tờ khai", DCM_ORIGINAL, 1, 0, 0, NULL },
		{ 2, "Bản sao giấy tờ tùy thân", DCM_COPY, 0, 0, 1, NULL },
	};
	long events = 0;
	mc_time base;

	calendar_init(&cal, 2025, 2031);
	if (calendar_finish(&cal, &err))
		die("calendar", &err);
	officehours_default(&oh);
	if (deadline_init(&dl, &cal, &oh, NULL, &err))
		die("deadline", &err);
	if (db_open(url, &db, &err) || migrate_run(db, NULL, &err) ||
	    demo_tune(db, 256, &err))
		die("open", &err);
	for (size_t k = 0; k < sizeof seed_sql / sizeof *seed_sql; k++)
		if (db_exec(db, seed_sql[k], &err))
			die("seed (use a new database)", &err);
	dossier_settings_default(&settings);
	if (dossier_terms_get(db, "P1", "10000", DCH_COUNTER, 0, &terms, &err))
		die("terms", &err);
	if (mctime_parse("2026-01-05 08:00", &base, &err))
		die("time", &err);

	double w0 = wall(), c0 = cpu();
	struct dossier_bulk *bk = NULL;
	if (bulk)
		dossier_bulk_new(db, &settings, &bk);
	for (long i = 0; i < n; i += batch) {
		if (db_begin(db, &err))
			die("begin", &err);
		for (long j = i; j < i + batch && j < n; j++) {
			struct dossier_create_in in;
			struct dossier_created cr;
			struct dossier_act_in ai;
			struct dossier_act_out ao;
			enum dossier_action w[8];
			mc_time at = base + (mc_time)j * 4;
			int nw = walk_of((int)j, w), rc;
			memset(&in, 0, sizeof in);
			in.action = DA_RECEIVE;
			in.procedure_code = "P1";
			in.desk_id = 1;
			in.channel = DCH_COUNTER;
			in.request = "Đăng ký X";
			in.applicant.name = "Nguyễn Thị Lan";
			in.applicant.id_number = "024190001234";
			in.applicant.phone = "0912345678";
			in.applicant.address_unit = "10000";
			in.applicant.address_street = "Số 12 đường Lê Lợi";
			in.n_components = 2;
			in.components = comps;
			in.terms = &terms;
			rc = bulk ? dossier_bulk_create(bk, &in, NULL, &dl, at,
							&actor, &cr, &err)
				  : dossier_create(db, &in, NULL, &dl, &settings,
						   at, &actor, &cr, &err);
			if (rc)
				die("create", &err);
			events++;
			for (int k = 0; k < nw; k++) {
				act_in_of(w[k], cr.version + k, &ai);
				at += k < 2 ? 600 : 86400;
				rc = bulk ? dossier_bulk_act(bk, cr.code, &ai, &dl,
							     at, &actor, &ao,
							     &err)
					  : dossier_act(db, cr.code, &ai, &dl,
							&settings, NULL, at,
							&actor, &ao, &err);
				if (rc)
					die(dossier_action_name(w[k]), &err);
				events++;
			}
		}
		if (db_commit(db, &err))
			die("commit", &err);
	}
	double w1 = wall(), c1 = cpu();
	if (bulk) {
		uint64_t hits, misses;
		dossier_bulk_stats(bk, &hits, &misses);
		printf("row cache: %llu hits, %llu misses\n",
		       (unsigned long long)hits, (unsigned long long)misses);
		dossier_bulk_free(bk);
	}
	printf("mode %s  dossiers %ld  events %ld  batch %ld\n", mode, n,
	       events, batch);
	printf("wall %.2f s  cpu %.2f s\n", w1 - w0, c1 - c0);
	printf("dossiers_per_s %.0f  (per cpu s %.0f)\n", (double)n / (w1 - w0),
	       (double)n / (c1 - c0));
	printf("events_per_s %.0f\n", (double)events / (w1 - w0));
	db_close(db);
	deadline_release(&dl);
	calendar_release(&cal);
	buf_release(&err);
	return 0;
}
