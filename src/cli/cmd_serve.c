/*
 * cmd_serve.c - `motcua serve`: checks that the database is migrated, then
 * runs the web server (web/server.c) until SIGTERM or SIGINT. Refuses to
 * start on a database that `motcua init` has not prepared. Opens the data
 * directory of uploaded files (store/filestore.h) first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "store/db.h"
#include "store/filestore.h"
#include "util/err.h"
#include "util/log.h"
#include "util/opt.h"
#include "web/app.h"
#include "web/notify.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"

/* (notify) The value of option `name`, or NULL. */
static const char *opt_value(const struct opt *opts, const char *name)
{
	for (; opts->name; opts++)
		if (!strcmp(opts->name, name))
			return opts->value;
	return NULL;
}

/* (notify) Starts the outbox's sender thread (web/notify.h). */
static int start_sender(const struct opt *opts, const char *db_url,
			const char *public_url, const char *listen,
			struct notify **out, struct buf *err)
{
	static char url[512];
	struct notify_config nc;
	size_t n = strlen(listen);
	notify_config_init(&nc);
	nc.db_url = db_url;
	nc.smtp_url = opt_value(opts, "smtp-url");
	nc.mail_from = opt_value(opts, "mail-from");
	/* The lookup link of the e-mails: --public-url, else the address
	 * listened on; none when the kernel picks the port (":0"). */
	if (public_url || n < 2 || strcmp(listen + n - 2, ":0")) {
		snprintf(url, sizeof url, "%s%s", public_url ? "" : "http://",
			 public_url ? public_url : listen);
		nc.public_url = url;
	}
	int rc = notify_config_env(&nc, err);
	return rc ? rc : notify_start(&nc, out, err);
}

int cmd_serve(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "listen", .env = "MOTCUA_LISTEN",
		  .help = "address and port (default " DEFAULT_LISTEN ")" },
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (default " MC_DEFAULT_DB ")" },
		{ .name = "public-url", .env = "MOTCUA_PUBLIC_URL",
		  .help = "URL of the site as citizens see it, for links and "
			  "QR codes (default http://LISTEN)" },
		{ .name = "assets",
		  .help = "serve templates and static files from DIR "
			  "(DIR/templates, DIR/static) instead of the "
			  "embedded ones, re-read on each request" },
		{ .name = "data-dir", .env = "MOTCUA_DATA_DIR",
		  .help = "directory of uploaded files, created 0700, never "
			  "served as is (default: motcua-data beside the "
			  "SQLite file, else ./motcua-data)" },
		{ .name = "threads", .env = "MOTCUA_THREADS",
		  .help = "worker threads answering requests (default: two "
			  "per processor it may run on)" },
		{ .name = "trusted-proxies", .env = "MOTCUA_TRUSTED_PROXIES",
		  .help = "addresses of reverse proxies (e.g. \"127.0.0.1,::1\" "
			  "behind nginx) whose X-Forwarded-For names the "
			  "client, for per-address throttles (login, "
			  "lookup) "
			  "(default: none, the peer is the client)" },
		/* (notify) the outbox's sender (web/notify.h) */
		{ .name = "smtp-url", .env = "MOTCUA_SMTP_URL",
		  .help = "SMTP relay for e-mails to applicants: smtp://HOST:"
			  "PORT, smtps://..., user:pass@ allowed (default: "
			  "none, e-mails wait in the outbox)" },
		{ .name = "mail-from", .env = "MOTCUA_MAIL_FROM",
		  .help = "sender address of those e-mails" },
		{ 0 },
	};
	const char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	int n_pos = 0, status = 1;
	bool help = false;
	struct buf err = BUF_INIT;
	struct app app;
	bool app_ok = false;
	struct filestore *files = NULL;
	struct buf data_dir = BUF_INIT;
	struct notify *sender = NULL;
	if (!pos)
		goto out;
	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err) || n_pos) {
		fprintf(stderr, "motcua serve: %s\n",
			err.len ? err.ptr : "unexpected argument");
		status = 2;
		goto out;
	}
	if (help) {
		opt_usage("motcua serve [--listen ADDR:PORT] [--db URL] "
			  "[--public-url URL] [--assets DIR] [--data-dir DIR] "
			  "[--threads N] [--trusted-proxies LIST]",
			  opts);
		status = 0;
		goto out;
	}
	const char *listen = opts[0].value ? opts[0].value : DEFAULT_LISTEN;
	const char *db_url = opts[1].value ? opts[1].value : MC_DEFAULT_DB;
	/* Without --public-url the server uses http://ADDR:PORT as bound. */
	const char *public_url = opts[2].value;

	/* The schema must be there before we serve anything. */
	struct db *db;
	if (db_open(db_url, &db, &err)) {
		fprintf(stderr, "motcua serve: %s\n", err.ptr);
		goto out;
	}
	if (app_check_db(NULL, db, &err)) {
		fprintf(stderr, "motcua serve: %s: %s\n", db_url, err.ptr);
		db_close(db);
		goto out;
	}
	db_close(db);

	if (app_init(&app, db_url, public_url, opts[3].value, &err)) {
		fprintf(stderr, "motcua serve: %s\n", err.ptr);
		goto out;
	}
	app_ok = true;
	const char *threads = opt_value(opts, "threads");
	if (threads) {
		char *end;
		long n = strtol(threads, &end, 10);
		if (*end || n < 1 || n > 256) {
			fprintf(stderr, "motcua serve: --threads: a number "
					"from 1 to 256, not '%s'\n",
				threads);
			status = 2;
			goto out;
		}
		app.limits.threads = (unsigned)n;
	}
	app.trusted_proxies = opt_value(opts, "trusted-proxies");
	if (opts[4].value)
		buf_adds(&data_dir, opts[4].value);
	else
		filestore_default_dir(db_url, &data_dir);
	if (filestore_open(data_dir.ptr, &files, &err)) {
		fprintf(stderr, "motcua serve: data directory: %s\n", err.ptr);
		goto out;
	}
	app.files = files;
	if (start_sender(opts, db_url, public_url, listen, &sender, &err)) {
		fprintf(stderr, "motcua serve: %s\n", err.ptr);
		status = 2;
		goto out;
	}
	log_async_start();	/* requests never wait for the log file */
	if (server_run(&app, listen, &err)) {
		fprintf(stderr, "motcua serve: %s\n", err.ptr);
		goto out;
	}
	status = 0;
out:
	notify_stop(sender);	/* after the server: no request in flight */
	log_async_stop();
	if (app_ok)
		app_release(&app);
	filestore_close(files);
	buf_release(&data_dir);
	buf_release(&err);
	free(pos);
	opt_release(opts);
	return status;
}
