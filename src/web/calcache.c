/*
 * calcache.c - the process's calendar snapshot and its deadline engines
 * (see calcache.h). Readers: a read lock held for two instructions (load
 * the pointer, count a reference), then no lock at all. Loads and
 * refreshes are serialised by a mutex that only the loading thread takes.
 */
#include "web/calcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"
#include "store/calendar_repo.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CHECK_INTERVAL_MS 1000

struct engine_slot {
	char *key;		/* officehours_format() + policy */
	struct deadline dl;
};

struct calcache_snap {
	atomic_int refs;
	uint64_t hash;			/* of the stored rows it was built from */
	struct schedule sched;		/* owns the names cal borrows */
	struct calendar cal;
	pthread_mutex_t build_lock;	/* serialises engine builds only */
	/* slots[0..n_slots) are complete before n_slots is released. */
	struct engine_slot *slots[CALCACHE_MAX_ENGINES];
	atomic_int n_slots;
};

static pthread_rwlock_t cur_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct calcache_snap *cur;	/* holds one reference; cur_lock */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int64_t next_check_ms;

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a over every field of every row, with separators. */
static uint64_t hash_rows(const struct schedule *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < s->n_rows; i++) {
		const struct schedule_row *r = &s->rows[i];
		char head[32];
		int n = snprintf(head, sizeof(head), "%ld|%d|", (long)r->day,
				 (int)r->kind);
		const char *parts[3] = { head, r->name, r->source };
		size_t lens[3] = { (size_t)n, strlen(r->name) + 1,
				   strlen(r->source) + 1 };
		for (int k = 0; k < 3; k++) {
			const unsigned char *p = (const unsigned char *)parts[k];
			for (size_t j = 0; j < lens[k]; j++) {
				h ^= p[j];
				h *= 1099511628211ULL;
			}
		}
	}
	return h;
}

static void snap_free(struct calcache_snap *s)
{
	int n = atomic_load(&s->n_slots);
	for (int i = 0; i < n; i++) {
		deadline_release(&s->slots[i]->dl);
		free(s->slots[i]->key);
		free(s->slots[i]);
	}
	pthread_mutex_destroy(&s->build_lock);
	calendar_release(&s->cal);
	schedule_release(&s->sched);
	free(s);
}

void calcache_put(struct calcache_snap *s)
{
	if (s && atomic_fetch_sub(&s->refs, 1) == 1)
		snap_free(s);
}

/* A new reference to the published snapshot, or NULL. */
static struct calcache_snap *acquire(void)
{
	pthread_rwlock_rdlock(&cur_lock);
	struct calcache_snap *s = cur;
	if (s)
		atomic_fetch_add(&s->refs, 1);
	pthread_rwlock_unlock(&cur_lock);
	return s;
}

/* Replaces the published snapshot by `s` (its one reference moves in). */
static void publish(struct calcache_snap *s)
{
	pthread_rwlock_wrlock(&cur_lock);
	struct calcache_snap *old = cur;
	cur = s;
	pthread_rwlock_unlock(&cur_lock);
	calcache_put(old);
}

/*
 * Builds a snapshot from rows `sched` (moved into it: *sched is left
 * empty). MC_EINVALID when the rows do not make a calendar.
 */
