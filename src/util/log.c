/*
 * log.c - one line per message on stderr: "2026-11-27T08:00:00Z level msg".
 * The line is formatted first and written with one call so that lines of
 * several threads do not interleave.
 *
 * The server's writer (log_async_start): request threads never wait for
 * the disk. A write(2) to a log file can block for tens of milliseconds
 * (the kernel throttles writers while dirty pages are flushed) and holds
 * the file's lock meanwhile, so every thread logging a request waited
 * behind it: /healthz had a p99 of 80 ms at 16 connections with the
 * access log on a file, 5.5 ms without it (bench/run.sh). With the writer
 * running, a line is copied into a buffer and one thread writes the
 * buffer out, gathering lines for 20 ms (one write for many requests; at
 * 2 ms the writer's wake-ups, a futex and a sleep per few requests, were
 * two context switches per intake and a tenth of its CPU);
 * warnings and errors are written at once and wait until they are (they
 * come out in order, before the request that logged them ends), info
 * lines do not. When the buffer is full a line is written directly, so nothing is
 * ever dropped.
 */
#include "util/log.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_min_level = LOG_INFO;

#define LOG_BUF_SIZE (256 * 1024)
#define LOG_GATHER_NS (20 * 1000 * 1000)	/* 20 ms */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, written;
	pthread_t thread;
	bool running, stopping;
	bool urgent;		/* a warning waits: write at once */
	char buf[LOG_BUF_SIZE];
	size_t len;
	uint64_t queued, flushed;	/* bytes ever queued / written */
} aw = { .lock = PTHREAD_MUTEX_INITIALIZER,
	 .more = PTHREAD_COND_INITIALIZER,
	 .written = PTHREAD_COND_INITIALIZER };

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w <= 0)
			return;	/* nowhere to report it */
		p += w;
		n -= (size_t)w;
	}
}

static void *writer(void *arg)
{
	static char out[LOG_BUF_SIZE];
	pthread_mutex_lock(&aw.lock);
	for (;;) {
		while (!aw.len && !aw.stopping)
			pthread_cond_wait(&aw.more, &aw.lock);
		if (!aw.len && aw.stopping)
			break;
		if (!aw.stopping && !aw.urgent) {
			/* Let a busy server's lines gather: one write for
			 * many requests, not a wake-up and a write each. */
			pthread_mutex_unlock(&aw.lock);
			struct timespec ts = { 0, LOG_GATHER_NS };
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&aw.lock);
		}
		aw.urgent = false;
		size_t n = aw.len;
		memcpy(out, aw.buf, n);
		aw.len = 0;
		uint64_t upto = aw.queued;
		pthread_mutex_unlock(&aw.lock);
		write_all(out, n);
		pthread_mutex_lock(&aw.lock);
		aw.flushed = upto;
		pthread_cond_broadcast(&aw.written);
	}
	pthread_mutex_unlock(&aw.lock);
	return NULL;
}

int log_async_start(void)
{
	pthread_mutex_lock(&aw.lock);
	int rc = 0;
	if (!aw.running) {
		/* The writer takes no signals: the server's main thread
		 * waits for SIGTERM with sigwait (web/server.c). */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		aw.stopping = false;
		rc = pthread_create(&aw.thread, NULL, writer, NULL) ? -1 : 0;
		aw.running = rc == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_mutex_unlock(&aw.lock);
	return rc;
}

void log_async_stop(void)
{
	pthread_mutex_lock(&aw.lock);
	if (!aw.running) {
		pthread_mutex_unlock(&aw.lock);
		return;
	}
	aw.stopping = true;
	pthread_cond_signal(&aw.more);
	pthread_mutex_unlock(&aw.lock);
	pthread_join(aw.thread, NULL);
	pthread_mutex_lock(&aw.lock);
	aw.running = false;
	pthread_mutex_unlock(&aw.lock);
}

/* Hands a line to the writer, or writes it here when there is none or no
 * room; `wait`: returns once it is written. */
static void emit(const char *line, size_t n, bool wait)
{
	pthread_mutex_lock(&aw.lock);
	if (!aw.running || aw.stopping || aw.len + n > sizeof(aw.buf)) {
		pthread_mutex_unlock(&aw.lock);
		write_all(line, n);
		return;
	}
	bool idle = aw.len == 0;
	memcpy(aw.buf + aw.len, line, n);
	aw.len += n;
	aw.queued += n;
	uint64_t mine = aw.queued;
	if (wait)
		aw.urgent = true;
	if (idle || wait)	/* else the writer has been told already */
		pthread_cond_signal(&aw.more);
	while (wait && aw.flushed < mine && aw.running)
		pthread_cond_wait(&aw.written, &aw.lock);
	pthread_mutex_unlock(&aw.lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	if (level < log_min_level)
		return;
	char line[2048];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s ", names[level]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += (size_t)m;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	emit(line, n, level >= LOG_WARN);
}
