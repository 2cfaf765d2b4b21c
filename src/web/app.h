/*
 * app.h - the state the server shares between its threads: the database
 * pool, the public URL, the compiled templates, the metrics, the limits.
 * Built once by `motcua serve` (cli/cmd_serve.c) before the server starts
 * and read-only afterwards (the metrics count with atomics). Also the entry
 * point of the server itself (web/server.c).
 */
#ifndef MC_WEB_APP_H
#define MC_WEB_APP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/mctime.h"
#include "store/db.h"
#include "util/buf.h"
#include "web/http.h"

struct route;
struct filestore;
struct metrics;
struct tmpl_cache;

struct app_limits {
	size_t max_header;	/* request line + headers, bytes: 431 above */
	size_t max_body;	/* default body limit, bytes: 413 above */
	size_t max_query;	/* query string, bytes: 400 above */
	unsigned conn_timeout_s;	/* idle or slow connections are closed */
	unsigned max_connections;
	unsigned threads;	/* worker threads; 0: one per core */
};

/* 8 KiB of headers, 1 MiB bodies, 2048-byte queries, 30 s, 1024. */
#define APP_LIMITS_DEFAULT { 8192, 1 << 20, 2048, 30, 1024, 0 }

struct app {
	struct db_pool *db;	/* NULL: no database (in-process tests) */
	const char *public_url;	/* no trailing slash */
	const char *assets_dir;	/* NULL: embedded assets */
	struct tmpl_cache *templates;
	struct metrics *metrics;
	struct app_limits limits;
	const struct route *routes;	/* web_routes unless a test says */
	char static_version[17];	/* hex hash of the static files */
	/* (added by uploads) The file store under the data directory
	 * (store/filestore.h), opened and closed by `serve` (not by
	 * app_init/app_release); NULL: uploads answer 503. */
	struct filestore *files;
	/* Reverse proxies whose X-Forwarded-For is believed (serve
	 * --trusted-proxies; http_forwarded_client()); NULL: none. */
	const char *trusted_proxies;
};

/*
 * Sets up `app`: copies the strings, compiles every embedded template
 * (assets/templates/ and its subdirectories; a template that does not compile is an
 * error here, at start, not at the first request) or, with assets_dir,
 * checks that DIR/templates exists (templates are then read from disk on
 * each render, for development). `db_url` NULL: no database.
 * `public_url` NULL: server_run() sets "http://ADDR:PORT" once it listens.
 * Returns 0, or
 * MC_EINVALID / MC_EIO with the reason in err. app_release() frees all.
 */
int app_init(struct app *app, const char *db_url, const char *public_url,
	     const char *assets_dir, struct buf *err);
void app_release(struct app *app);

/*
 * The database connection of the calling thread, for this request. On
 * failure logs the reason, counts it in the metrics, and returns MC_EDB
 * (a handler returns it as is: the router answers 503).
 */
int app_db(struct http_request *req, struct db **out);

/*
 * Checks that the database answers and carries the schema this binary
 * expects (migrations applied). Returns 0, MC_EDB (unreachable) or
 * MC_EINVALID (not initialised or older schema: "run motcua init"), the
 * reason in err. Used by `serve` before it starts (app may be NULL: it
 * is not consulted yet) and by /healthz.
 */
int app_check_db(struct app *app, struct db *db, struct buf *err);

/*
 * Renders template `name` ("procedure", "partials/nav") with `data`,
 * appending to `out`; partials resolve to assets/templates/partials/NAME.
 * Thread-safe. Returns 0, MC_ENOTFOUND (no such template) or MC_EINVALID
 * (syntax or render error), the reason in err.
 */
int app_render(struct app *app, const char *name, json_t *data,
	       struct buf *out, struct buf *err);
/* The same with `under` below data on the context stack (the layout over
 * a page's model: mustache_render_over). */
int app_render_over(struct app *app, const char *name, json_t *under,
		    json_t *data, struct buf *out, struct buf *err);

/*
 * A static file by its path under assets/static ("style.css"): embedded,
 * or read from DIR/static with --assets (the copy then lives in `a`).
 * Rejects ".." and hidden files. Returns 0 or MC_ENOTFOUND.
 */
int app_static(struct app *app, struct arena *a, const char *path,
	       const char **data, size_t *len);

/*
 * Serves HTTP on `listen` ("127.0.0.1:8080", "[::1]:8080", ":8080") until
 * SIGTERM or SIGINT, then finishes the requests in flight (at most
 * conn_timeout_s) and returns 0. Prints "motcua: serving URL" on stdout
 * once the socket listens (port 0: the kernel picks one; the line tells
 * which). Returns MC_EIO (cannot listen) or MC_EINVALID
 * (bad address) with the reason in err.
 */
int server_run(struct app *app, const char *listen, struct buf *err);

/* Now, UTC seconds: where handlers read the clock (the core takes "now" as
 * a parameter). */
mc_time web_now(void);

#endif
