/*
 * metrics.h - request counters for /metrics, in the Prometheus text
 * exposition format 0.0.4: requests by route pattern and status, a latency
 * histogram, requests in flight, database errors (store/db.h). Counting is
 * lock-free (relaxed atomics): no mutex on the hot path.
 */
#ifndef MC_WEB_METRICS_H
#define MC_WEB_METRICS_H

#include <stdint.h>

#include "util/buf.h"

struct route;
struct metrics;

/* Counters for the rows of `table` (ended by a zero row), plus one
 * pseudo-route for requests that matched none. */
struct metrics *metrics_new(const struct route *table);
void metrics_free(struct metrics *m);

/*
 * Counts one finished request: `route_index` is the row (-1: none),
 * `status` the HTTP status, `usec` the time from the first byte of the
 * request to the end of the response.
 */
void metrics_observe(struct metrics *m, int route_index, int status,
		     uint64_t usec);
/* Requests being processed now (the server adds +1 and -1). */
void metrics_in_flight(struct metrics *m, int delta);
/* A failure to get a database connection (app_db()). */
void metrics_db_unavailable(struct metrics *m);

/* Appends the exposition text (metric families with HELP and TYPE). */
void metrics_write(struct metrics *m, struct buf *out);

#endif
