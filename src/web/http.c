/*
 * http.c - accessors of the request/response abstraction (web/http.h).
 * Linear scans: requests carry a few dozen pairs at most.
 */
#include "web/http.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/json.h"
#include "util/xalloc.h"

static const char *kv_find(const struct http_kv *kv, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].name, name))
			return kv[i].value;
	return NULL;
}

/* Is the address [s, s+n) one of the list `trusted`? */
static bool trusted_has(const char *trusted, const char *s, size_t n)
{
	const char *p = trusted;
	while (p && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t len = strcspn(p, ", ");
		if (len && len == n && !memcmp(p, s, n))
			return true;
		p += len;
	}
	return false;
}

const char *http_forwarded_client(struct arena *a, const char *peer,
				  const char *xff, const char *trusted)
{
	if (!peer || !xff || !trusted || !*trusted ||
	    !trusted_has(trusted, peer, strlen(peer)))
		return peer;
	const char *end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		const char *s = start, *e = end;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t n = (size_t)(e - s);
		char text[INET6_ADDRSTRLEN];
		unsigned char bin[sizeof(struct in6_addr)];
		if (!n || n >= sizeof(text))
			return peer;
		memcpy(text, s, n);
		text[n] = '\0';
		if (inet_pton(AF_INET, text, bin) != 1 &&
		    inet_pton(AF_INET6, text, bin) != 1)
			return peer;
		if (!trusted_has(trusted, s, n))
			return arena_strdup(a, text);
		end = start > xff ? start - 1 : xff;
	}
	return peer;
}

static void json_body_free(void *p)
{
	json_decref(p);
}

json_t *http_json_body(struct http_request *req)
{
	if (!req->json_parsed) {
		req->json_parsed = true;
		const char *ct = http_header(req, "content-type");
		if (!ct || strncmp(ct, "application/json", 16) ||
		    !req->body_len)
			return NULL;
		json_t *j = json_loadb(req->body, req->body_len, 0, NULL);
		if (j && !json_is_object(j)) {
			json_decref(j);
			j = NULL;
		}
		if (j && req->arena && json_pool_current() == req->arena)
			;	/* in the request's JSON pool: the arena frees it */
		else if (j && req->arena)
			arena_defer(req->arena, json_body_free, j);
		else if (j) {
			/* No arena (a test's bare request): not kept. */
			req->json_parsed = false;
			return j;
		}
		req->json_body = j;
	}
	return json_incref(req->json_body);
}

const char *http_query(const struct http_request *req, const char *name)
{
	return kv_find(req->query_params, req->n_query_params, name);
}

const char *http_header(const struct http_request *req, const char *name)
{
	return kv_find(req->headers, req->n_headers, name);
}

const char *http_param(const struct http_request *req, const char *name)
{
	return kv_find(req->params, req->n_params, name);
}

const char *http_form(const struct http_request *req, const char *name)
{
	return kv_find(req->form_params, req->n_form_params, name);
}

const struct http_upload *http_upload(const struct http_request *req,
				      const char *name)
{
	for (int i = 0; i < req->n_uploads; i++)
		if (!strcmp(req->uploads[i].field, name))
			return &req->uploads[i];
	return NULL;
}

void http_set_header(struct http_request *req, struct http_response *res,
		     const char *name, const char *value)
{
	/* Replace a header of the same name: one value per name, except
	 * Set-Cookie, which is sent once per cookie (RFC 6265 §3; added by
	 * auth). */
	bool multi = !strcasecmp(name, "set-cookie");
	for (int i = 0; !multi && i < res->n_headers; i++) {
		if (!strcasecmp(res->headers[i].name, name)) {
			res->headers[i].value = arena_strdup(req->arena, value);
			return;
		}
	}
	if (res->n_headers >= (int)ARRAY_SIZE(res->headers))
		BUG("more than %zu response headers",
		    ARRAY_SIZE(res->headers));
	res->headers[res->n_headers].name = arena_strdup(req->arena, name);
	res->headers[res->n_headers].value = arena_strdup(req->arena, value);
	res->n_headers++;
}

void http_response_init(struct http_response *res)
{
	memset(res, 0, sizeof(*res));
	res->status = 200;
	buf_init(&res->body, 0);
}

void http_response_release(struct http_response *res)
{
	buf_release(&res->body);
	json_decref(res->model);
	res->model = NULL;
	if (res->has_file)
		close(res->file_fd);
	res->has_file = false;
}

static const struct {
	enum http_method m;
	const char *name;
} methods[] = {
	{ HTTP_GET, "GET" },	   { HTTP_HEAD, "HEAD" },
	{ HTTP_POST, "POST" },	   { HTTP_PUT, "PUT" },
	{ HTTP_DELETE, "DELETE" },
};

const char *http_method_name(enum http_method m)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "OTHER";
}

enum http_method http_method_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (!strcmp(methods[i].name, s))
			return methods[i].m;
	return HTTP_OTHER;
}
