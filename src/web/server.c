/*
 * server.c - adapts libmicrohttpd to our request/response abstraction: an
 * epoll thread pool (one thread per core), limits (431, 413, 400, idle
 * timeout), one arena per request from a per-thread pool, the access log,
 * metrics, and a clean shutdown on SIGTERM/SIGINT. Handlers never see MHD.
 */
#include "web/app.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/auth.h"
#include "web/metrics.h"
#include "web/query.h"
#include "web/respond.h"
#include "web/route.h"
#include "web/upload.h"

/* Requests whose URI log callback ran and whose completion did not yet. */
static _Atomic int active_requests;

/* --- per-thread pool of arenas: reset and reused, not freed --- */

#define ARENA_POOL_MAX 16

struct arena_pool {
	struct arena *a[ARENA_POOL_MAX];
	int n;
};

static pthread_key_t pool_key;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_free(void *p)
{
	struct arena_pool *pool = p;
	for (int i = 0; i < pool->n; i++) {
		arena_release(pool->a[i]);
		free(pool->a[i]);
	}
	free(pool);
}

static void pool_key_init(void)
{
	if (pthread_key_create(&pool_key, pool_free))
		BUG("pthread_key_create failed");
}

static struct arena_pool *thread_pool(void)
{
	pthread_once(&pool_once, pool_key_init);
	struct arena_pool *pool = pthread_getspecific(pool_key);
	if (!pool) {
		pool = xcalloc(1, sizeof(*pool));
		pthread_setspecific(pool_key, pool);
	}
	return pool;
}

static struct arena *arena_take(void)
{
	struct arena_pool *pool = thread_pool();
	if (pool->n)
		return pool->a[--pool->n];
	return xcalloc(1, sizeof(struct arena));
}

static void arena_give(struct arena *a)
{
	struct arena_pool *pool = thread_pool();
	arena_reset(a);
	if (pool->n < ARENA_POOL_MAX) {
		pool->a[pool->n++] = a;
	} else {
		arena_release(a);
		free(a);
	}
}

/* --- one request --- */

struct reqctx {
	struct app *app;
	char *uri;		/* raw request target, heap */
	uint64_t start_ns;
	bool started;		/* the first access call happened */
	struct arena *arena;
	struct http_request req;
	struct http_response res;
	const struct route *route;
	enum route_result result;
	unsigned allowed;
	int early_status;	/* 400 before routing, or 0 */
	size_t max_body;
	struct buf body;
	bool too_big;
	int status;		/* sent, for the log */
	size_t bytes;
	/* (uploads) A multipart body on a route with upload rules: parsed
	 * by MHD's post processor into `up` while it arrives. */
	bool multipart;
	struct MHD_PostProcessor *pp;
	struct upload up;
	size_t received;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called first for each request, with the raw request target. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)c;
	struct reqctx *rc = xcalloc(1, sizeof(*rc));
	rc->app = cls;
	rc->uri = xstrdup(uri);
	rc->start_ns = now_ns();
	rc->status = 0;
	atomic_fetch_add(&active_requests, 1);
	metrics_in_flight(rc->app->metrics, 1);
	return rc;
}

struct header_walk {
	struct reqctx *rc;
	struct http_kv *kv;
	int n, cap;
	size_t bytes;
};

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind,
				 const char *key, size_t key_len,
				 const char *value, size_t value_len)
{
	(void)kind;
	struct header_walk *w = cls;
	struct arena *a = w->rc->arena;
	w->bytes += key_len + value_len + 4;
	if (w->n == w->cap) {
		int cap = w->cap ? w->cap * 2 : 32;
		struct http_kv *kv = arena_alloc(a, sizeof(*kv) * (size_t)cap);
		if (w->n)
			memcpy(kv, w->kv, sizeof(*kv) * (size_t)w->n);
		w->kv = kv;
		w->cap = cap;
	}
	char *name = arena_strndup(a, key, key_len);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	w->kv[w->n].name = name;
	w->kv[w->n].value = value ? arena_strndup(a, value, value_len)
				  : arena_strdup(a, "");
	w->n++;
	return MHD_YES;
}

/* JSON when the client asks for it before (or without) HTML: "text/html,
 * application/json" is a page. */
