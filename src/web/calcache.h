/*
 * calcache.h - the server's calendar cache: the working calendar loaded
 * from table calendar_days (store/calendar_repo.h) once per process, with
 * the deadline engines (core/deadline.h) built on it, shared read-only by
 * the worker threads. Never holds a lock while a request computes: readers
 * take a reference to an immutable snapshot and give it back.
 *
 * Freshness. The first request loads the calendar. Afterwards, at most
 * once a second, one request (the first to see the second elapsed) reads
 * the stored rows again and compares their hash with the snapshot's; when
 * they differ (an import, or an edit by hand) it builds a new snapshot and
 * publishes it. Requests that hold the old one finish with it; it is freed
 * with its last reference. Like the catalog's search index, the cache
 * assumes one database per process (tests that switch call
 * calcache_reset()).
 */
#ifndef MC_WEB_CALCACHE_H
#define MC_WEB_CALCACHE_H

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/officehours.h"
#include "store/db.h"
#include "util/buf.h"

/* The years every snapshot answers, as the CLI's calendar_load.h. */
#define CALCACHE_FIRST_YEAR 1900
#define CALCACHE_LAST_YEAR 2199

/* Distinct (desk hours, policy) engines kept per snapshot (~1 MB each). */
#define CALCACHE_MAX_ENGINES 32

struct calcache_snap;

/*
 * A reference to the current snapshot into *out, loading or refreshing it
 * first when due (see above) with `db`, the caller's connection. Give it
 * back with calcache_put(). Errors: MC_EDB (cannot read the table: a
 * database `motcua init` has not prepared) or MC_EINVALID (bad stored
 * rows) when there is no snapshot yet, the reason in err; once a snapshot
 * exists a failed refresh is logged and the old snapshot served.
 */
int calcache_get(struct db *db, struct calcache_snap **out, struct buf *err);

/* Gives back a reference from calcache_get(); NULL is ignored. */
void calcache_put(struct calcache_snap *s);

/* The snapshot's finished calendar: valid while the reference is held. */
const struct calendar *calcache_calendar(const struct calcache_snap *s);

/*
 * A deadline engine over the snapshot's whole calendar for desk hours `oh`
 * and policy `pol` (NULL: the defaults), built on first use (~50 ms) and
 * kept with the snapshot; valid while the reference is held. Past
 * CALCACHE_MAX_ENGINES distinct keys the engine is built for this caller
 * alone: *owned is then set and the caller must deadline_release() and
 * free() it (calcache_engine_done() does both). Errors as deadline_init().
 */
int calcache_engine(struct calcache_snap *s, const struct officehours *oh,
		    const struct deadline_policy *pol,
		    const struct deadline **out, struct deadline **owned,
		    struct buf *err);
void calcache_engine_done(struct deadline *owned);

/*
 * Drops the published snapshot (freed once its last reader is done); the
 * next calcache_get() loads afresh. For tests that switch databases.
 */
void calcache_reset(void);

#endif
