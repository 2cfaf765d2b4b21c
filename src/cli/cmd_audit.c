/*
 * cmd_audit.c - `motcua audit verify | anchor | list`: checks the audit
 * trail's hash chain (exit 1 naming the first entry altered, deleted or
 * inserted), prints the head for the inspector to keep elsewhere, and
 * lists entries at the terminal for administrators. Reads only: nothing
 * here writes to the trail (docs/audit.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/mctime.h"
#include "store/audit.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"
#include "util/xalloc.h"

#define AUDIT_USAGE                                                        \
	"motcua audit verify [--db URL] [--json] [--anchor ID:HASH]\n"     \
	"       motcua audit anchor [--db URL] [--json]\n"                 \
	"       motcua audit list [--db URL] [--json] [--actor NAME] "     \
	"[--unit CODE]\n"                                                  \
	"                  [--object-type T] [--object-id ID] "            \
	"[--action PREFIX]\n"                                              \
	"                  [--from DATE] [--to DATE] [--page N] "          \
	"[--per-page N]"

#define DB_HELP "database URL (sqlite:PATH or postgresql://...)"

static int print_json(json_t *j)
{
	char *s = json_text(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

/*
 * Parses options; returns -1 to go on, else the exit status (0 after
 * --help, 2 on a usage error).
 */
static int parse(struct opt *opts, int argc, char **argv, const char **pos,
		 int *n_pos)
{
	struct buf err = BUF_INIT;
	bool help;
	int rc = -1;
	if (opt_parse(opts, argc, argv, pos, n_pos, &help, &err)) {
		fprintf(stderr, "motcua audit: %s\nusage: %s\n", err.ptr,
			AUDIT_USAGE);
		rc = 2;
	} else if (help) {
		opt_usage(AUDIT_USAGE, opts);
		rc = 0;
	} else if (*n_pos) {
		fprintf(stderr, "motcua audit: unexpected '%s'\nusage: %s\n",
			pos[0], AUDIT_USAGE);
		rc = 2;
	}
	buf_release(&err);
	return rc;
}

static int open_db(const char *url, struct db **db)
{
	struct buf err = BUF_INIT;
	int rc = db_open(url ? url : MC_DEFAULT_DB, db, &err);
	if (rc)
		fprintf(stderr, "motcua audit: %s\n", err.ptr);
	buf_release(&err);
	return rc;
}

/* "ID:HASH" -> id, hash (points into s). */
static int parse_anchor(const char *s, int64_t *id, const char **hash)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end != ':' || v < 1)
		return MC_EINVALID;
	*id = v;
	*hash = end + 1;
	return 0;
}

/* ---- verify ------------------------------------------------------------- */

static int sub_verify(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ .name = "anchor",
		  .help = "ID:HASH from `motcua audit anchor`: also check that "
			  "the trail still holds that entry unchanged" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	struct audit_verify_result r, ra = { 0 };
	int64_t anchor_id = 0;
	const char *anchor_hash = NULL;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos);
	if (status >= 0)
		goto out;
	status = 2;
	if (opts[2].value &&
	    parse_anchor(opts[2].value, &anchor_id, &anchor_hash)) {
		fprintf(stderr, "motcua audit: --anchor wants ID:HASH as "
				"`motcua audit anchor` prints it\n");
		goto out;
	}
	status = 1;
	if (open_db(opts[0].value, &db))
		goto out;
	if (audit_verify(db, &r, &err)) {
		fprintf(stderr, "motcua audit: %s\n", err.ptr);
		goto out;
	}
	if (!r.first_bad_id && anchor_hash) {
		int rc = audit_check_anchor(db, anchor_id, anchor_hash, &ra, &err);
		if (rc) {
			fprintf(stderr, "motcua audit: %s\n", err.ptr);
			status = rc == MC_EINVALID ? 2 : 1;
			goto out;
		}
	}
	const struct audit_verify_result *bad = r.first_bad_id ? &r
					       : ra.first_bad_id ? &ra : NULL;
	if (opts[1].set) {
		json_t *j = json_pack("{s:b, s:I}", "ok", !bad, "checked",
				      (json_int_t)r.n_checked);
		if (bad) {
			json_object_set_new(j, "first_bad_id",
					    json_integer(bad->first_bad_id));
			json_object_set_new(j, "reason",
					    json_string(bad->reason));
		}
		if (anchor_hash)
			json_object_set_new(j, "anchor",
					    json_pack("{s:I, s:s, s:b}", "id",
						      (json_int_t)anchor_id,
						      "hash", anchor_hash,
						      "ok", !ra.first_bad_id &&
							    !r.first_bad_id));
		print_json(j);
	} else if (bad) {
		printf("audit: %s\n", bad->reason);
	} else {
		printf("audit: %" PRId64 " entries, chain intact%s\n",
		       r.n_checked, anchor_hash ? ", anchor found" : "");
	}
	status = bad ? 1 : 0;
out:
	if (db)
		db_close(db);
	opt_release(opts);
	buf_release(&err);
	free(pos);
	return status;
}

/* ---- anchor ------------------------------------------------------------- */

static int sub_anchor(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		{ .name = "json", .is_flag = true, .help = "print JSON" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	struct audit_head h;
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos);
	if (status >= 0)
		goto out;
	status = 1;
	if (open_db(opts[0].value, &db))
		goto out;
	if (audit_head(db, &h, &err)) {
		fprintf(stderr, "motcua audit: %s\n", err.ptr);
		goto out;
	}
	if (!h.id) {
		fprintf(stderr, "motcua audit: the trail is empty\n");
		goto out;
	}
	if (opts[1].set)
		print_json(json_pack("{s:I, s:s}", "id", (json_int_t)h.id,
				     "hash", h.hash));
	else
		printf("%" PRId64 ":%s\n", h.id, h.hash);
	status = 0;
out:
	if (db)
		db_close(db);
	opt_release(opts);
	buf_release(&err);
	free(pos);
	return status;
}

