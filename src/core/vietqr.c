/*
 * vietqr.c - the VietQR (NAPAS EMVCo) payload and its CRC-16/CCITT-FALSE.
 * Pure. Field layout and sources: vietqr.h (research §9.2).
 */
#include "core/vietqr.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

uint16_t vietqr_crc16(const char *p, size_t len)
{
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)((unsigned char)p[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021)
					     : (uint16_t)(crc << 1);
	}
	return crc;
}

static void tlv(struct buf *out, const char *id, const char *v, size_t len)
{
	buf_addf(out, "%s%02zu", id, len);
	buf_add(out, v, len);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Printable ASCII of a UTF-8 note: Vietnamese letters lose their marks. */
static void ascii_note(const char *s, struct buf *out, size_t max)
{
	/* base letters of the precomposed Vietnamese code points */
	static const struct {
		const char *utf8;
		char c;
	} map[] = {
		{ "à", 'a' }, { "á", 'a' }, { "ạ", 'a' }, { "ả", 'a' }, { "ã", 'a' },
		{ "â", 'a' }, { "ầ", 'a' }, { "ấ", 'a' }, { "ậ", 'a' }, { "ẩ", 'a' },
		{ "ẫ", 'a' }, { "ă", 'a' }, { "ằ", 'a' }, { "ắ", 'a' }, { "ặ", 'a' },
		{ "ẳ", 'a' }, { "ẵ", 'a' }, { "è", 'e' }, { "é", 'e' }, { "ẹ", 'e' },
		{ "ẻ", 'e' }, { "ẽ", 'e' }, { "ê", 'e' }, { "ề", 'e' }, { "ế", 'e' },
		{ "ệ", 'e' }, { "ể", 'e' }, { "ễ", 'e' }, { "ì", 'i' }, { "í", 'i' },
		{ "ị", 'i' }, { "ỉ", 'i' }, { "ĩ", 'i' }, { "ò", 'o' }, { "ó", 'o' },
		{ "ọ", 'o' }, { "ỏ", 'o' }, { "õ", 'o' }, { "ô", 'o' }, { "ồ", 'o' },
		{ "ố", 'o' }, { "ộ", 'o' }, { "ổ", 'o' }, { "ỗ", 'o' }, { "ơ", 'o' },
		{ "ờ", 'o' }, { "ớ", 'o' }, { "ợ", 'o' }, { "ở", 'o' }, { "ỡ", 'o' },
		{ "ù", 'u' }, { "ú", 'u' }, { "ụ", 'u' }, { "ủ", 'u' }, { "ũ", 'u' },
		{ "ư", 'u' }, { "ừ", 'u' }, { "ứ", 'u' }, { "ự", 'u' }, { "ử", 'u' },
		{ "ữ", 'u' }, { "ỳ", 'y' }, { "ý", 'y' }, { "ỵ", 'y' }, { "ỷ", 'y' },
		{ "ỹ", 'y' }, { "đ", 'd' }, { "À", 'A' }, { "Á", 'A' }, { "Ạ", 'A' },
		{ "Ả", 'A' }, { "Ã", 'A' }, { "Â", 'A' }, { "Ầ", 'A' }, { "Ấ", 'A' },
		{ "Ậ", 'A' }, { "Ẩ", 'A' }, { "Ẫ", 'A' }, { "Ă", 'A' }, { "Ằ", 'A' },
		{ "Ắ", 'A' }, { "Ặ", 'A' }, { "Ẳ", 'A' }, { "Ẵ", 'A' }, { "È", 'E' },
		{ "É", 'E' }, { "Ẹ", 'E' }, { "Ẻ", 'E' }, { "Ẽ", 'E' }, { "Ê", 'E' },
		{ "Ề", 'E' }, { "Ế", 'E' }, { "Ệ", 'E' }, { "Ể", 'E' }, { "Ễ", 'E' },
		{ "Ì", 'I' }, { "Í", 'I' }, { "Ị", 'I' }, { "Ỉ", 'I' }, { "Ĩ", 'I' },
		{ "Ò", 'O' }, { "Ó", 'O' }, { "Ọ", 'O' }, { "Ỏ", 'O' }, { "Õ", 'O' },
		{ "Ô", 'O' }, { "Ồ", 'O' }, { "Ố", 'O' }, { "Ộ", 'O' }, { "Ổ", 'O' },
		{ "Ỗ", 'O' }, { "Ơ", 'O' }, { "Ờ", 'O' }, { "Ớ", 'O' }, { "Ợ", 'O' },
		{ "Ở", 'O' }, { "Ỡ", 'O' }, { "Ù", 'U' }, { "Ú", 'U' }, { "Ụ", 'U' },
		{ "Ủ", 'U' }, { "Ũ", 'U' }, { "Ư", 'U' }, { "Ừ", 'U' }, { "Ứ", 'U' },
		{ "Ự", 'U' }, { "Ử", 'U' }, { "Ữ", 'U' }, { "Ỳ", 'Y' }, { "Ý", 'Y' },
		{ "Ỵ", 'Y' }, { "Ỷ", 'Y' }, { "Ỹ", 'Y' }, { "Đ", 'D' },
	};
	size_t n = 0;
	while (*s && n < max) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80) {
			buf_addch(out, (c >= 0x20 && c < 0x7f) ? c : ' ');
			s++;
			n++;
			continue;
		}
		size_t k = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : (c >= 0xC0) ? 2 : 1;
		char r = ' ';
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
			if (strlen(map[i].utf8) == k &&
			    !strncmp(s, map[i].utf8, k)) {
				r = map[i].c;
				break;
			}
		buf_addch(out, r);
		n++;
		for (size_t i = 0; i < k && *s; i++)
			s++;
	}
}

