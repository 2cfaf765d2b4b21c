-- 0013_legal_times.sql - where a channel's parsed duration comes from.
-- duration_source NULL: parsed from time_text (the national catalog);
-- 'legal_times': time_text had no readable unit and the duration was set
-- from data/procedure-legal-times.csv by store/import.c; duration_basis is
-- then the legal basis of that row (law/decree, article, clause).
ALTER TABLE procedure_channels ADD COLUMN duration_source TEXT;
ALTER TABLE procedure_channels ADD COLUMN duration_basis TEXT;
