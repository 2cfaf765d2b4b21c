/*
 * rating.h - the citizen's satisfaction rating of a dossier (đánh giá sự
 * hài lòng): the criteria a citizen can judge from TT 01/2018/TT-VPCP
 * art. 13, each scored 0/1/2 as that article scores them, an overall level,
 * a comment, and their checks. Pure: store/rating_repo.c keeps ratings,
 * web/h_lookup.c shows the form.
 *
 * The criteria (TT 01/2018 art. 13; NĐ 61/2018 art. 31 cl. 1 lists what
 * citizens judge). Of the nine indices of art. 13 only these five are
 * judged by the person who had the dossier; the others (whole process at
 * the desk, complaint handling, online share) are per unit and computed,
 * not asked:
 *   time       art. 13 cl. 1: the result against the appointment:
 *              2 earlier, 1 on the day, 0 later;
 *   trips      art. 13 cl. 3: times the applicant had to come back or be
 *              contacted to complete the dossier: 2 none, 1 once, 0 more;
 *   agencies   art. 13 cl. 4: agencies contacted: 2 none besides the
 *              channel used (online, post), 1 the desk only, 0 more than
 *              one;
 *   attitude   art. 13 cl. 7: the officers' attitude: 2 helpful, nothing
 *              to complain about, 1 nothing to complain about, 0 something
 *              to complain about (harassment, trouble). The circular
 *              scores this index from complaints; the citizen's own answer
 *              stands in for it here;
 *   publicity  art. 13 cl. 6: the procedure as published: 2 posted at the
 *              desk and online, 1 one of the two, 0 not published or not
 *              as applied.
 * The wording of the form is left to each province (TT 01/2018 art. 12
 * cl. 4); the overall level follows the four levels used by the national
 * portal's satisfaction survey (Rất hài lòng, Hài lòng, Bình thường, Không
 * hài lòng).
 */
#ifndef MC_CORE_RATING_H
#define MC_CORE_RATING_H

#include <stdbool.h>

#include "util/buf.h"

enum rating_criterion {
	RC_TIME = 0,
	RC_TRIPS,
	RC_AGENCIES,
	RC_ATTITUDE,
	RC_PUBLICITY,
	RC__COUNT
};

enum rating_level {
	RL_VERY_SATISFIED = 0,	/* "very_satisfied": Rất hài lòng */
	RL_SATISFIED,		/* "satisfied": Hài lòng */
	RL_NEUTRAL,		/* "neutral": Bình thường */
	RL_DISSATISFIED,	/* "dissatisfied": Không hài lòng */
	RL__COUNT
};

#define RATING_COMMENT_MAX 2000	/* bytes */

/* A criterion: its field name ("time"), question, source, and the label
 * of each score (index = score 0, 1, 2). Static storage. */
struct rating_criterion_info {
	const char *name;
	const char *question;	/* "Thời gian trả kết quả so với ngày hẹn" */
	const char *source;	/* "TT 01/2018/TT-VPCP, Điều 13 khoản 1" */
	const char *answers[3];	/* answers[score] */
};
const struct rating_criterion_info *rating_criterion_info(
	enum rating_criterion c);

const char *rating_level_name(enum rating_level l);
const char *rating_level_label(enum rating_level l);
/* "satisfied" -> RL_SATISFIED: 0, or MC_EINVALID. */
int rating_level_parse(const char *s, enum rating_level *out);

struct rating {
	int scores[RC__COUNT];	/* 0, 1, 2 each */
	enum rating_level level;
	const char *comment;	/* borrowed; NULL or "" for none */
};

/*
 * Reads a rating from text fields (a form or a JSON body as strings):
 * get(ctx, "time") ... for each criterion ("0" | "1" | "2"), "level" (a
 * level name) and "comment". Returns 0, or MC_EINVALID with the first
 * error in Vietnamese naming the field ("Thái độ của cán bộ: hãy chọn một
 * mức.") and its field name in *field (static storage). The comment is
 * borrowed from get() and checked: valid UTF-8 is the caller's (the server
 * checks it), at most RATING_COMMENT_MAX bytes.
 */
int rating_read(const char *(*get)(void *ctx, const char *name), void *ctx,
		struct rating *out, const char **field, struct buf *err);

/* The sum of the scores, 0 .. 2 * RC__COUNT. */
int rating_total(const struct rating *r);

/*
 * Whether the rating is a complaint for the Decision 766 satisfaction
 * indicator (QĐ 766/QĐ-TTg, nhóm chỉ số "mức độ hài lòng"): level
 * dissatisfied, or attitude scored 0.
 */
bool rating_is_complaint(const struct rating *r);

#endif
