/*
 * cmd_auth.h - helpers shared by `motcua user` and `motcua token`
 * (cli/cmd_user.c): opening an initialised database, checking --role and
 * --unit, reading a password without echo. For those two commands only.
 */
#ifndef MC_CLI_CMD_AUTH_H
#define MC_CLI_CMD_AUTH_H

#include "core/authz.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

/* The audit actor of the command line: "system", id 0. */
extern const struct auth_actor cli_actor;

/* Opens `url`; MC_EINVALID ("run motcua init") when the schema is older
 * than the auth migration. */
int cli_auth_open(const char *url, struct db **out, struct buf *err);

/* Parses --role into *role and checks that --unit is given (the unit
 * itself is checked against the database by the repository). */
int cli_role_unit(const char *role_s, const char *unit, enum role *role,
		  struct buf *err);

/*
 * A new password for `username` into `out`: from the terminal without echo,
 * asked twice; or the first line of stdin when it is not a terminal. The
 * caller wipes and releases `out`.
 */
int cli_read_password(const char *username, struct buf *out, struct buf *err);

#endif
