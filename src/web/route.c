/*
 * route.c - path pattern matching and dispatch to handlers (see route.h
 * for the pattern language). Knows nothing of sockets; the server and the
 * in-process tests call the same functions.
 */
#include "web/route.h"

#include <string.h>

#include "util/err.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "web/auth.h"
#include "web/respond.h"

/* One segment: [s, s+len). */
struct seg {
	const char *s;
	size_t len;
};

static struct seg next_seg(const char **p)
{
	struct seg g = { *p, 0 };
	const char *slash = strchr(*p, '/');
	g.len = slash ? (size_t)(slash - *p) : strlen(*p);
	*p += g.len;
	return g;
}

static bool add_param(struct http_request *req, const char *name,
		      size_t name_len, const char *v, size_t v_len)
{
	if (req->n_params >= (int)ARRAY_SIZE(req->params))
		BUG("route pattern with more than %zu captures",
		    ARRAY_SIZE(req->params));
	req->params[req->n_params].name =
		arena_strndup(req->arena, name, name_len);
	req->params[req->n_params].value = arena_strndup(req->arena, v, v_len);
	req->n_params++;
	return true;
}

/*
 * Matches one pattern segment against one path segment; may capture.
 * Sets *rest when the pattern segment is "{name...}".
 */
static bool match_seg(struct seg pat, struct seg path, bool *rest,
		      struct http_request *req)
{
	const char *open = memchr(pat.s, '{', pat.len);
	if (!open)
		return pat.len == path.len && !memcmp(pat.s, path.s, pat.len);
	const char *close = memchr(open, '}', pat.len - (size_t)(open - pat.s));
	if (!close)
		BUG("unclosed '{' in route pattern");
	size_t pre = (size_t)(open - pat.s);
	const char *suf = close + 1;
	size_t suf_len = pat.len - (size_t)(suf - pat.s);
	const char *name = open + 1;
	size_t name_len = (size_t)(close - name);
	if (name_len > 3 && !memcmp(close - 3, "...", 3)) {
		if (pre || suf_len)
			BUG("'{name...}' must be a whole segment");
		*rest = true;
		return true;
	}
	if (path.len <= pre + suf_len)
		return false;	/* the capture must be non-empty */
	if (memcmp(path.s, pat.s, pre) ||
	    memcmp(path.s + path.len - suf_len, suf, suf_len))
		return false;
	return add_param(req, name, name_len, path.s + pre,
			 path.len - pre - suf_len);
}

bool route_match(const char *pattern, const char *path,
		 struct http_request *req)
{
	int saved = req->n_params;
	const char *p = pattern, *q = path;
	if (*p != '/' || *q != '/')
		return false;
	while (*p == '/' && *q == '/') {
		p++;
		q++;
		const char *qstart = q;
		struct seg ps = next_seg(&p);
		struct seg qs = next_seg(&q);
		bool rest = false;
		if (!match_seg(ps, qs, &rest, req))
			goto fail;
		if (rest) {
			/* "{name...}": the rest of the path, non-empty; it
			 * must end the pattern. */
			size_t rest_len = strlen(qstart);
			if (!rest_len || *p)
				goto fail;
			const char *open = memchr(ps.s, '{', ps.len);
			add_param(req, open + 1, ps.len - 5, qstart, rest_len);
			return true;
		}
	}
	if (*p == '\0' && *q == '\0')
		return true;
fail:
	req->n_params = saved;
	return false;
}

