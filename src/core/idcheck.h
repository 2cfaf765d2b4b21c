/*
 * idcheck.h - structure checks of identifiers typed at intake: the 12-digit
 * personal identification number (số định danh cá nhân / CCCD) and the
 * enterprise tax code (mã số thuế). Pure. A check of structure only: a
 * number that passes may still not exist (the national population
 * database is the authority, NQ 66.7/2025).
 *
 * Personal ID (NĐ 137/2015 art. 13 as amended; layout of TT 59/2021/TT-BCA,
 * research §9.1): positions 1-3 the province (old 63-province codes of the
 * birth registration, 001 .. 096) or country code; 4 the century and sex
 * (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 =
 * 2300s); 5-6 the last two digits of the birth year; 7-12 random. No check
 * digit. Country codes of citizens registered abroad: UNCONFIRMED; the
 * province list is data (idcheck_province_name()).
 *
 * Tax code (TT 105/2020/TT-BTC art. 5): 10 digits N1..N10, N10 the check
 * digit; or 13 digits "10 digits" + "-" + 3 digits of a branch (also
 * accepted without the hyphen). The check digit: weights 31 29 23 19 17
 * 13 7 5 3 over N1..N9, N10 = 10 - (sum mod 11); a remainder that gives
 * 10 never occurs in issued codes (UNCONFIRMED: from implementations, not
 * the circular's text - research §9 gives no formula; setting
 * taxcode_check in docs/dossier.md, default on).
 */
#ifndef MC_CORE_IDCHECK_H
#define MC_CORE_IDCHECK_H

#include <stdbool.h>

#include "util/buf.h"

struct idcheck_person {
	int province;		/* 1 .. 96 */
	int century;		/* 1900, 2000, ... */
	bool female;
	int birth_year;		/* century + 2 digits */
};

/*
 * Checks a 12-digit personal ID (spaces not allowed; the caller trims).
 * `birth_year` (0: unknown) must then equal the year the number encodes;
 * `sex` 'M', 'F' or 0 (unknown) must match the digit. 0 and *out (may be
 * NULL) filled, or MC_EINVALID with the reason in Vietnamese ("Số định
 * danh cá nhân: mã tỉnh 099 không tồn tại").
 */
int idcheck_person_id(const char *id, int birth_year, char sex,
		      struct idcheck_person *out, struct buf *err);

/* Province of an ID prefix (1..96): the name ("Hà Nội"), or NULL when the
 * code is not one of the 63 provinces' codes. */
const char *idcheck_province_name(int code);

/*
 * Checks a tax code: 10 digits, or 13 as "NNNNNNNNNN-NNN" or 13 digits;
 * the check digit of the first 10 when `check_digit` is true. 0, or
 * MC_EINVALID with the reason in Vietnamese.
 */
int idcheck_tax_code(const char *code, bool check_digit, struct buf *err);

/* The check digit (0..9) of 9 digits, or -1 when the remainder gives 10. */
int idcheck_tax_check_digit(const char digits9[9]);

#endif
