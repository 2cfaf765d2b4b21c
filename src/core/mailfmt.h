/*
 * mailfmt.h - an e-mail as bytes: an RFC 5322 message with MIME (RFC 2045)
 * UTF-8 text in base64, the subject and display name as RFC 2047 encoded
 * words, Date (RFC 5322 3.3, UTC+7) and Message-ID. Pure: no I/O, no
 * clock (the date is an argument). Used by the notification sender
 * (web/notify.c); delivery is not done here.
 */
#ifndef MC_CORE_MAILFMT_H
#define MC_CORE_MAILFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mctime.h"
#include "util/buf.h"

#define MAILFMT_ADDR_MAX 254	/* RFC 5321 4.5.3.1.3 path, less <> */

struct mail_message {
	const char *from_name;	/* display name (UTF-8) or NULL */
	const char *from;	/* addr-spec: local@domain */
	const char *to;		/* addr-spec */
	const char *subject;	/* UTF-8, one line */
	const char *body;	/* UTF-8 text, lines ended by \n (or \r\n) */
	mc_time date;
	const char *message_id;	/* id-left@id-right, without <> */
};

/*
 * Whether `addr` is a plain ASCII addr-spec we are willing to put on the
 * wire: local@domain, at most MAILFMT_ADDR_MAX bytes, exactly one '@',
 * both parts non-empty, printable ASCII without spaces, quotes, angle
 * brackets, parentheses, commas, semicolons, backslashes or control
 * characters (so no header or SMTP command injection), the domain of
 * letters, digits, '-' and '.' not starting or ending with '.'.
 * (Internationalised addresses, RFC 6531, are not supported.)
 */
bool mailfmt_address_ok(const char *addr);

/*
 * Appends `s` as a header value: as is when it is printable ASCII without
 * "=?" and fits in a line with `used` bytes already on it; else as RFC
 * 2047 "B" encoded words (=?UTF-8?B?...?=, each at most 75 bytes, never
 * splitting a UTF-8 character), folded with CRLF SP between words.
 * Control characters (CR, LF ...) become spaces first.
 */
void mailfmt_header_text(const char *s, size_t used, struct buf *out);

/* Appends the RFC 5322 date of `t` in UTC+7: "Fri, 27 Nov 2026 17:47:24
 * +0700". */
void mailfmt_date(mc_time t, struct buf *out);

/* Appends base64 (RFC 4648) of data, lines of 76 characters ended by
 * CRLF (RFC 2045 6.8) when `lines`, else one line without end. */
void mailfmt_base64(const void *data, size_t len, bool lines,
		    struct buf *out);

/*
 * Appends the whole message, lines ended by CRLF: From, To, Subject, Date,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=UTF-8,
 * Content-Transfer-Encoding: base64, Auto-Submitted: auto-generated (RFC
 * 3834: automatic replies must not answer it), then the body (its line
 * ends made CRLF) in base64. MC_EINVALID (reason in err) for a bad from/to
 * address, a missing or non-ASCII message id, or a body that is not
 * valid UTF-8; nothing appended then.
 */
int mailfmt_build(const struct mail_message *m, struct buf *out,
		  struct buf *err);

#endif
