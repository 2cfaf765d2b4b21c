/*
 * dossier_code.h - the dossier code (mã số hồ sơ): the receiving agency's
 * electronic identifier, the receipt day YYMMDD, and the daily sequence.
 * Pure: formatting and parsing only; the sequence itself comes from the
 * counter row of store/dossier_repo.c (unique across officers and nodes).
 *
 * Format: AGENCY-YYMMDD-SEQ, e.g. "H24.99-260305-0007".
 *   - NĐ 61/2018 art. 26: identifier of the receiving authority + receipt
 *     date + sequence within the day;
 *   - TT 01/2018/TT-VPCP art. 19: V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX;
 *   - TT 03/2025/TT-VPCP art. 13 cl. 3 (added by TT 04/2025): the agency's
 *     electronic identifier MX1X2.Y1Y2Y3.Z1Z2, "-YYMMDD-", and a sequence
 *     of at least 4 digits growing as needed (AA prefix for nationally
 *     centralised systems only, not used here).
 * UNCONFIRMED (research §2.4, §11 item 2): the wording of TT 03/2025 art.
 * 13 cl. 1-2 for ordinary dossiers. We keep the hyphens and the order of
 * cl. 3; the minimum digits are a setting (dossier_settings.code_seq_digits,
 * default 4); the agency identifier is the desk's (desks.agency_code).
 */
#ifndef MC_CORE_DOSSIER_CODE_H
#define MC_CORE_DOSSIER_CODE_H

#include <stdint.h>

#include "core/mctime.h"
#include "util/buf.h"

/*
 * Appends the code for `agency` (checked: 1..40 bytes of A-Z, 0-9, '.'),
 * the local day of `received` (UTC+7) and `seq` (>= 1) zero-padded to at
 * least `min_digits` (1..9; 0 means 4). MC_EINVALID with the reason for a
 * bad agency or seq; `out` untouched then.
 */
int dossier_code_format(const char *agency, mc_time received, int64_t seq,
			int min_digits, struct buf *out, struct buf *err);

/* The counter key of a day: "YYMMDD" of local day `day` into out[7]. */
void dossier_code_day(int32_t day, char out[7]);

struct dossier_code_parts {
	char agency[48];
	int32_t day;		/* local day */
	int64_t seq;
};

/*
 * Splits a code (as typed in a lookup box: trimmed, upper-cased by the
 * caller) at its last two '-'. MC_EINVALID for anything else: a bad
 * agency, an impossible date, a sequence not of digits or of fewer than
 * 4 digits. Used to refuse garbage before a database query.
 */
int dossier_code_parse(const char *code, struct dossier_code_parts *out,
		       struct buf *err);

#endif
