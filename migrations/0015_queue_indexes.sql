-- 0015_queue_indexes.sql - work-queue indexes that cover the queue's
-- filter, its ORDER BY (due_at, code) and its counts (state, approach_at),
-- on the open rows only (active = 1: the closed dossiers, nearly all of a
-- big database, stay out of them). store/dossier_repo.c dossier_queue
-- writes `d.active = 1` literally so that both databases use them.
DROP INDEX IF EXISTS dossiers_queue_role;
DROP INDEX IF EXISTS dossiers_queue_person;
CREATE INDEX dossiers_queue_open
	ON dossiers (queue_role, unit_code, due_at, code, state, approach_at, active)
	WHERE active = 1;
CREATE INDEX dossiers_queue_person_open
	ON dossiers (assignee_id, due_at, code, state, approach_at, active)
	WHERE active = 1;
