/*
 * cmd_dossier.c - `motcua dossier replay CODE` (rebuild the row from its
 * events and compare: exit 0 when equal, 1 naming the differing fields)
 * and `motcua dossier show CODE [--json]`; `motcua vietqr` prints a VietQR
 * payload for administrators checking their bank settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/vietqr.h"
#include "store/db.h"
#include "store/dossier_repo.h"
#include "store/migrate.h"
#include "util/json.h"
#include "util/opt.h"
#include "util/xalloc.h"

#define DOSSIER_USAGE "motcua dossier replay|show CODE [--db URL] [--json]"
#define VIETQR_USAGE                                                        \
	"motcua vietqr --bin BIN --account ACC [--amount N] [--info TEXT]"

int cmd_dossier(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (default " MC_DEFAULT_DB ")" },
		{ .name = "json", .is_flag = true, .help = "print JSON (show)" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT, diff = BUF_INIT;
	struct db *db = NULL;
	json_t *m = NULL;
	bool help = false, equal = false;
	int n_pos = 0, status = 2;
	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "motcua dossier: %s\nusage: %s\n", err.ptr,
			DOSSIER_USAGE);
		goto out;
	}
	if (help) {
		opt_usage(DOSSIER_USAGE, opts);
		status = 0;
		goto out;
	}
	if (n_pos != 2 || (strcmp(pos[0], "replay") && strcmp(pos[0], "show"))) {
		fprintf(stderr, "usage: %s\n", DOSSIER_USAGE);
		goto out;
	}
	status = 1;
	if (db_open(opts[0].value ? opts[0].value : MC_DEFAULT_DB, &db, &err)) {
		fprintf(stderr, "motcua dossier: %s\n", err.ptr);
		goto out;
	}
	if (!strcmp(pos[0], "replay")) {
		if (dossier_replay(db, pos[1], NULL, &equal, &diff, &err)) {
			fprintf(stderr, "motcua dossier replay: %s\n", err.ptr);
			goto out;
		}
		if (equal) {
			printf("%s: the stored row equals the rebuilt one\n",
			       pos[1]);
			status = 0;
		} else {
			printf("%s: differs from its events: %s\n", pos[1],
			       diff.ptr);
		}
		goto out;
	}
	if (dossier_get(db, pos[1], DOSSIER_WITH_EVENTS, 0, NULL, &m, &err)) {
		fprintf(stderr, "motcua dossier show: %s\n", err.ptr);
		goto out;
	}
	if (opts[1].set) {
		char *s = json_text(m, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0);
		puts(s);
		free(s);
	} else {
		json_t *ev;
		size_t i;
		printf("%s  %s\n", json_string_value(json_object_get(m, "code")),
		       json_string_value(json_object_get(m, "state_label")));
		printf("  received %s, due %s (version %lld)\n",
		       json_string_value(json_object_get(m, "received_at")),
		       json_string_value(json_object_get(m, "due_at")),
		       (long long)json_integer_value(json_object_get(m, "version")));
		json_array_foreach(json_object_get(m, "events"), i, ev)
			printf("  %lld %s %s %s -> %s %s\n",
			       (long long)json_integer_value(json_object_get(ev, "seq")),
			       json_string_value(json_object_get(ev, "at")),
			       json_string_value(json_object_get(ev, "action")),
			       json_string_value(json_object_get(ev, "from_state")),
			       json_string_value(json_object_get(ev, "to_state")),
			       json_string_value(json_object_get(ev, "actor")));
	}
	status = 0;
out:
	json_decref(m);
	if (db)
		db_close(db);
	opt_release(opts);
	free(pos);
	buf_release(&err);
	buf_release(&diff);
	return status;
}

int cmd_vietqr(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "bin", .help = "bank BIN (6 digits)" },
		{ .name = "account", .help = "account number" },
		{ .name = "amount", .help = "amount in đồng (optional)" },
		{ .name = "info", .help = "transfer note, e.g. the dossier code" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT, out = BUF_INIT;
	bool help = false;
	int n_pos = 0, status = 2;
	struct vietqr_req r = { 0 };
	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err) || n_pos) {
		fprintf(stderr, "motcua vietqr: %s\nusage: %s\n",
			err.len ? err.ptr : "unexpected argument", VIETQR_USAGE);
		goto out;
	}
	if (help) {
		opt_usage(VIETQR_USAGE, opts);
		status = 0;
		goto out;
	}
	r.bin = opts[0].value;
	r.account = opts[1].value;
	r.purpose = opts[3].value;
	if (opts[2].value) {
		char *end;
		long long v = strtoll(opts[2].value, &end, 10);
		if (*end || end == opts[2].value || v < 0) {
			fprintf(stderr, "motcua vietqr: --amount: a whole number "
					"of đồng\n");
			goto out;
		}
		r.amount = v;
	}
	status = 1;
	if (vietqr_payload(&r, &out, &err)) {
		fprintf(stderr, "motcua vietqr: %s\n", err.ptr);
		goto out;
	}
	puts(out.ptr);
	status = 0;
out:
	opt_release(opts);
	free(pos);
	buf_release(&err);
	buf_release(&out);
	return status;
}
