/*
 * cmd.h - the commands of the motcua binary.
 *
 * How to add a command (git's builtin.h):
 *   1. Write src/cli/cmd_NAME.c with `int cmd_NAME(int argc, char **argv)`.
 *      argv[0] is the command name. Parse options with util/opt.h; answer
 *      --help with a usage line and the option table; return the process
 *      exit status (0 ok, 1 failure, 2 usage error).
 *   2. Declare it below and add one row to the table in cli/main.c.
 *   3. Test it through the real binary in tests/integ/.
 * Commands print results on stdout and diagnostics on stderr.
 */
#ifndef MC_CLI_CMD_H
#define MC_CLI_CMD_H

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* The command table (cli/main.c). */
extern const struct cmd mc_commands[];

int cmd_help(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_dossier(int argc, char **argv);
int cmd_vietqr(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* (notify) cli/cmd_outbox.c */
int cmd_outbox(int argc, char **argv);
int cmd_webhook(int argc, char **argv);

/* The default database URL when neither --db nor MOTCUA_DB is given. */
#define MC_DEFAULT_DB "sqlite:motcua.db"

#endif