static bool accepts_json(const char *accept)
{
	const char *j = accept ? strstr(accept, "application/json") : NULL;
	const char *h = j ? strstr(accept, "text/html") : NULL;
	return j && (!h || j < h);
}

/*
 * The first access call: headers are in. Decodes the target, routes,
 * decides the body limit. Sets early_status for a request to refuse
 * (answered after its body, so that keep-alive survives).
 */
/* (added by auth) The peer's address as text, for the login throttle and
 * the audit trail; NULL when unknown. */
static const char *client_address(struct arena *a, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN] = "";
	if (!ci || !ci->client_addr)
		return NULL;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
			  text, sizeof(text));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ci->client_addr)
				   ->sin6_addr,
			  text, sizeof(text));
	return text[0] ? arena_strdup(a, text) : NULL;
}

/* (uploads) One call of the post processor: a piece of a part. */
static enum MHD_Result on_post(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *filename,
			       const char *content_type,
			       const char *transfer_encoding, const char *data,
			       uint64_t off, size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	struct reqctx *rc = cls;
	return upload_part(&rc->up, key, filename, data, off, size) ? MHD_NO
								    : MHD_YES;
}

/*
 * (uploads) A POST/PUT multipart/form-data body to a route with upload
 * rules is streamed through the post processor (web/upload.h); its limit
 * is the rules' max_request, its plain fields are capped by max_body.
 */
static void multipart_begin(struct reqctx *rc, struct MHD_Connection *c)
{
	struct http_request *req = &rc->req;
	const char *ct = http_header(req, "content-type");
	if (!rc->route || !rc->route->upload ||
	    !(req->method & (HTTP_POST | HTTP_PUT)) || !ct ||
	    strncasecmp(ct, "multipart/form-data", 19))
		return;
	rc->multipart = true;
	upload_init(&rc->up, rc->app->files, rc->route->upload, rc->max_body,
		    rc->arena);
	rc->max_body = rc->route->upload->max_request;
	rc->pp = MHD_create_post_processor(c, 65536, on_post, rc);
	if (!rc->pp)	/* no boundary */
		rc->early_status = 400;
}

static void request_begin(struct reqctx *rc, struct MHD_Connection *c,
			  const char *method)
{
	struct app *app = rc->app;
	struct http_request *req = &rc->req;
	rc->arena = arena_take();
	req->arena = rc->arena;
	req->app = app;
	req->method = http_method_parse(method);
	req->route_index = -1;
	req->query = "";
	req->body = "";
	req->client = client_address(rc->arena, c);
	http_response_init(&rc->res);
	rc->max_body = app->limits.max_body;

	struct header_walk w = { rc, NULL, 0, 0, 0 };
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, on_header, &w);
	req->headers = w.kv;
	req->n_headers = w.n;
	if (app->trusted_proxies)
		req->client = http_forwarded_client(
			rc->arena, req->client, http_header(req, "x-forwarded-for"),
			app->trusted_proxies);

	const char *q = strchr(rc->uri, '?');
	size_t path_len = q ? (size_t)(q - rc->uri) : strlen(rc->uri);
	struct buf err = BUF_INIT;
	char *path = NULL;
	int qrc;
	if (query_decode_path(rc->arena, rc->uri, path_len, &path, &err) ||
	    path[0] != '/') {
		rc->early_status = 400;
		req->path = arena_strndup(rc->arena, rc->uri, path_len);
	} else {
		req->path = path;
	}
	req->want_json = !strncmp(req->path, "/api/", 5) ||
			 !strcmp(req->path, "/api") ||
			 accepts_json(http_header(req, "accept"));
	if (q) {
		req->query = arena_strdup(rc->arena, q + 1);
		qrc = query_parse_url(rc->arena, req->query,
				      &req->query_params,
				      &req->n_query_params, &err);
		if (qrc && !rc->early_status)
			rc->early_status = 400;
	}
	buf_release(&err);
	if (w.bytes + strlen(rc->uri) > app->limits.max_header)
		rc->early_status = 431;
	if (rc->early_status)
		return;
	rc->result = route_find(app->routes, req, &rc->route, &rc->allowed);
	if (rc->route && rc->route->max_body)
		rc->max_body = rc->route->max_body;
	multipart_begin(rc, c);
}

