/*
 * rating.c - the satisfaction rating's criteria (TT 01/2018/TT-VPCP art. 13,
 * scores 0/1/2), overall levels and the check of a submitted rating. Pure.
 * Contracts and sources: rating.h.
 */
#include "core/rating.h"

#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

static const struct rating_criterion_info criteria[RC__COUNT] = {
	[RC_TIME] = { "time", "Thời gian trả kết quả so với ngày hẹn",
		      "TT 01/2018/TT-VPCP, Điều 13 khoản 1",
		      { "Muộn hơn ngày hẹn", "Đúng ngày hẹn",
			"Sớm hơn ngày hẹn" } },
	[RC_TRIPS] = { "trips",
		       "Số lần phải đi lại, liên hệ để hoàn thiện hồ sơ",
		       "TT 01/2018/TT-VPCP, Điều 13 khoản 3",
		       { "Nhiều hơn một lần", "Một lần",
			 "Không lần nào (hồ sơ đủ ngay từ đầu)" } },
	[RC_AGENCIES] = { "agencies", "Số cơ quan, đơn vị phải liên hệ",
			  "TT 01/2018/TT-VPCP, Điều 13 khoản 4",
			  { "Nhiều hơn một cơ quan, đơn vị",
			    "Chỉ Bộ phận Một cửa",
			    "Không phải đến cơ quan nào (nộp trực tuyến, qua "
			    "bưu chính)" } },
	[RC_ATTITUDE] = { "attitude", "Thái độ của cán bộ, công chức",
			  "TT 01/2018/TT-VPCP, Điều 13 khoản 7",
			  { "Có điều muốn phản ánh (gây phiền hà, sách nhiễu, "
			    "thiếu tôn trọng)",
			    "Đúng mực, không có điều gì phải phản ánh",
			    "Tận tình, chu đáo, không có điều gì phải phản "
			    "ánh" } },
	[RC_PUBLICITY] = { "publicity",
			   "Thủ tục được công khai đầy đủ, đúng với thực tế",
			   "TT 01/2018/TT-VPCP, Điều 13 khoản 6",
			   { "Không được công khai hoặc không đúng thực tế",
			     "Chỉ niêm yết tại nơi tiếp nhận hoặc chỉ đăng "
			     "trên mạng",
			     "Niêm yết tại nơi tiếp nhận và đăng trên Cổng "
			     "dịch vụ công" } },
};

static const char *const level_names[RL__COUNT] = {
	"very_satisfied", "satisfied", "neutral", "dissatisfied",
};
static const char *const level_labels[RL__COUNT] = {
	"Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng",
};

const struct rating_criterion_info *rating_criterion_info(
	enum rating_criterion c)
{
	if ((int)c < 0 || c >= RC__COUNT)
		BUG("rating_criterion_info: bad criterion %d", (int)c);
	return &criteria[c];
}

const char *rating_level_name(enum rating_level l)
{
	if ((int)l < 0 || l >= RL__COUNT)
		BUG("rating_level_name: bad level %d", (int)l);
	return level_names[l];
}

const char *rating_level_label(enum rating_level l)
{
	if ((int)l < 0 || l >= RL__COUNT)
		BUG("rating_level_label: bad level %d", (int)l);
	return level_labels[l];
}

int rating_level_parse(const char *s, enum rating_level *out)
{
	for (int i = 0; s && i < RL__COUNT; i++)
		if (!strcmp(s, level_names[i])) {
			*out = (enum rating_level)i;
			return 0;
		}
	return MC_EINVALID;
}

int rating_read(const char *(*get)(void *ctx, const char *name), void *ctx,
		struct rating *out, const char **field, struct buf *err)
{
	const char *v;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < RC__COUNT; c++) {
		v = get(ctx, criteria[c].name);
		if (!v || strlen(v) != 1 || v[0] < '0' || v[0] > '2') {
			*field = criteria[c].name;
			buf_addf(err, "%s: hãy chọn một mức.",
				 criteria[c].question);
			return MC_EINVALID;
		}
		out->scores[c] = v[0] - '0';
	}
	v = get(ctx, "level");
	if (rating_level_parse(v, &out->level)) {
		*field = "level";
		buf_adds(err, "Mức độ hài lòng chung: hãy chọn một mức.");
		return MC_EINVALID;
	}
	v = get(ctx, "comment");
	if (v && strlen(v) > RATING_COMMENT_MAX) {
		*field = "comment";
		buf_addf(err, "Ý kiến khác: tối đa %d ký tự.",
			 RATING_COMMENT_MAX);
		return MC_EINVALID;
	}
	out->comment = v;
	return 0;
}

int rating_total(const struct rating *r)
{
	int t = 0;

	for (int c = 0; c < RC__COUNT; c++)
		t += r->scores[c];
	return t;
}

bool rating_is_complaint(const struct rating *r)
{
	return r->level == RL_DISSATISFIED || r->scores[RC_ATTITUDE] == 0;
}
