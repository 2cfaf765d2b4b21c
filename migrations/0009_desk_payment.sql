-- 0009_desk_payment.sql - the bank account into which a desk collects fees
-- (phí, lệ phí), for the VietQR payment code printed on the receipt (Mẫu 01)
-- when a fee is due: the acquirer BIN of the bank (6 digits, State Bank
-- list), the account number and the account holder's name, one row per
-- desk (its unit code). A desk without a row prints no VietQR. version and
-- updated_at: optimistic check of the administration form. Written by
-- store/deskpay_repo.c only (audited "desk.payment").
CREATE TABLE desk_payment (
	unit_code TEXT PRIMARY KEY,
	bank_bin TEXT NOT NULL,
	bank_name TEXT NOT NULL,
	account_no TEXT NOT NULL,
	account_name TEXT NOT NULL,
	version BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
);
