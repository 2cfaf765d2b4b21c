/*
 * opt.h - command-line options for the commands in cli/: "--name value",
 * "--name=value" and boolean "--name", with an environment variable as the
 * fallback. Deliberately tiny; each command lists its options in a table.
 */
#ifndef MC_UTIL_OPT_H
#define MC_UTIL_OPT_H

#include <stdbool.h>

#include "util/buf.h"

struct opt {
	const char *name;	/* without the dashes, e.g. "db" */
	const char *env;	/* e.g. "MOTCUA_DB", or NULL */
	bool is_flag;		/* takes no value */
	bool repeat;		/* may be given several times (values kept) */
	const char *help;	/* one line */
	/* results */
	const char *value;	/* last value, env value, or NULL */
	bool set;
	const char **values;	/* all values of a repeatable option */
	int n_values;
};

/*
 * Parses argv[1..argc) against `opts` (terminated by a zeroed entry).
 * Positional arguments are collected in order into `pos` (caller's array of
 * argc entries), their count in *n_pos. "--help" sets *help. On an unknown
 * option or a missing value returns MC_EINVALID with the reason in err.
 * The values point into argv or the environment. Call opt_release() after.
 */
int opt_parse(struct opt *opts, int argc, char **argv, const char **pos,
	      int *n_pos, bool *help, struct buf *err);
void opt_release(struct opt *opts);

/* Prints "usage" and the option table to stdout. */
void opt_usage(const char *usage, const struct opt *opts);

#endif
