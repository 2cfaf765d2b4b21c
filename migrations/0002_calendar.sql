-- 0002_calendar.sql - the yearly schedule of days off and make-up working
-- days for civil servants (BLLĐ 45/2019/QH14 art. 111-112 and the yearly
-- notices), one row per date. Written by store/calendar_repo.c (imports,
-- `motcua init` loads data/vn-civil-service-days-off.csv), read by the same
-- file into core/calendar. Years without rows are derived provisionally from
-- the law at load time, never stored. Portable SQL (SQLite and PostgreSQL).

-- day: the civil date 'YYYY-MM-DD' (Asia/Ho_Chi_Minh); text sorts as dates.
-- kind: holiday (a statutory holiday on a weekday), compensatory (nghỉ bù),
-- swapped_off (a weekday swapped for a make-up day), makeup_workday (a
-- Saturday or Sunday that is worked). source: the document(s) and pages.
-- imported_at: seconds since 1970 UTC of the import that wrote the row.
CREATE TABLE calendar_days (
	day TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'compensatory',
		'swapped_off', 'makeup_workday')),
	name TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	imported_at BIGINT NOT NULL
);
