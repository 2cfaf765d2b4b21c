/*
 * metrics.c - lock-free request counters and their Prometheus text
 * exposition (format 0.0.4). Counters are relaxed atomics in arrays sized
 * at start: [route][status] and one latency histogram per route.
 */
#include "web/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/xalloc.h"
#include "web/route.h"

/* The statuses counted separately; anything else goes to "other". */
static const int statuses[] = { 200, 201, 204, 301, 302, 303, 304, 307,
				308, 400, 401, 403, 404, 405, 409, 413,
				422, 429, 431, 500, 503 };
#define N_STATUS (ARRAY_SIZE(statuses) + 1)

/* Upper bounds of the latency buckets, in microseconds (+Inf last). */
static const uint64_t bounds_us[] = { 500,    1000,   2500,   5000,
				      10000,  25000,  50000,  100000,
				      250000, 500000, 1000000, 2500000,
				      5000000, 10000000 };
#define N_BUCKET (ARRAY_SIZE(bounds_us) + 1)

struct route_counters {
	_Atomic uint64_t by_status[N_STATUS];
	_Atomic uint64_t bucket[N_BUCKET];	/* not cumulative */
	_Atomic uint64_t sum_us;
};

struct metrics {
	int n_routes;	/* rows of the table; index n_routes: "none" */
	const char **patterns;
	struct route_counters *c;
	_Atomic int64_t in_flight;
	_Atomic uint64_t db_unavailable;
};

struct metrics *metrics_new(const struct route *table)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	while (table && table[m->n_routes].pattern)
		m->n_routes++;
	m->patterns = xcalloc((size_t)m->n_routes + 1, sizeof(char *));
	for (int i = 0; i < m->n_routes; i++)
		m->patterns[i] = table[i].pattern;
	m->patterns[m->n_routes] = "none";
	m->c = xcalloc((size_t)m->n_routes + 1, sizeof(*m->c));
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->patterns);
	free(m->c);
	free(m);
}

void metrics_observe(struct metrics *m, int route_index, int status,
		     uint64_t usec)
{
	if (route_index < 0 || route_index >= m->n_routes)
		route_index = m->n_routes;
	struct route_counters *c = &m->c[route_index];
	size_t s = N_STATUS - 1;
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i] == status)
			s = i;
	size_t b = N_BUCKET - 1;
	for (size_t i = 0; i < ARRAY_SIZE(bounds_us); i++) {
		if (usec <= bounds_us[i]) {
			b = i;
			break;
		}
	}
	atomic_fetch_add_explicit(&c->by_status[s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_us, usec, memory_order_relaxed);
}

void metrics_in_flight(struct metrics *m, int delta)
{
	atomic_fetch_add_explicit(&m->in_flight, delta, memory_order_relaxed);
}

void metrics_db_unavailable(struct metrics *m)
{
	atomic_fetch_add_explicit(&m->db_unavailable, 1,
				  memory_order_relaxed);
}

/* Label values are our own route patterns; escape per the format anyway. */
static void add_label(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_addch(out, '\\');
		if (*s == '\n')
			buf_adds(out, "\\n");
		else
			buf_addch(out, *s);
	}
}

