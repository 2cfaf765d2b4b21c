/*
 * deskpay_repo.h - the bank account of a desk for fees (migrations/0009):
 * acquirer BIN, bank name, account number and holder, read for the VietQR
 * code of the receipt (core/vietqr.h) and edited by administrators with
 * validation, an optimistic version check and an audit entry in the same
 * transaction. All the SQL of desk_payment; access is the router's.
 */
#ifndef MC_STORE_DESKPAY_REPO_H
#define MC_STORE_DESKPAY_REPO_H

#include <jansson.h>

#include "core/mctime.h"
#include "store/auth_repo.h"
#include "store/db.h"
#include "util/buf.h"

#define DESKPAY_BANK_NAME_MAX 100	/* characters */
#define DESKPAY_ACCOUNT_MAX 19		/* VietQR field 38.01.01 (research §9.2) */
#define DESKPAY_HOLDER_MAX 100		/* characters */

/*
 * The payment settings of the desk of unit `code` into *out (new ref):
 * {"unit_code","configured":bool,"bank_bin","bank_name","account_no",
 *  "account_name" ("" when not configured),"version" (0 when none),
 *  "updated_at" (UTC seconds, 0),"updated_by" ("")}.
 * A unit without a row is not an error (configured false). MC_EDB.
 */
int deskpay_get(struct db *db, const char *code, json_t **out,
		struct buf *err);

/* A form or API body as typed; NULL reads as "". */
struct deskpay_edit {
	const char *bank_bin;
	const char *bank_name;
	const char *account_no;
	const char *account_name;
};

/*
 * Validates and normalises: every field trimmed (NFC); all four empty
 * means "no account" (the receipt then prints no VietQR). Otherwise:
 * bank_bin exactly 6 digits (the acquirer BIN of NAPAS's list), bank_name
 * 1..100 characters, account_no 1..19 letters or digits (spaces and dots
 * removed; letters upper-cased), account_name 1..100 characters. Returns
 * 0 with *norm {"bank_bin","bank_name","account_no","account_name"}, or
 * MC_EINVALID with *errors {field: "Label: reason"} and *norm (the values
 * trimmed, to show the form again). Both new references.
 */
int deskpay_check(const struct deskpay_edit *in, json_t **norm,
		  json_t **errors);

/*
 * Saves a checked form for unit `code` in one transaction with the audit
 * entry "desk.payment" (before and after; object "desk", unit `code`):
 * `version` is the version the form was made from (0 when there was no
 * row); MC_ECONFLICT when the stored one differs (someone saved in
 * between). All fields empty deletes the row. MC_EDB; nothing written on
 * any error.
 */
int deskpay_save(struct db *db, const struct auth_actor *by,
		 const char *code, json_t *norm, int64_t version, mc_time now,
		 struct buf *err);

#endif