enum route_result route_find(const struct route *table,
			     struct http_request *req,
			     const struct route **out, unsigned *allowed)
{
	unsigned seen = 0;
	int first = -1;
	unsigned want = req->method == HTTP_HEAD ? (HTTP_HEAD | HTTP_GET)
						 : (unsigned)req->method;
	/* A row can match only if the path starts with the pattern's text
	 * before its first capture: checked first, inline, it skips most
	 * rows after a byte or two (matching every pattern of a table of 300
	 * rows cost the last rows, the citizens' pages, a quarter of their
	 * CPU time; strcspn() and strncmp() calls per row, a tenth). */
	for (int i = 0; table[i].pattern; i++) {
		const struct route *r = &table[i];
		const char *p = r->pattern, *q = req->path;
		while (*p && *p != '{' && *p == *q) {
			p++;
			q++;
		}
		if (*p && *p != '{')
			continue;
		int saved = req->n_params;
		if (!route_match(r->pattern, req->path, req))
			continue;
		if (r->methods & want) {
			req->route = r->pattern;
			req->route_index = i;
			*out = r;
			return ROUTE_FOUND;
		}
		req->n_params = saved;
		seen |= r->methods;
		if (first < 0)
			first = i;
	}
	if (!seen)
		return ROUTE_NOT_FOUND;
	/* A 405 counts under the path's route in /metrics, not "none". */
	req->route = table[first].pattern;
	req->route_index = first;
	if (seen & HTTP_GET)
		seen |= HTTP_HEAD;
	*allowed = seen;
	return ROUTE_BAD_METHOD;
}

void route_allow_header(unsigned methods, struct buf *out)
{
	static const enum http_method order[] = { HTTP_GET, HTTP_HEAD,
						  HTTP_POST, HTTP_PUT,
						  HTTP_DELETE };
	buf_reset(out);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(methods & order[i]))
			continue;
		if (out->len)
			buf_adds(out, ", ");
		buf_adds(out, http_method_name(order[i]));
	}
}

/* The error page for a handler's failure code. */
static void answer_code(struct http_request *req, struct http_response *res,
			int rc)
{
	switch (rc) {
	case MC_ENOTFOUND:
		respond_error(req, res, 404, "not_found",
			      "Không tìm thấy trang bạn yêu cầu.");
		break;
	case MC_EINVALID:
		respond_error(req, res, 400, "bad_request",
			      "Yêu cầu không hợp lệ.");
		break;
	case MC_ETOOBIG:
		respond_error(req, res, 413, "too_large",
			      "Dữ liệu gửi lên quá lớn.");
		break;
	case MC_EFORBIDDEN:
		respond_error(req, res, 403, "forbidden",
			      "Bạn không có quyền truy cập trang này.");
		break;
	case MC_EDB:
		respond_error(req, res, 503, "unavailable",
			      "Hệ thống tạm thời không phục vụ được. "
			      "Xin vui lòng thử lại sau ít phút.");
		break;
	default:
		log_error("handler for %s %s failed: %s",
			  http_method_name(req->method),
			  req->route ? req->route : req->path,
			  mc_strerror(rc));
		respond_error(req, res, 500, "internal",
			      "Đã xảy ra lỗi trong hệ thống. "
			      "Xin vui lòng thử lại sau.");
		break;
	}
}

void route_run(const struct route *r, enum route_result result,
	       unsigned allowed, struct http_request *req,
	       struct http_response *res)
{
	bool pooled = r && result == ROUTE_FOUND &&
		      (r->auth_flags & ROUTE_JSON_POOL);

	if (pooled)
		json_pool_begin(req->arena);
	if (result == ROUTE_NOT_FOUND || !r) {
		if (result == ROUTE_BAD_METHOD) {
			struct buf allow = BUF_INIT;
			route_allow_header(allowed, &allow);
			respond_error(req, res, 405, "method_not_allowed",
				      "Phương thức không được hỗ trợ cho "
				      "địa chỉ này.");
			http_set_header(req, res, "Allow", allow.ptr);
			buf_release(&allow);
		} else {
			respond_error(req, res, 404, "not_found",
				      "Không tìm thấy trang bạn yêu cầu.");
		}
	} else if (auth_before(r, req, res)) {
		/* (auth) The route's action is allowed: web/auth.h. */
		int rc = r->handler(req, res);
		if (rc) {
			/* Drop whatever the handler half-built. */
			http_response_release(res);
			http_response_init(res);
			answer_code(req, res, rc);
		}
		auth_after(req, res);
	}
	respond_finish(req, res);
	if (pooled)
		json_pool_end();
}

void route_dispatch(const struct route *table, struct http_request *req,
		    struct http_response *res)
{
	const struct route *r = NULL;
	unsigned allowed = 0;
	req->route_index = -1;
	enum route_result result = route_find(table, req, &r, &allowed);
	route_run(r, result, allowed, req, res);
}
