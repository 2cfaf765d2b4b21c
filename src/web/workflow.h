/*
 * workflow.h - what the back-office handlers share (web/h_workflow.c: the
 * officers' home, work queues, the tracking book; web/h_dossier.c: the
 * dossier page, its actions, printable forms, the slip, payments). Internal
 * to those two files: nothing else includes it. No SQL here (store/), no
 * rules (core/dossier.h).
 */
#ifndef MC_WEB_WORKFLOW_H
#define MC_WEB_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/deadline.h"
#include "core/mctime.h"
#include "store/db.h"
#include "web/calcache.h"
#include "web/http.h"

/* The clock of the request (the only place the handlers read it). */
mc_time wf_now(void);

/* "23/02/2026 17:05" (UTC+7) in the arena; "" for 0. */
const char *wf_time_text(struct http_request *req, mc_time t);
/* The same from an ISO string of a model ("2026-02-23T17:05:00+07:00");
 * "" for null or a short string. */
const char *wf_iso_text(struct http_request *req, json_t *iso);
/* An ISO string of a model -> instant; 0 for null or unreadable. */
mc_time wf_iso_time(json_t *iso);

/* "còn 3 giờ 20 phút làm việc" / "quá hạn 1 giờ làm việc" (arena). */
const char *wf_work_text(struct http_request *req, int64_t seconds,
			 int std_day_min);

/* Labels of a queue mark: "overdue" -> "Quá hạn" ... ("" if unknown). */
const char *wf_mark_label(const char *mark);

/*
 * The deadline engine of the desk of commune `desk_unit` (its office hours,
 * web/calcache.h), held until wf_engine_done(). MC_ENOTFOUND (no desk),
 * MC_EINVALID (stored hours unreadable), MC_EDB; reason in err.
 */
struct wf_engine {
	struct calcache_snap *snap;
	const struct deadline *dl;
	struct deadline *owned;
};
int wf_engine_get(struct db *db, const char *desk_unit, struct wf_engine *e,
		  struct buf *err);
void wf_engine_done(struct wf_engine *e);

/*
 * Answers an error as the API's shape {"error":{"code","field","message"}}
 * (field NULL: left out) for JSON, or the error page for browsers.
 */
int wf_error(struct http_request *req, struct http_response *res, int status,
	     const char *code, const char *field, const char *message);

#endif
