/*
 * app.c - the server's shared state: database pool, compiled template
 * cache (embedded templates compiled once at start; with --assets DIR,
 * read and compiled from disk on each render), static files, the schema
 * check. Read-only once the server runs.
 */
#include "web/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "render/mustache.h"
#include "store/migrate.h"
#include "util/embed.h"
#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/metrics.h"
#include "web/route.h"

#define TEMPLATE_PREFIX "assets/templates/"
#define TEMPLATE_SUFFIX ".mustache"
#define STATIC_PREFIX "assets/static/"

struct tmpl {
	char *name;	/* "layout", "partials/nav" */
	struct mustache *m;
};

struct tmpl_cache {
	struct tmpl *t;	/* sorted by name */
	int n;
};

/* --- embedded templates --- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

struct compile_ctx {
	struct tmpl_cache *c;
	struct buf *err;
	int rc;
};

static int compile_one(const struct embed_file *f, void *vctx)
{
	struct compile_ctx *ctx = vctx;
	if (!has_suffix(f->path, TEMPLATE_SUFFIX))
		return 0;
	struct buf why = BUF_INIT;
	struct mustache *m;
	if (mustache_compile((const char *)f->data, f->len, &m, &why)) {
		buf_setf(ctx->err, "%s: %s", f->path, why.ptr);
		buf_release(&why);
		ctx->rc = MC_EINVALID;
		return 1;
	}
	buf_release(&why);
	const char *name = f->path + strlen(TEMPLATE_PREFIX);
	size_t len = strlen(name) - strlen(TEMPLATE_SUFFIX);
	struct tmpl_cache *c = ctx->c;
	c->t = xrealloc(c->t, sizeof(*c->t) * (size_t)(c->n + 1));
	c->t[c->n].name = xstrndup(name, len);
	c->t[c->n].m = m;
	c->n++;
	return 0;
}

static int tmpl_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name,
		      ((const struct tmpl *)b)->name);
}

static const struct mustache *cache_find(const struct tmpl_cache *c,
					 const char *name)
{
	struct tmpl key = { (char *)name, NULL };
	const struct tmpl *t =
		bsearch(&key, c->t, (size_t)c->n, sizeof(*c->t), tmpl_cmp);
	return t ? t->m : NULL;
}

static void cache_free(struct tmpl_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->t[i].name);
		mustache_free(c->t[i].m);
	}
	free(c->t);
	free(c);
}

/* --- files under --assets DIR --- */

/* Whether a relative name is safe to join to a directory. */
static bool safe_name(const char *name)
{
	if (!*name || name[0] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '\\')
			return false;
		/* No "..", no hidden files: a segment never starts with '.'. */
		if (*p == '.' && (p == name || p[-1] == '/'))
			return false;
	}
	return true;
}

/* Reads a whole file into a new heap string; MC_ENOTFOUND or MC_EIO. */
static int read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? MC_ENOTFOUND : MC_EIO;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	int rc = ferror(f) ? MC_EIO : 0;
	fclose(f);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	*data = buf_detach(&b, len);
	return 0;
}

/* Templates compiled from disk for one render, freed after it. */
struct disk_render {
	struct app *app;
	struct mustache **m;
	int n;
	struct buf *err;
	int rc;
};

static int disk_compile(struct disk_render *dr, const char *name,
			struct mustache **out)
{
	if (!safe_name(name))
		return MC_ENOTFOUND;
	char *path = NULL, *src = NULL;
	size_t len;
	int rc;
	if (asprintf(&path, "%s/templates/%s" TEMPLATE_SUFFIX,
		     dr->app->assets_dir, name) < 0)
		BUG("out of memory");
	rc = read_file(path, &src, &len);
	if (rc) {
		if (rc != MC_ENOTFOUND)
			buf_setf(dr->err, "%s: cannot read", path);
		goto out;
	}
	struct buf why = BUF_INIT;
	rc = mustache_compile(src, len, out, &why);
	if (rc)
		buf_setf(dr->err, "%s: %s", path, why.ptr);
	buf_release(&why);
	if (!rc) {
		dr->m = xrealloc(dr->m, sizeof(*dr->m) * (size_t)(dr->n + 1));
		dr->m[dr->n++] = *out;
	}
out:
	free(src);
	free(path);
	return rc;
}

static const struct mustache *disk_partial(void *ctx, const char *name)
{
	struct disk_render *dr = ctx;
	char full[256];
	if (snprintf(full, sizeof(full), "partials/%s", name) >=
	    (int)sizeof(full))
		return NULL;
	struct mustache *m;
	int rc = disk_compile(dr, full, &m);
	if (rc) {
		if (rc != MC_ENOTFOUND && !dr->rc)
			dr->rc = rc;
		return NULL;
	}
	return m;
}

static const struct mustache *embedded_partial(void *ctx, const char *name)
{
	struct app *app = ctx;
	char full[256];
	if (snprintf(full, sizeof(full), "partials/%s", name) >=
	    (int)sizeof(full))
		return NULL;
	return cache_find(app->templates, full);
}

int app_render(struct app *app, const char *name, json_t *data,
	       struct buf *out, struct buf *err)
{
	return app_render_over(app, name, NULL, data, out, err);
}

