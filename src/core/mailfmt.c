/*
 * mailfmt.c - RFC 5322 messages with MIME UTF-8 text (base64) and RFC 2047
 * encoded-word headers; address syntax check. Pure: no I/O, no clock.
 */
#include "core/mailfmt.h"

#include <string.h>

#include "util/err.h"
#include "util/text.h"

#define LINE_MAX_HDR 78	/* RFC 5322 2.1.1: SHOULD be no more than 78 */
#define WORD_RAW_MAX 45	/* 45 bytes -> 60 base64 chars; + 12 = 72 <= 75 */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void mailfmt_base64(const void *data, size_t len, bool lines,
		    struct buf *out)
{
	const unsigned char *p = data;
	size_t col = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		buf_addch(out, b64[(v >> 18) & 63]);
		buf_addch(out, b64[(v >> 12) & 63]);
		buf_addch(out, i + 1 < len ? b64[(v >> 6) & 63] : '=');
		buf_addch(out, i + 2 < len ? b64[v & 63] : '=');
		col += 4;
		if (lines && col >= 76) {
			buf_adds(out, "\r\n");
			col = 0;
		}
	}
	if (lines && col)
		buf_adds(out, "\r\n");
}

bool mailfmt_address_ok(const char *addr)
{
	if (!addr)
		return false;
	size_t n = strlen(addr);
	const char *at = strchr(addr, '@');
	if (n == 0 || n > MAILFMT_ADDR_MAX || !at || at == addr ||
	    strchr(at + 1, '@') || !at[1])
		return false;
	for (const char *p = addr; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>()[],;:\\", c))
			return false;
	}
	const char *d = at + 1;
	size_t dl = strlen(d);
	if (d[0] == '.' || d[dl - 1] == '.' || d[0] == '-')
		return false;
	for (const char *p = d; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' ||
			  (c == '.' && p[1] != '.');
		if (!ok)
			return false;
	}
	return true;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for others). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	if (c >= 0xC0)
		return 2;
	return 1;
}

void mailfmt_header_text(const char *s, size_t used, struct buf *out)
{
	struct buf clean = BUF_INIT;
	bool plain = true;
	for (const char *p = s ? s : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if (c >= 0x80)
			plain = false;
		buf_addch(&clean, c);
	}
	if (strstr(clean.ptr, "=?") || used + clean.len > LINE_MAX_HDR)
		plain = false;
	if (plain) {
		buf_add(out, clean.ptr, clean.len);
		goto out;
	}
	/* Encoded words of whole characters, at most WORD_RAW_MAX bytes. */
	for (size_t i = 0; i < clean.len;) {
		size_t j = i;
		while (j < clean.len) {
			size_t l = seq_len((unsigned char)clean.ptr[j]);
			if (j + l > clean.len)
				l = clean.len - j;
			if (j + l - i > WORD_RAW_MAX)
				break;
			j += l;
		}
		if (j == i)	/* cannot happen: a sequence is <= 4 bytes */
			j = i + 1;
		if (i > 0)
			buf_adds(out, "\r\n ");
		buf_adds(out, "=?UTF-8?B?");
		mailfmt_base64(clean.ptr + i, j - i, false, out);
		buf_adds(out, "?=");
		i = j;
	}
out:
	buf_release(&clean);
}

void mailfmt_date(mc_time t, struct buf *out)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
					    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
					      "May", "Jun", "Jul", "Aug",
					      "Sep", "Oct", "Nov", "Dec" };
	struct mc_civil c;
	mctime_to_local(t, &c);
	buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0700", days[c.wday],
		 c.day, months[c.month - 1], c.year, c.hour, c.min, c.sec);
}

static bool id_ok(const char *id)
{
	if (!id || !*id || !strchr(id, '@'))
		return false;
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
			return false;
	}
	return true;
}

int mailfmt_build(const struct mail_message *m, struct buf *out,
		  struct buf *err)
{
	const char *body = m->body ? m->body : "";
	size_t blen = strlen(body);
	struct buf crlf = BUF_INIT;
	if (!mailfmt_address_ok(m->from) || !mailfmt_address_ok(m->to)) {
		buf_setf(err, "bad address: %s",
			 mailfmt_address_ok(m->from) ? "to" : "from");
		return MC_EINVALID;
	}
	if (!id_ok(m->message_id)) {
		buf_setf(err, "bad message id");
		return MC_EINVALID;
	}
	if (!text_utf8_valid(body, blen, NULL) ||
	    (m->subject && !text_utf8_valid(m->subject, strlen(m->subject),
					    NULL))) {
		buf_setf(err, "subject or body is not valid UTF-8");
		return MC_EINVALID;
	}
	buf_adds(out, "From: ");
	if (m->from_name && *m->from_name) {
		bool ascii = strlen(m->from_name) < 60;
		for (const char *p = m->from_name; *p && ascii; p++)
			ascii = (unsigned char)*p >= 0x20 &&
				(unsigned char)*p < 0x7f;
		if (ascii) {	/* a quoted-string (RFC 5322 3.2.4) */
			buf_addch(out, '"');
			for (const char *p = m->from_name; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_addch(out, '\\');
				buf_addch(out, *p);
			}
			buf_addch(out, '"');
		} else {
			mailfmt_header_text(m->from_name, 6, out);
		}
		buf_addf(out, "\r\n <%s>\r\n", m->from);
	} else {
		buf_addf(out, "%s\r\n", m->from);
	}
	buf_addf(out, "To: %s\r\n", m->to);
	buf_adds(out, "Subject: ");
	mailfmt_header_text(m->subject, 9, out);
	buf_adds(out, "\r\nDate: ");
	mailfmt_date(m->date, out);
	buf_addf(out, "\r\nMessage-ID: <%s>\r\n", m->message_id);
	buf_adds(out, "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: base64\r\n"
		      "Auto-Submitted: auto-generated\r\n\r\n");
	for (size_t i = 0; i < blen; i++) {
		if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r'))
			buf_addch(&crlf, '\r');
		buf_addch(&crlf, body[i]);
	}
	mailfmt_base64(crlf.ptr, crlf.len, true, out);
	buf_release(&crlf);
	return 0;
}
