/*
 * calendar_load.h - how the `calendar` subcommands get their working
 * calendar: from the database when a URL is given (--db or MOTCUA_DB),
 * else from the schedule embedded in the binary
 * (data/vn-civil-service-days-off.csv). Years without an announced
 * schedule are derived provisionally (core/calendar.h). Shared by
 * cmd_calendar.c and cmd_calendar_due.c.
 */
#ifndef MC_CLI_CALENDAR_LOAD_H
#define MC_CLI_CALENDAR_LOAD_H

#include "core/calendar.h"
#include "core/schedule.h"
#include "util/buf.h"

/* Years every loaded calendar answers. */
#define CALENDAR_LOAD_FIRST_YEAR 1900
#define CALENDAR_LOAD_LAST_YEAR 2199

struct calendar_load {
	struct calendar cal;	/* ready to use after calendar_load() */
	struct schedule sched;	/* owns the names `cal` borrows */
	const char *origin;	/* "database" or "embedded" (static) */
};

/*
 * Loads the calendar from `db_url` (NULL or "": the embedded schedule)
 * into `cl`. Errors: MC_EDB (cannot open or read the database; the table
 * is missing until `motcua init` has run), MC_EINVALID (bad stored data),
 * with the reason in err. Call calendar_load_release() in every case.
 */
int calendar_load(struct calendar_load *cl, const char *db_url,
		  struct buf *err);
void calendar_load_release(struct calendar_load *cl);

/*
 * Parses a solar date argument "YYYY-MM-DD" into a day number; MC_EINVALID
 * with "NAME: ..." in err otherwise (for subcommands' arguments).
 */
int calendar_load_parse_date(const char *name, const char *arg, int32_t *day,
			     struct buf *err);

/*
 * The `calendar` subcommands of engineer "deadline" (cli/cmd_calendar_due.c),
 * listed in the table of cmd_calendar.c: argv[0] is the subcommand name,
 * the result is the exit status (0, 1 failure, 2 usage).
 */
int cmd_calendar_due(int argc, char **argv);
int cmd_calendar_between(int argc, char **argv);

#endif