static uint64_t load(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void metrics_write(struct metrics *m, struct buf *out)
{
	buf_adds(out, "# HELP motcua_http_requests_total HTTP requests "
		      "answered, by route pattern and status.\n"
		      "# TYPE motcua_http_requests_total counter\n");
	for (int r = 0; r <= m->n_routes; r++) {
		for (size_t s = 0; s < N_STATUS; s++) {
			uint64_t v = load(&m->c[r].by_status[s]);
			if (!v)
				continue;
			buf_adds(out, "motcua_http_requests_total{route=\"");
			add_label(out, m->patterns[r]);
			if (s < ARRAY_SIZE(statuses))
				buf_addf(out, "\",status=\"%d\"}", statuses[s]);
			else
				buf_adds(out, "\",status=\"other\"}");
			buf_addf(out, " %llu\n", (unsigned long long)v);
		}
	}
	buf_adds(out, "# HELP motcua_http_request_duration_seconds Time to "
		      "answer a request, by route pattern.\n"
		      "# TYPE motcua_http_request_duration_seconds "
		      "histogram\n");
	for (int r = 0; r <= m->n_routes; r++) {
		uint64_t snap[N_BUCKET], count = 0;
		for (size_t b = 0; b < N_BUCKET; b++)
			count += snap[b] = load(&m->c[r].bucket[b]);
		if (!count)
			continue;
		uint64_t cum = 0;
		for (size_t b = 0; b < N_BUCKET; b++) {
			cum += snap[b];
			buf_adds(out, "motcua_http_request_duration_seconds_"
				      "bucket{route=\"");
			add_label(out, m->patterns[r]);
			if (b < ARRAY_SIZE(bounds_us))
				buf_addf(out, "\",le=\"%g\"}",
					 (double)bounds_us[b] / 1e6);
			else
				buf_adds(out, "\",le=\"+Inf\"}");
			buf_addf(out, " %llu\n", (unsigned long long)cum);
		}
		buf_adds(out, "motcua_http_request_duration_seconds_sum"
			      "{route=\"");
		add_label(out, m->patterns[r]);
		buf_addf(out, "\"} %.6f\n",
			 (double)load(&m->c[r].sum_us) / 1e6);
		buf_adds(out, "motcua_http_request_duration_seconds_count"
			      "{route=\"");
		add_label(out, m->patterns[r]);
		buf_addf(out, "\"} %llu\n", (unsigned long long)cum);
	}
	buf_addf(out,
		 "# HELP motcua_http_requests_in_flight Requests being "
		 "answered now.\n"
		 "# TYPE motcua_http_requests_in_flight gauge\n"
		 "motcua_http_requests_in_flight %lld\n",
		 (long long)atomic_load_explicit(&m->in_flight,
						 memory_order_relaxed));
	buf_addf(out,
		 "# HELP motcua_db_errors_total Database errors since "
		 "start.\n"
		 "# TYPE motcua_db_errors_total counter\n"
		 "motcua_db_errors_total %llu\n",
		 (unsigned long long)db_error_count());
	buf_addf(out,
		 "# HELP motcua_db_unavailable_total Requests that could not "
		 "get a database connection.\n"
		 "# TYPE motcua_db_unavailable_total counter\n"
		 "motcua_db_unavailable_total %llu\n",
		 (unsigned long long)load(&m->db_unavailable));
	uint64_t commits, members;
	db_group_stats(&commits, &members);
	buf_addf(out,
		 "# HELP motcua_db_group_commits_total SQLite group commits "
		 "(store/db.c).\n"
		 "# TYPE motcua_db_group_commits_total counter\n"
		 "motcua_db_group_commits_total %llu\n"
		 "# HELP motcua_db_group_members_total Write transactions "
		 "committed in those groups.\n"
		 "# TYPE motcua_db_group_members_total counter\n"
		 "motcua_db_group_members_total %llu\n",
		 (unsigned long long)commits, (unsigned long long)members);
	uint64_t copies, restarts, failed;
	db_wal_stats(&copies, &restarts, &failed);
	buf_addf(out,
		 "# HELP motcua_db_wal_copies_total SQLite WAL checkpoints "
		 "beside the writer.\n"
		 "# TYPE motcua_db_wal_copies_total counter\n"
		 "motcua_db_wal_copies_total %llu\n"
		 "# HELP motcua_db_wal_restarts_total SQLite WAL restarts "
		 "(writers stopped; store/db.c).\n"
		 "# TYPE motcua_db_wal_restarts_total counter\n"
		 "motcua_db_wal_restarts_total %llu\n"
		 "# HELP motcua_db_wal_restarts_failed_total WAL restarts "
		 "not done: a reader stayed.\n"
		 "# TYPE motcua_db_wal_restarts_failed_total counter\n"
		 "motcua_db_wal_restarts_failed_total %llu\n",
		 (unsigned long long)copies, (unsigned long long)restarts,
		 (unsigned long long)failed);
}
