/*
 * mctime.h - instants as seconds since the Unix epoch, UTC (mc_time), and
 * their civil form in Asia/Ho_Chi_Minh (UTC+7, no DST since 1975). Stored
 * times are UTC; what people read and type is local. Pure: never reads the
 * clock (the caller passes "now").
 */
#ifndef MC_CORE_MCTIME_H
#define MC_CORE_MCTIME_H

#include <stdint.h>

#include "util/buf.h"

typedef int64_t mc_time;

/* Vietnam's offset from UTC, in seconds. */
#define MC_TZ_OFFSET (7 * 3600)
#define MC_DAY_SECONDS 86400

/* A civil date-time in UTC+7. wday: 0 = Sunday ... 6 = Saturday. */
struct mc_civil {
	int year, month, day, hour, min, sec, wday;
};

/* The local day (days since 1970-01-01 in UTC+7) an instant falls on. */
static inline int32_t mctime_local_day(mc_time t)
{
	int64_t l = t + MC_TZ_OFFSET;
	return (int32_t)(l >= 0 ? l / MC_DAY_SECONDS
				: -((-l + MC_DAY_SECONDS - 1) / MC_DAY_SECONDS));
}

/* Seconds since local midnight (0..86399). */
static inline int32_t mctime_local_sod(mc_time t)
{
	return (int32_t)(t + MC_TZ_OFFSET -
			 (int64_t)mctime_local_day(t) * MC_DAY_SECONDS);
}

/* The instant of local midnight starting local day `day`. */
static inline mc_time mctime_day_start(int32_t day)
{
	return (mc_time)day * MC_DAY_SECONDS - MC_TZ_OFFSET;
}

/* Local civil fields -> instant. The fields must be valid (no check). */
mc_time mctime_from_local(int y, int mo, int d, int h, int mi, int s);

/* Instant -> local civil fields. */
void mctime_to_local(mc_time t, struct mc_civil *out);

/*
 * Parses a local time as typed on the command line or in a form:
 * "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM", either with ":SS", or a bare
 * "YYYY-MM-DD" (00:00). An explicit offset "+07:00" or "Z" is honoured.
 * MC_EINVALID with the reason in err for anything else or an impossible
 * date (2026-02-30, 24:01).
 */
int mctime_parse(const char *s, mc_time *out, struct buf *err);

/* Appends ISO 8601 in local time: "2026-02-23T17:00:00+07:00". */
void mctime_format_iso(mc_time t, struct buf *out);

/* The same text into out (MCTIME_ISO_LEN characters and a NUL), without
 * printf: lists of dossiers format thousands of times per page. Returns
 * the length. */
#define MCTIME_ISO_LEN 25
size_t mctime_iso(mc_time t, char out[MCTIME_ISO_LEN + 1]);

/* Appends the short local form "2026-02-23 17:00" (seconds dropped). */
void mctime_format_local(mc_time t, struct buf *out);

#endif