int vietqr_payload(const struct vietqr_req *r, struct buf *out,
		   struct buf *err)
{
	struct buf p = BUF_INIT, acct = BUF_INIT, inner = BUF_INIT;
	struct buf note = BUF_INIT;
	size_t blen = r->bin ? strlen(r->bin) : 0;
	size_t alen = r->account ? strlen(r->account) : 0;
	int rc = MC_EINVALID;
	if (blen != 6 || !all_digits(r->bin, 6)) {
		buf_setf(err, "Mã BIN ngân hàng phải gồm 6 chữ số");
		goto out;
	}
	if (alen < 1 || alen > 19) {
		buf_setf(err, "Số tài khoản phải có từ 1 đến 19 ký tự");
		goto out;
	}
	for (size_t i = 0; i < alen; i++) {
		char c = r->account[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		      (c >= 'a' && c <= 'z'))) {
			buf_setf(err, "Số tài khoản chỉ gồm chữ và số");
			goto out;
		}
	}
	if (r->amount < 0 || r->amount > 9999999999999LL) {
		buf_setf(err, "Số tiền không hợp lệ");
		goto out;
	}
	tlv(&p, "00", "01", 2);
	tlv(&p, "01", r->amount > 0 ? "12" : "11", 2);
	tlv(&acct, "00", r->bin, 6);
	tlv(&acct, "01", r->account, alen);
	tlv(&inner, "00", "A000000727", 10);
	tlv(&inner, "01", acct.ptr, acct.len);
	tlv(&inner, "02", "QRIBFTTA", 8);
	tlv(&p, "38", inner.ptr, inner.len);
	tlv(&p, "53", "704", 3);
	if (r->amount > 0) {
		char a[24];
		int n = snprintf(a, sizeof a, "%lld", (long long)r->amount);
		tlv(&p, "54", a, (size_t)n);
	}
	tlv(&p, "58", "VN", 2);
	if (r->purpose && *r->purpose) {
		struct buf sub = BUF_INIT;
		ascii_note(r->purpose, &note, 25);
		tlv(&sub, "08", note.ptr, note.len);
		tlv(&p, "62", sub.ptr, sub.len);
		buf_release(&sub);
	}
	buf_adds(&p, "6304");
	buf_addf(&p, "%04X", vietqr_crc16(p.ptr, p.len));
	buf_add(out, p.ptr, p.len);
	rc = 0;
out:
	buf_release(&p);
	buf_release(&acct);
	buf_release(&inner);
	buf_release(&note);
	return rc;
}

int vietqr_verify(const char *payload, struct buf *err)
{
	size_t n = strlen(payload);
	char want[5];
	if (n < 8 || strncmp(payload + n - 8, "6304", 4)) {
		buf_setf(err, "thiếu trường CRC (6304) ở cuối");
		return MC_EINVALID;
	}
	snprintf(want, sizeof want, "%04X", vietqr_crc16(payload, n - 4));
	if (strcmp(want, payload + n - 4)) {
		buf_setf(err, "CRC sai: %s, đúng là %s", payload + n - 4, want);
		return MC_EINVALID;
	}
	return 0;
}