static int snap_build(struct schedule *sched, uint64_t hash,
		      struct calcache_snap **out, struct buf *err)
{
	struct calcache_snap *s = xcalloc(1, sizeof(*s));
	int rc;
	atomic_init(&s->refs, 1);
	atomic_init(&s->n_slots, 0);
	pthread_mutex_init(&s->build_lock, NULL);
	s->hash = hash;
	s->sched = *sched;
	*sched = (struct schedule)SCHEDULE_INIT;
	calendar_init(&s->cal, CALCACHE_FIRST_YEAR, CALCACHE_LAST_YEAR);
	rc = schedule_fill(&s->sched, &s->cal, err);
	if (!rc)
		rc = calendar_finish(&s->cal, err);
	if (rc) {
		snap_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/*
 * Reads the stored rows; when their hash differs from `have` (or there is
 * no snapshot), builds and publishes a new snapshot. Called with
 * load_lock held.
 */
static int refresh(struct db *db, const struct calcache_snap *have,
		   struct buf *err)
{
	struct schedule rows = SCHEDULE_INIT;
	struct calcache_snap *s = NULL;
	int rc = calendar_repo_load(db, &rows, err);
	if (rc)
		goto out;
	uint64_t h = hash_rows(&rows);
	if (have && have->hash == h)
		goto out;
	if ((rc = snap_build(&rows, h, &s, err)))
		goto out;
	publish(s);
	if (have)
		log_info("calendar: reloaded (%d stored days)", s->sched.n_rows);
out:
	schedule_release(&rows);
	return rc;
}

int calcache_get(struct db *db, struct calcache_snap **out, struct buf *err)
{
	int64_t now = monotonic_ms();
	struct calcache_snap *s = acquire();
	int rc = 0;
	if (s) {
		int64_t due = atomic_load(&next_check_ms);
		/* One thread per second wins the check; the others go on. */
		if (now < due || !atomic_compare_exchange_strong(
					 &next_check_ms, &due,
					 now + CHECK_INTERVAL_MS))
			goto done;
		struct buf why = BUF_INIT;
		pthread_mutex_lock(&load_lock);
		if (refresh(db, s, &why))
			log_error("calendar: refresh failed, serving the loaded "
				  "calendar: %s", why.ptr);
		pthread_mutex_unlock(&load_lock);
		buf_release(&why);
		calcache_put(s);
		s = acquire();
		goto done;
	}
	pthread_mutex_lock(&load_lock);
	s = acquire();
	if (!s) {
		rc = refresh(db, NULL, err);
		if (!rc) {
			atomic_store(&next_check_ms, now + CHECK_INTERVAL_MS);
			s = acquire();
		}
	}
	pthread_mutex_unlock(&load_lock);
	if (!rc && !s) {
		/* A reset between publish and acquire: rare; say so. */
		buf_setf(err, "calendar: the cache was reset while loading");
		rc = MC_EDB;
	}
done:
	*out = s;
	return rc;
}

const struct calendar *calcache_calendar(const struct calcache_snap *s)
{
	return &s->cal;
}

static char *engine_key(const struct officehours *oh,
			const struct deadline_policy *pol)
{
	struct buf b = BUF_INIT;
	officehours_format(oh, &b);
	buf_addf(&b, "|%d|%d|%d", (int)pol->count,
		 (int)pol->rest_day_sessions_count, pol->approach_permille);
	return buf_detach(&b, NULL);
}

static struct engine_slot *find_slot(struct calcache_snap *s, int n,
				     const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s->slots[i]->key, key))
			return s->slots[i];
	return NULL;
}

int calcache_engine(struct calcache_snap *s, const struct officehours *oh,
		    const struct deadline_policy *pol,
		    const struct deadline **out, struct deadline **owned,
		    struct buf *err)
{
	struct deadline_policy defaults;
	if (!pol) {
		deadline_policy_default(&defaults);
		pol = &defaults;
	}
	char *key = engine_key(oh, pol);
	int rc = 0;
	*owned = NULL;
	struct engine_slot *slot = find_slot(
		s, atomic_load_explicit(&s->n_slots, memory_order_acquire), key);
	if (slot)
		goto found;

	pthread_mutex_lock(&s->build_lock);
	int n = atomic_load_explicit(&s->n_slots, memory_order_relaxed);
	slot = find_slot(s, n, key);
	if (!slot && n < CALCACHE_MAX_ENGINES) {
		struct engine_slot *e = xcalloc(1, sizeof(*e));
		rc = deadline_init(&e->dl, &s->cal, oh, pol, err);
		if (rc) {
			free(e);
		} else {
			e->key = key;
			key = NULL;
			s->slots[n] = e;
			atomic_store_explicit(&s->n_slots, n + 1,
					      memory_order_release);
			slot = e;
		}
	}
	pthread_mutex_unlock(&s->build_lock);
	if (rc)
		goto out;
	if (!slot) {
		/* Full: an engine for this caller alone. */
		struct deadline *d = xcalloc(1, sizeof(*d));
		rc = deadline_init(d, &s->cal, oh, pol, err);
		if (rc) {
			free(d);
			goto out;
		}
		*owned = d;
		*out = d;
		goto out;
	}
found:
	*out = &slot->dl;
out:
	free(key);
	return rc;
}

void calcache_engine_done(struct deadline *owned)
{
	if (!owned)
		return;
	deadline_release(owned);
	free(owned);
}

void calcache_reset(void)
{
	pthread_mutex_lock(&load_lock);
	publish(NULL);
	atomic_store(&next_check_ms, 0);
	pthread_mutex_unlock(&load_lock);
}