int app_render_over(struct app *app, const char *name, json_t *under,
		    json_t *data, struct buf *out, struct buf *err)
{
	int rc;
	if (!app->assets_dir) {
		const struct mustache *m = cache_find(app->templates, name);
		if (!m) {
			buf_setf(err, "no template '%s'", name);
			return MC_ENOTFOUND;
		}
		return mustache_render_over(m, under, data, embedded_partial,
					    app, out, err);
	}
	struct disk_render dr = { app, NULL, 0, err, 0 };
	struct mustache *m;
	rc = disk_compile(&dr, name, &m);
	if (rc) {
		if (rc == MC_ENOTFOUND)
			buf_setf(err, "no template '%s' in %s/templates",
				 name, app->assets_dir);
		goto out;
	}
	rc = mustache_render_over(m, under, data, disk_partial, &dr, out,
				  err);
	if (!rc && dr.rc)
		rc = dr.rc;	/* a partial that does not compile */
out:
	for (int i = 0; i < dr.n; i++)
		mustache_free(dr.m[i]);
	free(dr.m);
	return rc;
}

int app_static(struct app *app, struct arena *a, const char *path,
	       const char **data, size_t *len)
{
	if (!safe_name(path))
		return MC_ENOTFOUND;
	if (!app->assets_dir) {
		char full[512];
		if (snprintf(full, sizeof(full), STATIC_PREFIX "%s", path) >=
		    (int)sizeof(full))
			return MC_ENOTFOUND;
		const struct embed_file *f = embed_find(full);
		if (!f)
			return MC_ENOTFOUND;
		*data = (const char *)f->data;
		*len = f->len;
		return 0;
	}
	char *full = arena_printf(a, "%s/static/%s", app->assets_dir, path);
	struct stat st;
	if (stat(full, &st) || !S_ISREG(st.st_mode))
		return MC_ENOTFOUND;
	char *heap;
	int rc = read_file(full, &heap, len);
	if (rc)
		return MC_ENOTFOUND;
	char *copy = arena_alloc(a, *len + 1);
	memcpy(copy, heap, *len);
	copy[*len] = '\0';
	free(heap);
	*data = copy;
	return 0;
}

/* FNV-1a over the embedded static files: changes when any of them does. */
static int hash_static(const struct embed_file *f, void *ctx)
{
	uint64_t *h = ctx;
	const unsigned char *parts[2] = { (const unsigned char *)f->path,
					  f->data };
	size_t lens[2] = { strlen(f->path), f->len };
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < lens[k]; i++) {
			*h ^= parts[k][i];
			*h *= 1099511628211ULL;
		}
	}
	return 0;
}

int app_init(struct app *app, const char *db_url, const char *public_url,
	     const char *assets_dir, struct buf *err)
{
	int rc = MC_EINVALID;
	static const struct app_limits defaults = APP_LIMITS_DEFAULT;
	memset(app, 0, sizeof(*app));
	app->limits = defaults;
	app->routes = web_routes;
	json_pool_install();	/* before the server's threads */
	app->templates = xcalloc(1, sizeof(*app->templates));
	if (public_url) {
		size_t ulen = strlen(public_url);
		while (ulen && public_url[ulen - 1] == '/')
			ulen--;
		app->public_url = xstrndup(public_url, ulen);
	}
	if (assets_dir) {
		struct stat st;
		char *dir = NULL;
		if (asprintf(&dir, "%s/templates", assets_dir) < 0)
			BUG("out of memory");
		bool ok = !stat(dir, &st) && S_ISDIR(st.st_mode);
		free(dir);
		if (!ok) {
			buf_setf(err, "--assets %s: no templates/ directory",
				 assets_dir);
			goto out;
		}
		app->assets_dir = xstrdup(assets_dir);
	} else {
		struct compile_ctx ctx = { app->templates, err, 0 };
		embed_each(TEMPLATE_PREFIX, compile_one, &ctx);
		if (ctx.rc) {
			rc = ctx.rc;
			goto out;
		}
		qsort(app->templates->t, (size_t)app->templates->n,
		      sizeof(*app->templates->t), tmpl_cmp);
	}
	uint64_t h = 1469598103934665603ULL;
	embed_each(STATIC_PREFIX, hash_static, &h);
	snprintf(app->static_version, sizeof(app->static_version), "%016llx",
		 (unsigned long long)h);
	app->metrics = metrics_new(app->routes);
	if (db_url)
		app->db = db_pool_new(db_url);
	rc = 0;
out:
	return rc;
}

void app_release(struct app *app)
{
	if (app->db)
		db_pool_free(app->db);
	metrics_free(app->metrics);
	cache_free(app->templates);
	free((char *)app->public_url);
	free((char *)app->assets_dir);
	memset(app, 0, sizeof(*app));
}

int app_db(struct http_request *req, struct db **out)
{
	struct app *app = req->app;
	struct buf err = BUF_INIT;
	int rc = MC_EDB;
	/* once per request: db_pool_get() rolls back what a previous request
	 * left open, and would roll back this request's own transaction
	 * (the authorization's read transaction, web/auth.c) */
	if (req->db) {
		*out = req->db;
		return 0;
	}
	if (!app->db) {
		log_error("%s: no database configured", req->path);
	} else if (db_pool_get(app->db, out, &err)) {
		log_error("database connection failed: %s", err.ptr);
	} else {
		req->db = *out;
		rc = 0;
	}
	if (rc && app->metrics)
		metrics_db_unavailable(app->metrics);
	buf_release(&err);
	return rc;
}

int app_check_db(struct app *app, struct db *db, struct buf *err)
{
	(void)app;
	int pending = 0, first = 0;
	struct buf why = BUF_INIT;
	int rc = migrate_pending(db, &pending, &first, &why);
	if (rc) {
		buf_setf(err, "cannot read the schema version (%s); "
			      "run motcua init", why.ptr);
		rc = MC_EDB;
	} else if (pending) {
		buf_setf(err, "the database lacks %d migration%s (the first "
			      "is %04d): run motcua init",
			 pending, pending > 1 ? "s" : "", first);
		rc = MC_EINVALID;
	}
	buf_release(&why);
	return rc;
}

mc_time web_now(void)
{
	return (mc_time)time(NULL);
}
