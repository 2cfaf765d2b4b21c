/*
 * http.c - accessors of the request/response abstraction (web/http.h).
 * Linear scans: requests carry a few dozen pairs at most.
 */
#include "web/http.h"

#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/xalloc.h"

static const char *kv_find(const struct http_kv *kv, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(kv[i].name, name))
			return kv[i].value;
	return NULL;
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
		if (j && req->arena)
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