/* The body of a POST form, decoded into req->form_params. */
static int parse_form(struct reqctx *rc)
{
	struct http_request *req = &rc->req;
	const char *ct = http_header(req, "content-type");
	if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33))
		return 0;
	struct buf err = BUF_INIT;
	int r = query_parse(rc->arena, req->body, req->body_len,
			    FORM_MAX_PARAMS, &req->form_params,
			    &req->n_form_params, &err);
	buf_release(&err);
	return r;
}

/*
 * (uploads) The end of a multipart body: the last part is committed and
 * the fields and files handed to the request, or the refusal answered.
 */
static void multipart_answer(struct reqctx *rc)
{
	struct http_request *req = &rc->req;
	struct http_response *res = &rc->res;
	if (rc->too_big)
		upload_fail(&rc->up, 413);
	if (rc->pp) {
		if (MHD_destroy_post_processor(rc->pp) != MHD_YES)
			upload_fail(&rc->up, 400);
		rc->pp = NULL;
	}
	int st = upload_finish(&rc->up, req);
	if (!st) {
		route_run(rc->route, rc->result, rc->allowed, req, res);
		return;
	}
	/* The error of respond_error() plus the field at fault (the API's
	 * error shape, docs/api.md). */
	json_t *m = json_pack("{s:{s:s, s:s, s:i}}", "error", "code",
			      rc->up.code, "message", rc->up.message, "status",
			      st);
	if (m && rc->up.field)
		json_object_set_new(json_object_get(m, "error"), "field",
				    json_string(rc->up.field));
	if (m) {
		respond_view(req, res, st, "error", m);
		http_set_header(req, res, "Cache-Control", "no-store");
	} else {
		respond_error(req, res, st, rc->up.code, rc->up.message);
	}
	respond_finish(req, res);
}

/* Runs the handler (or the refusal) and fills rc->res. */
static void request_answer(struct reqctx *rc)
{
	struct http_request *req = &rc->req;
	struct http_response *res = &rc->res;
	if (rc->multipart && !rc->early_status) {
		multipart_answer(rc);
		return;
	}
	if (!rc->early_status && rc->too_big)
		rc->early_status = 413;
	if (!rc->early_status && rc->body.len) {
		req->body = arena_strndup(rc->arena, rc->body.ptr,
					  rc->body.len);
		req->body_len = rc->body.len;
		if (parse_form(rc))
			rc->early_status = 400;
	}
	switch (rc->early_status) {
	case 0:
		route_run(rc->route, rc->result, rc->allowed, req, res);
		return;
	case 413:
		respond_error(req, res, 413, "too_large",
			      "Dữ liệu gửi lên quá lớn.");
		break;
	case 431:
		respond_error(req, res, 431, "headers_too_large",
			      "Phần đầu của yêu cầu quá lớn.");
		break;
	default:
		respond_error(req, res, 400, "bad_request",
			      "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.");
		break;
	}
	respond_finish(req, res);
}

