/*
 * cmd_user.c - `motcua user`: accounts from the command line (the first
 * administrator is made here): add, passwd, disable, enable, grant,
 * ungrant, revoke-sessions, list. Passwords are read from the terminal
 * without echo (asked twice), or as the first line of stdin when it is not
 * a terminal; never from a flag, never a default. Changes are audited as
 * "system". Also the shared helpers of cmd_token.c (cli/cmd_auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cmd.h"
#include "cli/cmd_auth.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"

#define USER_USAGE                                                          \
	"motcua user add USERNAME --role ROLE --unit CODE [--name \"Full "  \
	"Name\"]\n"                                                         \
	"       motcua user passwd USERNAME\n"                              \
	"       motcua user disable|enable USERNAME\n"                      \
	"       motcua user grant|ungrant USERNAME --role ROLE --unit CODE\n" \
	"       motcua user revoke-sessions USERNAME\n"                     \
	"       motcua user list [--json]\n"                                \
	"roles: admin unit_admin receiver specialist leader inspector "     \
	"viewer; CODE: a unit of the 2025 list, or VN (whole country)"

const struct auth_actor cli_actor = { 0, "system", NULL };

int cli_auth_open(const char *url, struct db **out, struct buf *err)
{
	int version = 0, rc;
	if ((rc = db_open(url, out, err)) < 0)
		return rc;
	if ((rc = migrate_version(*out, &version, err)) < 0 || version < 3) {
		if (!rc) {
			buf_setf(err, "the database is not initialised (or "
				      "older than this binary): run "
				      "'motcua init' first");
			rc = MC_EINVALID;
		}
		db_close(*out);
		*out = NULL;
	}
	return rc;
}

int cli_role_unit(const char *role_s, const char *unit, enum role *role,
		  struct buf *err)
{
	if (!role_s || authz_role_parse(role_s, role) < 0) {
		buf_setf(err, "--role: one of admin, unit_admin, receiver, "
			      "specialist, leader, inspector, viewer");
		return MC_EINVALID;
	}
	if (!unit || !*unit) {
		buf_setf(err, "--unit: a unit code of the 2025 list, or VN");
		return MC_EINVALID;
	}
	return 0;
}

/* Reads one line from fp into out without the newline. */
static int read_line(FILE *fp, struct buf *out)
{
	int c;
	buf_reset(out);
	while ((c = fgetc(fp)) != EOF && c != '\n')
		buf_addch(out, c);
	if (out->len && out->ptr[out->len - 1] == '\r')
		buf_truncate(out, out->len - 1);
	return c == EOF && !out->len ? MC_EIO : 0;
}

