/*
 * h_system.c - the handlers of the machine-facing routes: /healthz for
 * load balancers, /metrics for Prometheus, /static/... and /favicon.ico.
 * They never expose internal details (database messages go to the log).
 */
#include "web/handlers.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/log.h"
#include "web/app.h"
#include "web/metrics.h"
#include "web/respond.h"

#define CT_TEXT "text/plain; charset=utf-8"

/*
 * The database check of /healthz runs at most once a second per process;
 * probes in between reuse its result (atomics: no lock). A probe every
 * few milliseconds from a load balancer then costs nothing.
 */
static _Atomic int64_t health_checked_ns;
static _Atomic int health_ok;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool db_healthy(struct http_request *req)
{
	struct app *app = req->app;
	int64_t now = mono_ns();
	int64_t last = atomic_load(&health_checked_ns);
	if (last && now - last < 1000000000)
		return atomic_load(&health_ok);
	struct db *db;
	struct buf err = BUF_INIT;
	int rc = app_db(req, &db);
	if (!rc)
		rc = app_check_db(app, db, &err);
	if (rc && err.len)
		log_error("healthz: %s", err.ptr);
	buf_release(&err);
	atomic_store(&health_ok, rc == 0);
	atomic_store(&health_checked_ns, now);
	return rc == 0;
}

int handle_healthz(struct http_request *req, struct http_response *res)
{
	if (req->app->db && !db_healthy(req)) {
		respond_bytes(req, res, 503, CT_TEXT, "database unavailable\n",
			      21);
		respond_cache(req, res, 0);
		return 0;
	}
	respond_bytes(req, res, 200, CT_TEXT, "ok\n", 3);
	respond_cache(req, res, 0);
	return 0;
}

int handle_metrics(struct http_request *req, struct http_response *res)
{
	struct buf out = BUF_INIT;
	metrics_write(req->app->metrics, &out);
	respond_bytes(req, res, 200, "text/plain; version=0.0.4; charset=utf-8",
		      out.ptr, out.len);
	respond_cache(req, res, 0);
	buf_release(&out);
	return 0;
}

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", CT_TEXT },
	{ ".json", "application/json; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".pdf", "application/pdf" },
};

static const char *content_type(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t m = strlen(types[i].ext);
		if (n > m && !strcmp(path + n - m, types[i].ext))
			return types[i].type;
	}
	return "application/octet-stream";
}

/* Serves a static file; MC_ENOTFOUND when there is none. */
static int serve_static(struct http_request *req, struct http_response *res,
			const char *path)
{
	struct app *app = req->app;
	const char *data;
	size_t len;
	int rc = app_static(app, req->arena, path, &data, &len);
	if (rc)
		return rc;
	/* The ETag: the content's FNV-1a hash (cheap; files are small). */
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)data[i];
		h *= 1099511628211ULL;
	}
	char tag[17];
	snprintf(tag, sizeof(tag), "%016llx", (unsigned long long)h);
	const char *v = http_query(req, "v");
	/* With --assets (development) the default "no-cache" applies. */
	if (app->assets_dir)
		;
	else if (v && !strcmp(v, app->static_version))
		respond_cache(req, res, -1);
	else
		respond_cache(req, res, 300);
	if (respond_etag(req, res, tag))
		return 0;
	/* respond_bytes() keeps the headers set above. */
	respond_bytes(req, res, 200, content_type(path), data, len);
	return 0;
}

int handle_static(struct http_request *req, struct http_response *res)
{
	return serve_static(req, res, http_param(req, "path"));
}

int handle_favicon(struct http_request *req, struct http_response *res)
{
	if (!serve_static(req, res, "favicon.ico"))
		return 0;
	/* No icon shipped: an empty answer, cached, instead of 404 noise. */
	respond_bytes(req, res, 204, "image/x-icon", "", 0);
	respond_cache(req, res, 86400);
	return 0;
}

int handle_robots(struct http_request *req, struct http_response *res)
{
	if (!serve_static(req, res, "robots.txt"))
		return 0;
	static const char body[] = "User-agent: *\nDisallow:\n";
	respond_bytes(req, res, 200, CT_TEXT, body, sizeof(body) - 1);
	respond_cache(req, res, 86400);
	return 0;
}
