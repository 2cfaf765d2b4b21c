/*
 * vietqr.h - the VietQR payment payload (NAPAS, EMVCo merchant-presented
 * TLV) for fees: a bank BIN and account, the amount in đồng, and the
 * dossier code as the transfer purpose. Pure: builds text; render/qr.h
 * draws it. Research §9.2; the official NAPAS document was not obtained
 * (UNCONFIRMED: optional fields; only the fields below are written).
 *
 * Payload: 00 "01" | 01 "12" with an amount ("11" without) | 38 {00
 * "A000000727", 01 {00 BIN, 01 account}, 02 "QRIBFTTA"} | 53 "704" | 54
 * amount (when > 0) | 58 "VN" | 62 {08 purpose} (when given) | 63 CRC:
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over everything before it
 * including "6304", four upper-case hex digits.
 */
#ifndef MC_CORE_VIETQR_H
#define MC_CORE_VIETQR_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct vietqr_req {
	const char *bin;	/* acquirer BIN: 6 digits */
	const char *account;	/* 1..19 letters or digits */
	int64_t amount;		/* đồng; 0: no amount (static code) */
	const char *purpose;	/* transfer note, or NULL; see below */
};

/*
 * Appends the payload. The purpose is reduced to printable ASCII (Vietnamese
 * letters lose their marks, đ -> d; other bytes become spaces) and cut to
 * 25 characters (research §9.2: 62.08 at most 25). MC_EINVALID with the
 * reason for a bad BIN, account or a negative / too large amount (more than
 * 13 digits).
 */
int vietqr_payload(const struct vietqr_req *r, struct buf *out,
		   struct buf *err);

/* CRC-16/CCITT-FALSE of (p, len); check value of "123456789" is 0x29B1. */
uint16_t vietqr_crc16(const char *p, size_t len);

/* Whether a payload's last 4 characters are its correct CRC (after "6304"). */
int vietqr_verify(const char *payload, struct buf *err);

#endif
