/*
 * cmd_token.c - `motcua token`: API tokens of integrations. `create`
 * prints the token once on stdout (only its SHA-256 is stored), `list`
 * shows names, grants and use without secrets, `revoke` ends one. Audited
 * as "system".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli/cmd.h"
#include "cli/cmd_auth.h"
#include "store/auth_repo.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"

#define TOKEN_USAGE                                                    \
	"motcua token create NAME --role ROLE --unit CODE\n"           \
	"       motcua token list [--json]\n"                          \
	"       motcua token revoke NAME"

static void print_tokens(json_t *list, bool as_json)
{
	if (as_json) {
		char *s = json_text(list, JSON_INDENT(2));
		puts(s);
		free(s);
		return;
	}
	size_t i;
	json_t *t;
	printf("%-24s %-8s %-12s %-8s %s\n", "NAME", "STATE", "ROLE", "UNIT",
	       "LAST USED");
	json_array_foreach(json_object_get(list, "items"), i, t)
	{
		const char *used =
			json_string_value(json_object_get(t, "last_used_at"));
		printf("%-24s %-8s %-12s %-8s %s\n",
		       json_string_value(json_object_get(t, "name")),
		       json_is_true(json_object_get(t, "revoked")) ? "revoked"
								   : "active",
		       json_string_value(json_object_get(t, "role")),
		       json_string_value(json_object_get(t, "unit")),
		       used ? used : "-");
	}
}

int cmd_token(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (sqlite:PATH or postgresql://...)" },
		{ .name = "role", .help = "role name (create)" },
		{ .name = "unit", .help = "unit code or VN (create)" },
		{ .name = "json", .is_flag = true, .help = "list as JSON" },
		{ 0 },
	};
	const char *pos[argc > 0 ? argc : 1];
	int n_pos = 0, status = 2, rc = 0;
	bool help = false;
	struct buf err = BUF_INIT;
	struct db *db = NULL;
	enum role role = ROLE_VIEWER;
	char token[AUTH_TOKEN_BUF] = "";
	mc_time now = (mc_time)time(NULL);

	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "token: %s\n", err.ptr);
		goto out;
	}
	if (help) {
		opt_usage(TOKEN_USAGE, opts);
		status = 0;
		goto out;
	}
	const char *sub = n_pos > 0 ? pos[0] : "";
	bool is_list = !strcmp(sub, "list");
	if (!(is_list && n_pos == 1) &&
	    !((!strcmp(sub, "create") || !strcmp(sub, "revoke")) &&
	      n_pos == 2)) {
		fprintf(stderr, "usage: %s\n", TOKEN_USAGE);
		goto out;
	}
	if (!strcmp(sub, "create") &&
	    cli_role_unit(opts[1].value, opts[2].value, &role, &err) < 0) {
		fprintf(stderr, "token create: %s\n", err.ptr);
		goto out;
	}
	status = 1;
	if ((rc = cli_auth_open(opts[0].value ? opts[0].value : MC_DEFAULT_DB,
				&db, &err)) < 0)
		goto fail;
	if (!strcmp(sub, "create")) {
		rc = auth_token_create(db, &cli_actor, pos[1], role,
				       opts[2].value, now, token, &err);
		if (!rc) {
			/* The only time the token is shown. */
			printf("%s\n", token);
			fprintf(stderr,
				"token %s created (%s on %s); it is shown "
				"once: keep it now\n",
				pos[1], authz_role_name(role), opts[2].value);
		}
	} else if (!strcmp(sub, "revoke")) {
		rc = auth_token_revoke(db, &cli_actor, pos[1], now, &err);
		if (!rc)
			printf("token %s revoked\n", pos[1]);
	} else {
		json_t *list = NULL;
		if ((rc = auth_token_list(db, &list, &err)) == 0)
			print_tokens(list, opts[3].set);
		json_decref(list);
	}
	if (rc < 0)
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "token: %s\n", err.len ? err.ptr : mc_strerror(rc));
out:
	sodium_memzero(token, sizeof(token));
	db_close(db);
	opt_release(opts);
	buf_release(&err);
	return status;
}
