/*
 * handlers.h - the handlers named in the routing table (web/routes.c), one
 * line each, grouped by the file that defines them. All have the
 * http_handler signature (web/http.h); see "How to add a page" in
 * web/route.h.
 */
#ifndef MC_WEB_HANDLERS_H
#define MC_WEB_HANDLERS_H

#include "web/http.h"

/* web/h_system.c: health, metrics, static files. */
int handle_healthz(struct http_request *req, struct http_response *res);
int handle_metrics(struct http_request *req, struct http_response *res);
int handle_static(struct http_request *req, struct http_response *res);
int handle_favicon(struct http_request *req, struct http_response *res);
int handle_robots(struct http_request *req, struct http_response *res);

/* Public pages (engineer "pages"): add lines below, grouped by file. */
/* web/h_public.c: home, search, procedure, unit, QR board, QR images. */
int handle_home(struct http_request *req, struct http_response *res);
int handle_search(struct http_request *req, struct http_response *res);
int handle_procedure(struct http_request *req, struct http_response *res);
int handle_short(struct http_request *req, struct http_response *res);
int handle_unit(struct http_request *req, struct http_response *res);
int handle_board(struct http_request *req, struct http_response *res);
int handle_qr_svg(struct http_request *req, struct http_response *res);
int handle_qr_png(struct http_request *req, struct http_response *res);

/* web/h_calendar.c: working time API and the public calendar page. */
int handle_calendar_page(struct http_request *req, struct http_response *res);
int handle_api_calendar_lunar(struct http_request *req,
			      struct http_response *res);
int handle_api_calendar_solar(struct http_request *req,
			      struct http_response *res);
int handle_api_calendar_days_off(struct http_request *req,
				 struct http_response *res);
int handle_api_calendar_due(struct http_request *req,
			    struct http_response *res);
int handle_api_calendar_between(struct http_request *req,
				struct http_response *res);

/* web/h_audit.c: the audit trail for inspectors (engineer "audit"). */
int handle_audit(struct http_request *req, struct http_response *res);

#endif
