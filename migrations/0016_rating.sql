-- 0016_rating.sql - citizens' satisfaction ratings of dossiers (đánh giá
-- sự hài lòng, TT 01/2018/TT-VPCP art. 12-13): one per dossier, never
-- updated, attributed to the officers who handled the dossier. Written and
-- read by store/rating_repo.c only; the criteria are core/rating.h.

-- One row per dossier (UNIQUE dossier_id: a second rating is refused).
-- c_*: the criteria's scores 0/1/2 (TT 01/2018 art. 13 cl. 1, 3, 4, 7, 6);
-- total: their sum; level: very_satisfied | satisfied | neutral |
-- dissatisfied; complaint: 1 when level is dissatisfied or attitude 0 (a
-- "dislike" for the QĐ 766 satisfaction indicator). unit_code / unit_parent
-- copied from the dossier for the inspector's scope. channel: where it was
-- given ("lookup" page, desk "kiosk", "api"). created_at: seconds UTC.
-- The repository has no UPDATE or DELETE of this table; the audit entry
-- "rating.create" (hash-chained) holds the same values.
CREATE TABLE ratings (
	id {{serial_pk}},
	dossier_id BIGINT NOT NULL UNIQUE,
	dossier_code TEXT NOT NULL,
	procedure_code TEXT NOT NULL,
	unit_code TEXT NOT NULL,
	unit_parent TEXT NOT NULL,
	desk_id BIGINT NOT NULL,
	channel TEXT NOT NULL,
	c_time INTEGER NOT NULL,
	c_trips INTEGER NOT NULL,
	c_agencies INTEGER NOT NULL,
	c_attitude INTEGER NOT NULL,
	c_publicity INTEGER NOT NULL,
	total INTEGER NOT NULL,
	level TEXT NOT NULL,
	complaint INTEGER NOT NULL,
	comment TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX ratings_unit ON ratings (unit_code, created_at);
CREATE INDEX ratings_parent ON ratings (unit_parent, created_at);
CREATE INDEX ratings_created ON ratings (created_at);

-- The officers a rating is attributed to: every user who acted on the
-- dossier (its events' actors with a users.id), names as they were.
CREATE TABLE rating_officers (
	rating_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	username TEXT NOT NULL,
	PRIMARY KEY (rating_id, user_id)
);
CREATE INDEX rating_officers_user ON rating_officers (user_id, rating_id);