/* ---- list --------------------------------------------------------------- */

/* A local date or date-time; a bare date as --to means the whole day. */
static int parse_when(const char *name, const char *s, bool end, mc_time *t)
{
	struct buf err = BUF_INIT;
	int rc = mctime_parse(s, t, &err);
	if (rc)
		fprintf(stderr, "motcua audit: --%s: %s\n", name, err.ptr);
	else if (end && strlen(s) == 10)
		*t += MC_DAY_SECONDS;
	buf_release(&err);
	return rc;
}

static int parse_int(const char *name, const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s) {
		*out = 0;
		return 0;
	}
	if (errno || end == s || *end || v < 1 || v > 1000000) {
		fprintf(stderr, "motcua audit: --%s: a number from 1\n", name);
		return MC_EINVALID;
	}
	*out = (int)v;
	return 0;
}

static const char *str_or(json_t *item, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(item, key));
	return s ? s : dflt;
}

static void print_item(json_t *it)
{
	struct buf when = BUF_INIT, obj = BUF_INIT;
	mctime_format_local(json_integer_value(json_object_get(it, "at_utc")),
			    &when);
	buf_adds(&obj, str_or(it, "object_type", "-"));
	if (json_is_string(json_object_get(it, "object_id")))
		buf_addf(&obj, ":%s", str_or(it, "object_id", ""));
	printf("%8" JSON_INTEGER_FORMAT "  %s  %-16s %-20s %-24s %-6s %s\n",
	       json_integer_value(json_object_get(it, "id")), when.ptr,
	       str_or(it, "actor", ""), str_or(it, "action", ""), obj.ptr,
	       str_or(it, "unit_code", "-"), str_or(it, "client", "-"));
	static const char *const sides[] = { "before", "after" };
	for (int i = 0; i < 2; i++) {
		json_t *v = json_object_get(it, sides[i]);
		if (!v || json_is_null(v))
			continue;
		char *s = json_text(v, JSON_COMPACT | JSON_SORT_KEYS |
						JSON_ENCODE_ANY);
		printf("          %-6s %s\n", sides[i], s ? s : "?");
		free(s);
	}
	buf_release(&when);
	buf_release(&obj);
}

static int sub_list(int argc, char **argv)
{
	enum { O_DB, O_JSON, O_ACTOR, O_UNIT, O_OTYPE, O_OID, O_ACTION,
	       O_FROM, O_TO, O_PAGE, O_PER };
	struct opt opts[] = {
		[O_DB] = { .name = "db", .env = "MOTCUA_DB", .help = DB_HELP },
		[O_JSON] = { .name = "json", .is_flag = true, .help = "print JSON" },
		[O_ACTOR] = { .name = "actor", .help = "username (exact)" },
		[O_UNIT] = { .name = "unit", .help = "unit code; a province includes its communes" },
		[O_OTYPE] = { .name = "object-type", .help = "user, desk, dossier ..." },
		[O_OID] = { .name = "object-id", .help = "the object's key" },
		[O_ACTION] = { .name = "action", .help = "action or its prefix: login. user. ..." },
		[O_FROM] = { .name = "from", .help = "from this local date or time (UTC+7)" },
		[O_TO] = { .name = "to", .help = "until this local date (whole day) or time" },
		[O_PAGE] = { .name = "page", .help = "page from 1 (newest first)" },
		[O_PER] = { .name = "per-page", .help = "entries per page, 1-200 (default 50)" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	json_t *out = NULL;
	struct audit_filter f = { 0 };
	int n_pos, status = parse(opts, argc, argv, pos, &n_pos);
	if (status >= 0)
		goto out;
	status = 2;
	f.actor = opts[O_ACTOR].value;
	f.unit_code = opts[O_UNIT].value;
	f.object_type = opts[O_OTYPE].value;
	f.object_id = opts[O_OID].value;
	f.action_prefix = opts[O_ACTION].value;
	if ((opts[O_FROM].value &&
	     parse_when("from", opts[O_FROM].value, false, &f.from)) ||
	    (opts[O_TO].value &&
	     parse_when("to", opts[O_TO].value, true, &f.to)) ||
	    parse_int("page", opts[O_PAGE].value, &f.page) ||
	    parse_int("per-page", opts[O_PER].value, &f.per_page))
		goto out;
	status = 1;
	if (open_db(opts[O_DB].value, &db))
		goto out;
	int rc = audit_search(db, &f, &out, &err);
	if (rc) {
		fprintf(stderr, "motcua audit: %s\n", err.ptr);
		status = rc == MC_EINVALID ? 2 : 1;
		goto out;
	}
	if (opts[O_JSON].set) {
		print_json(out);
		out = NULL;
	} else {
		json_t *items = json_object_get(out, "items"), *it;
		size_t i;
		json_array_foreach(items, i, it)
			print_item(it);
		printf("-- %zu of %" JSON_INTEGER_FORMAT " entries, page %"
		       JSON_INTEGER_FORMAT " (newest first)\n",
		       json_array_size(items),
		       json_integer_value(json_object_get(out, "total")),
		       json_integer_value(json_object_get(out, "page")));
	}
	status = 0;
out:
	json_decref(out);
	if (db)
		db_close(db);
	opt_release(opts);
	buf_release(&err);
	free(pos);
	return status;
}

int cmd_audit(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{ "verify", sub_verify },
		{ "anchor", sub_anchor },
		{ "list", sub_list },
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s\n", AUDIT_USAGE);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "motcua audit: unknown subcommand '%s'\nusage: %s\n",
		argv[1], AUDIT_USAGE);
	return 2;
}