/* Hands rc->res to MHD. */
static enum MHD_Result request_send(struct reqctx *rc,
				    struct MHD_Connection *c, bool close)
{
	struct http_response *res = &rc->res;
	size_t len;
	struct MHD_Response *r;
	if (res->has_file) {	/* (uploads) respond_file(): from disk */
		len = res->file_len;
		r = MHD_create_response_from_fd64(len, res->file_fd);
		if (!r)
			return MHD_NO;	/* the release closes the fd */
		res->has_file = false;	/* MHD closes it now */
	} else {
		char *body = buf_detach(&res->body, &len);
		r = MHD_create_response_from_buffer_with_free_callback(
			len, body, free);
		if (!r) {
			free(body);
			return MHD_NO;
		}
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				res->content_type);
	for (int i = 0; i < res->n_headers; i++)
		MHD_add_response_header(r, res->headers[i].name,
					res->headers[i].value);
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	rc->status = res->status;
	rc->bytes = rc->req.method == HTTP_HEAD ? 0 : len;
	enum MHD_Result ok =
		MHD_queue_response(c, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c,
				 const char *url, const char *method,
				 const char *version, const char *upload_data,
				 size_t *upload_data_size, void **con_cls)
{
	(void)url;
	(void)version;
	struct reqctx *rc = *con_cls;
	if (!rc) {	/* no URI callback: cannot happen; be safe */
		rc = on_uri(cls, url, c);
		*con_cls = rc;
	}
	if (!rc->started) {
		rc->started = true;
		request_begin(rc, c, method);
		/* A declared body over the limit: refuse now, without reading
		 * it (MHD then closes the connection). */
		const char *cl = http_header(&rc->req, "content-length");
		if (cl && !rc->early_status) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(cl, &end, 10);
			if (errno || *end || n > rc->max_body) {
				rc->too_big = true;
				if (!rc->multipart)
					rc->early_status = 413;
				request_answer(rc);
				return request_send(rc, c, true);
			}
		}
		/* (uploads) No credentials at all on an upload route that is
		 * not public: refused (303 to the login page, 401) before a
		 * byte of the body is stored. */
		if (rc->multipart && !rc->early_status &&
		    rc->route->action != ACT_PUBLIC &&
		    !auth_cookie(&rc->req, AUTH_COOKIE) &&
		    !http_header(&rc->req, "authorization")) {
			route_run(rc->route, rc->result, rc->allowed, &rc->req,
				  &rc->res);
			return request_send(rc, c, true);
		}
		/* Queue nothing on this first call: a response queued here
		 * would close the keep-alive connection. */
		return MHD_YES;
	}
	if (rc->status) {	/* (uploads) answered early: discard */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size && rc->multipart && !rc->early_status) {
		/* (uploads) Streamed to the post processor, never kept.
		 * After a refusal the rest is read and dropped (MHD cannot
		 * answer in the middle of a body), up to twice the limit;
		 * past that the connection is cut. */
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		rc->received += n;
		if (rc->received > rc->max_body) {
			if (!rc->too_big)
				upload_fail(&rc->up, 413);
			rc->too_big = true;
			if (rc->received / 2 > rc->max_body)
				return MHD_NO;
		} else if (!rc->up.stopped &&
			   MHD_post_process(rc->pp, upload_data, n) != MHD_YES) {
			upload_fail(&rc->up, 400);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		if (rc->early_status)
			;	/* refused anyway: not kept */
		else if (!rc->too_big && rc->body.len + n <= rc->max_body)
			buf_add(&rc->body, upload_data, n);
		else
			rc->too_big = true;	/* drain, answer 413 at end */
		*upload_data_size = 0;
		return MHD_YES;
	}
	request_answer(rc);
	return request_send(rc, c, rc->too_big);
}

/* A copy of the path fit for a log line: no query, no control bytes. */
static void log_path(const char *uri, char *out, size_t size)
{
	size_t i = 0;
	for (; uri[i] && uri[i] != '?' && i + 1 < size; i++) {
		unsigned char ch = (unsigned char)uri[i];
		out[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[i] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)c;
	struct app *app = cls;
	struct reqctx *rc = *con_cls;
	if (!rc)
		return;
	*con_cls = NULL;
	uint64_t usec = (now_ns() - rc->start_ns) / 1000;
	char path[256];
	log_path(rc->uri, path, sizeof(path));
	const char *method = http_method_name(rc->req.method);
	if (!rc->started)	/* refused by MHD itself, e.g. its 431 */
		log_info("- %s - 0 %lluus (refused by the HTTP layer: %d)",
			 path, (unsigned long long)usec, (int)toe);
	else if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_info("%s %s %d %zu %lluus", method, path, rc->status,
			 rc->bytes, (unsigned long long)usec);
	else
		log_info("%s %s %d %zu %lluus (aborted: %d)", method, path,
			 rc->status, rc->bytes, (unsigned long long)usec,
			 (int)toe);
	metrics_observe(app->metrics, rc->req.route_index, rc->status, usec);
	metrics_in_flight(app->metrics, -1);
	if (rc->multipart) {	/* (uploads) an aborted upload's temp file */
		upload_release(&rc->up);
		if (rc->pp)
			MHD_destroy_post_processor(rc->pp);
	}
	if (rc->started) {
		http_response_release(&rc->res);
		arena_give(rc->arena);
	}
	buf_release(&rc->body);
	free(rc->uri);
	free(rc);
	atomic_fetch_sub(&active_requests, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

/* Identity: we decode the path and the query ourselves (web/query.c). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/*
 * Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into `ss`.
 */
static int parse_listen(const char *listen, struct sockaddr_storage *ss,
			bool *v6, struct buf *err)
{
	const char *colon = strrchr(listen, ':');
	char host[128];
	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		goto bad;
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || port > 65535)
		goto bad;
	size_t hl = (size_t)(colon - listen);
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*v6 = true;
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*v6 = false;
	if (hl == 0)
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		goto bad;
	return 0;
bad:
	buf_setf(err, "--listen %s: expected ADDR:PORT, e.g. 127.0.0.1:8080",
		 listen);
	return MC_EINVALID;
}

int server_run(struct app *app, const char *listen, struct buf *err)
{
	int rc;
	struct sockaddr_storage ss;
	bool v6;
	rc = parse_listen(listen, &ss, &v6, err);
	if (rc)
		return rc;

	/* Workers inherit this mask: only the main thread takes signals. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	unsigned threads = app->limits.threads;
	if (!threads) {
		/*
		 * Two per CPU this process may run on (taskset, a
		 * container's cpuset). A thread waiting on the database
		 * (the group commit's COMMIT, PostgreSQL's round trips)
		 * holds the connections MHD gave it: with one thread per
		 * CPU writes rarely met in a group. More threads queue
		 * CPU-bound reads behind each other instead. Measured on 2
		 * CPUs (bench/run-dossier.sh): intake 1.0-1.35 thousand
		 * dossiers/s with one per CPU, 1.45-1.8 with two, no more
		 * with four; the work-queue page's p99 (one CPU) 20-24 ms
		 * with one, 23-45 with two, 35-51 with four.
		 */
		cpu_set_t cpus;
		long n = sched_getaffinity(0, sizeof(cpus), &cpus) == 0
				 ? CPU_COUNT(&cpus)
				 : sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? 2 * (unsigned)n : 2;
		if (threads > 256)
			threads = 256;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_POLL;
	if (v6)
		flags |= MHD_USE_IPv6;
	/* The connection's memory pool holds the request line and headers
	 * (MHD answers 431 when they do not fit; we refuse above
	 * max_header ourselves) and the read buffer for the body. */
	size_t pool = app->limits.max_header * 2 + 16384;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_access, app,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, app->limits.conn_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, app->limits.max_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, app,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
		MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
		MHD_OPTION_END);
	if (!d) {
		buf_setf(err, "cannot listen on %s (address in use?)", listen);
		rc = MC_EIO;
		goto out;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info ? info->port : 0;
	char host[INET6_ADDRSTRLEN] = "0.0.0.0";
	if (v6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			  host, sizeof(host));
	else
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			  host, sizeof(host));
	char url[INET6_ADDRSTRLEN + 32];
	snprintf(url, sizeof(url),
		 v6 ? "http://[%s]:%u" : "http://%s:%u", host, port);
	if (!app->public_url)
		app->public_url = xstrdup(url);
	printf("motcua: serving %s\n", url);
	fflush(stdout);
	log_info("listening on %s:%u with %u threads (%s), public URL %s",
		 host, port, threads,
		 (flags & MHD_USE_EPOLL) ? "epoll" : "poll", app->public_url);

	int sig = 0;
	sigwait(&stop, &sig);
	log_info("signal %d: finishing requests in flight", sig);
	MHD_socket ls = MHD_quiesce_daemon(d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	uint64_t deadline =
		now_ns() + (uint64_t)app->limits.conn_timeout_s * 1000000000u;
	while (atomic_load(&active_requests) > 0 && now_ns() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&active_requests);
	if (left)
		log_warn("stopping with %d requests unfinished", left);
	MHD_stop_daemon(d);
	log_info("stopped");
	rc = 0;
out:
	/* SIGTERM and SIGINT stay blocked: the process is on its way out
	 * (`serve` still stops the outbox's sender), and a second SIGTERM
	 * (e.g. sent to the whole process group) must not kill it with 143
	 * after a clean stop. Pending ones are taken here. */
	{
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&stop, NULL, &zero) > 0)
			;
	}
	return rc;
}