/* Prompts on stderr and reads a line from the terminal without echo. */
static int ask_hidden(const char *prompt, struct buf *out)
{
	struct termios old, quiet;
	int rc;
	fputs(prompt, stderr);
	fflush(stderr);
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	rc = read_line(stdin, out);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

int cli_read_password(const char *username, struct buf *out, struct buf *err)
{
	struct buf again = BUF_INIT;
	int rc;
	if (!isatty(STDIN_FILENO)) {
		if ((rc = read_line(stdin, out)) < 0)
			buf_setf(err, "no password on stdin (first line)");
		return rc;
	}
	fprintf(stderr,
		"Password for %s (at least %d characters, not a common one, "
		"without the username).\n",
		username, AUTH_PASSWORD_MIN);
	if ((rc = ask_hidden("Password: ", out)) < 0 ||
	    (rc = ask_hidden("Again: ", &again)) < 0) {
		buf_setf(err, "no password read");
		goto out;
	}
	if (strcmp(out->ptr, again.ptr)) {
		buf_setf(err, "the two passwords differ");
		rc = MC_EINVALID;
	}
out:
	sodium_memzero(again.ptr, again.len);
	buf_release(&again);
	return rc;
}

static void wipe(struct buf *b)
{
	if (b->len)
		sodium_memzero(b->ptr, b->len);
	buf_release(b);
}

static void print_list(json_t *list, bool as_json)
{
	if (as_json) {
		char *s = json_text(list, JSON_INDENT(2));
		puts(s);
		free(s);
		return;
	}
	size_t i, j;
	json_t *u, *g;
	printf("%-20s %-8s %-24s %s\n", "USERNAME", "STATE", "NAME", "GRANTS");
	json_array_foreach(json_object_get(list, "items"), i, u)
	{
		printf("%-20s %-8s %-24s ",
		       json_string_value(json_object_get(u, "username")),
		       json_is_true(json_object_get(u, "disabled"))
			       ? "disabled"
			       : "active",
		       json_string_value(json_object_get(u, "full_name")));
		json_array_foreach(json_object_get(u, "grants"), j, g)
		{
			printf("%s%s@%s", j ? ", " : "",
			       json_string_value(json_object_get(g, "role")),
			       json_string_value(json_object_get(g, "unit")));
		}
		putchar('\n');
	}
}

int cmd_user(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (sqlite:PATH or postgresql://...)" },
		{ .name = "role", .help = "role name (add, grant, ungrant)" },
		{ .name = "unit", .help = "unit code or VN (add, grant, ungrant)" },
		{ .name = "name", .help = "full name (add)" },
		{ .name = "json", .is_flag = true, .help = "list as JSON" },
		{ 0 },
	};
	const char *pos[argc > 0 ? argc : 1];
	int n_pos = 0, status = 2, rc = 0;
	bool help = false;
	struct buf err = BUF_INIT, pw = BUF_INIT;
	struct db *db = NULL;
	enum role role = ROLE_VIEWER;
	mc_time now = (mc_time)time(NULL);

	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "user: %s\n", err.ptr);
		goto out;
	}
	if (help) {
		opt_usage(USER_USAGE, opts);
		status = 0;
		goto out;
	}
	const char *sub = n_pos > 0 ? pos[0] : "";
	const char *name = n_pos > 1 ? pos[1] : NULL;
	bool needs_name = strcmp(sub, "list") != 0;
	bool known = !strcmp(sub, "add") || !strcmp(sub, "passwd") ||
		     !strcmp(sub, "disable") || !strcmp(sub, "enable") ||
		     !strcmp(sub, "grant") || !strcmp(sub, "ungrant") ||
		     !strcmp(sub, "revoke-sessions") || !strcmp(sub, "list");
	if (!known || (needs_name && n_pos != 2) || (!needs_name && n_pos != 1)) {
		fprintf(stderr, "usage: %s\n", USER_USAGE);
		goto out;
	}
	bool with_grant = !strcmp(sub, "add") || !strcmp(sub, "grant") ||
			  !strcmp(sub, "ungrant");
	if (with_grant &&
	    cli_role_unit(opts[1].value, opts[2].value, &role, &err) < 0) {
		fprintf(stderr, "user %s: %s\n", sub, err.ptr);
		goto out;
	}
	status = 1;
	if ((rc = cli_auth_open(opts[0].value ? opts[0].value : MC_DEFAULT_DB,
				&db, &err)) < 0)
		goto fail;

	if (!strcmp(sub, "add")) {
		/* Check what can be checked before asking for a password. */
		if ((rc = auth_username_check(name, &err)) < 0 ||
		    (rc = cli_read_password(name, &pw, &err)) < 0)
			goto fail;
		rc = auth_user_create(db, &cli_actor, name,
				      opts[3].value ? opts[3].value : "",
				      pw.ptr, role, opts[2].value, now, NULL,
				      &err);
		if (!rc)
			printf("user %s created: %s on %s\n", name,
			       authz_role_name(role), opts[2].value);
	} else if (!strcmp(sub, "passwd")) {
		json_t *u = NULL;
		if ((rc = auth_user_get(db, name, &u, &err)) < 0 ||
		    (rc = cli_read_password(name, &pw, &err)) < 0) {
			json_decref(u);
			goto fail;
		}
		json_decref(u);
		rc = auth_user_passwd(db, &cli_actor, name, pw.ptr, 0, now,
				      &err);
		if (!rc)
			printf("password of %s changed; their sessions "
			       "ended\n",
			       name);
	} else if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
		bool off = !strcmp(sub, "disable");
		rc = auth_user_set_disabled(db, &cli_actor, name, off, now,
					    &err);
		if (!rc)
			printf("user %s %s\n", name,
			       off ? "disabled; their sessions ended"
				   : "enabled");
	} else if (!strcmp(sub, "grant")) {
		rc = auth_grant_add(db, &cli_actor, name, role, opts[2].value,
				    now, &err);
		if (!rc)
			printf("%s: %s on %s\n", name, authz_role_name(role),
			       opts[2].value);
	} else if (!strcmp(sub, "ungrant")) {
		rc = auth_grant_remove(db, &cli_actor, name, role,
				       opts[2].value, now, &err);
		if (!rc)
			printf("%s: no longer %s on %s\n", name,
			       authz_role_name(role), opts[2].value);
	} else if (!strcmp(sub, "revoke-sessions")) {
		int64_t n = 0;
		rc = auth_sessions_revoke_user(db, &cli_actor, name, now, &n,
					       &err);
		if (!rc)
			printf("%lld session(s) of %s ended\n", (long long)n,
			       name);
	} else {
		json_t *list = NULL;
		if ((rc = auth_user_list(db, &list, &err)) == 0)
			print_list(list, opts[4].set);
		json_decref(list);
	}
	if (rc < 0)
		goto fail;
	status = 0;
	goto out;
fail:
	fprintf(stderr, "user: %s\n", err.len ? err.ptr : mc_strerror(rc));
out:
	wipe(&pw);
	db_close(db);
	opt_release(opts);
	buf_release(&err);
	return status;
}
