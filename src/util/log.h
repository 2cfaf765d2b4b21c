/*
 * log.h - diagnostics on stderr, one line each, with a UTC timestamp.
 * Never pass secrets (passwords, tokens, session ids) to these functions.
 */
#ifndef MC_UTIL_LOG_H
#define MC_UTIL_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

extern enum log_level log_min_level;

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The server's log writer (log.c says why): after log_async_start(),
 * lines go through a buffer that one thread writes out; warnings and
 * errors return once written. log_async_stop() writes what is left and
 * ends the thread; without them every line is written at once. 0 or -1
 * (no thread: lines are still written, synchronously).
 */
int log_async_start(void);
void log_async_stop(void);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
