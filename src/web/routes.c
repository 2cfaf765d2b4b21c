/*
 * routes.c - the routing table of the site: one row per route, tried in
 * order (see "How to add a page" in web/route.h). Literal paths before
 * patterns that would also match them.
 */
#include "web/route.h"

#include "web/handlers.h"

const struct route web_routes[] = {
	/* System (web/h_system.c). */
	{ HTTP_GET, "/healthz", handle_healthz, 0 },
	{ HTTP_GET, "/metrics", handle_metrics, 0 },
	{ HTTP_GET, "/static/{path...}", handle_static, 0 },
	{ HTTP_GET, "/favicon.ico", handle_favicon, 0 },
	{ HTTP_GET, "/robots.txt", handle_robots, 0 },

	/* Public pages (engineer "pages"): add rows below. */

	{ 0, NULL, NULL, 0 },
};
