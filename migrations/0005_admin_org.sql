-- 0005_admin_org.sql - what the administration of desks needs beyond the
-- catalog's desks table (0001): the desk's address and phone for the public
-- page, and a version counter with the time of the last change so that a
-- stale form is refused instead of overwriting a newer edit (optimistic
-- check). Written by store/desk_repo.c only. Portable SQL.
ALTER TABLE desks ADD COLUMN address TEXT;
ALTER TABLE desks ADD COLUMN phone TEXT;
ALTER TABLE desks ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE desks ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
