/*
 * reform.c - comparisons of committed and legal processing times, time
 * cuts in days and percent, component modes and the national databases a
 * component can be replaced by, report totals. Pure (core/reform.h).
 */
#include "core/reform.h"

#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

/* Working time in working hours ("trong ngày" is one working day). */
static bool working_hours(const struct duration *d, int *h)
{
	switch (d->unit) {
	case DUR_WORKING_DAYS:
		*h = d->amount * REFORM_HOURS_PER_DAY;
		return true;
	case DUR_WORKING_HOURS:
		*h = d->amount;
		return true;
	case DUR_SAME_DAY:
		*h = REFORM_HOURS_PER_DAY;
		return true;
	case DUR_CALENDAR_DAYS:
		break;
	}
	return false;
}

static enum reform_cmp cmp_int(int a, int b)
{
	return a < b ? REFORM_SHORTER : a > b ? REFORM_LONGER : REFORM_EQUAL;
}

enum reform_cmp reform_compare(const struct duration *committed,
			       const struct duration *legal)
{
	int c, l;
	if (committed->unit == DUR_SAME_DAY && legal->unit == DUR_SAME_DAY)
		return REFORM_EQUAL;
	if (working_hours(committed, &c) && working_hours(legal, &l))
		return cmp_int(c, l);
	if (committed->unit == DUR_CALENDAR_DAYS &&
	    legal->unit == DUR_CALENDAR_DAYS)
		return cmp_int(committed->amount, legal->amount);
	/* N calendar days end no later than N working days. */
	if (committed->unit == DUR_CALENDAR_DAYS &&
	    legal->unit == DUR_WORKING_DAYS)
		return committed->amount <= legal->amount ? REFORM_SHORTER
							  : REFORM_INCOMPARABLE;
	return REFORM_INCOMPARABLE;
}

int reform_check_committed(const struct duration *committed,
			   const struct duration *legal, struct buf *err)
{
	struct buf c = BUF_INIT, l = BUF_INIT;
	int rc = 0;
	duration_format(committed, &c);
	duration_format(legal, &l);
	switch (reform_compare(committed, legal)) {
	case REFORM_SHORTER:
	case REFORM_EQUAL:
		break;
	case REFORM_LONGER:
		buf_setf(err, "%s dài hơn thời hạn luật định (%s); tỉnh chỉ "
			 "được cam kết thời hạn ngắn hơn hoặc bằng.",
			 c.ptr, l.ptr);
		rc = MC_EINVALID;
		break;
	case REFORM_INCOMPARABLE:
		buf_setf(err, "%s không so sánh được với thời hạn luật định "
			 "(%s); hãy dùng cùng đơn vị thời gian.", c.ptr, l.ptr);
		rc = MC_EINVALID;
		break;
	}
	buf_release(&c);
	buf_release(&l);
	return rc;
}

int reform_check_unitless(const char *legal_text, bool has_decision,
			  struct buf *err)
{
	if (has_decision)
		return 0;
	buf_setf(err, "thời hạn luật định \"%s\" không ghi đơn vị nên không "
		 "so sánh được; muốn cam kết thời hạn thì phải nhập Số quyết "
		 "định công bố làm căn cứ.", legal_text ? legal_text : "");
	return MC_EINVALID;
}

void reform_time_cut(const struct duration *legal,
		     const struct duration *committed, struct reform_cut *out)
{
	memset(out, 0, sizeof(*out));
	int l, c;
	if (working_hours(legal, &l) && working_hours(committed, &c)) {
		out->scale = DUR_WORKING_HOURS;
	} else if (legal->unit == DUR_CALENDAR_DAYS &&
		   committed->unit == DUR_CALENDAR_DAYS) {
		out->scale = DUR_CALENDAR_DAYS;
		l = legal->amount;
		c = committed->amount;
	} else {
		return;
	}
	out->comparable = true;
	out->legal = l;
	out->committed = c;
	out->cut = l - c;
	if (l > 0)
		out->pct_tenths = (int)(((int64_t)(l - c) * 2000 + l) / (2 * l));
}

void reform_tenths_format(int tenths, struct buf *out)
{
	if (tenths < 0) {
		buf_addch(out, '-');
		tenths = -tenths;
	}
	buf_addf(out, "%d,%d", tenths / 10, tenths % 10);
}

void reform_cut_format(const struct reform_cut *c, struct buf *out)
{
	if (!c->comparable) {
		buf_adds(out, "không so sánh được");
		return;
	}
	if (c->cut <= 0) {
		buf_adds(out, c->cut == 0 ? "không rút ngắn" : "kéo dài");
		return;
	}
	if (c->scale == DUR_CALENDAR_DAYS)
		buf_addf(out, "%d ngày", c->cut);
	else if (c->cut % REFORM_HOURS_PER_DAY == 0)
		buf_addf(out, "%d ngày làm việc", c->cut / REFORM_HOURS_PER_DAY);
	else
		buf_addf(out, "%d giờ làm việc", c->cut);
	buf_adds(out, " (");
	reform_tenths_format(c->pct_tenths, out);
	buf_adds(out, "%)");
}

static const char *const mode_names[] = { "required", "dropped",
					  "replaced_by_lookup" };
static const char *const mode_labels[] = { "Phải nộp", "Đã bãi bỏ",
					   "Thay bằng tra cứu dữ liệu" };

const char *reform_mode_name(enum component_mode m)
{
	return (unsigned)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

const char *reform_mode_label(enum component_mode m)
{
	return (unsigned)m < ARRAY_SIZE(mode_labels) ? mode_labels[m] : "?";
}

int reform_mode_parse(const char *s, enum component_mode *out)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(mode_names); i++)
		if (!strcmp(s, mode_names[i])) {
			*out = (enum component_mode)i;
			return 0;
		}
	return MC_EINVALID;
}

/*
 * The databases NQ 66.7/2025/NQ-CP names as sources that replace dossier
 * components (research: vn-requirements.md §0, [S17]).
 */
const struct reform_lookup_db reform_lookup_dbs[] = {
	{ "dan_cu", "Cơ sở dữ liệu quốc gia về dân cư" },
	{ "dat_dai", "Cơ sở dữ liệu quốc gia về đất đai" },
	{ "dang_ky_doanh_nghiep",
	  "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" },
	{ "ho_tich", "Cơ sở dữ liệu hộ tịch điện tử" },
	{ "bao_hiem", "Cơ sở dữ liệu quốc gia về bảo hiểm" },
	{ "can_bo", "Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức" },
	{ "khac", "Cơ sở dữ liệu chuyên ngành khác" },
	{ NULL, NULL },
};

const char *reform_lookup_name(const char *code)
{
	for (const struct reform_lookup_db *d = reform_lookup_dbs;
	     code && d->code; d++)
		if (!strcmp(d->code, code))
			return d->name;
	return NULL;
}

void reform_totals_add(struct reform_totals *t, const struct reform_row *r)
{
	t->n_procedures++;
	if (r->has_cut) {
		t->n_cut++;
		t->sum_pct_tenths += r->pct_tenths;
	}
	if (r->n_dropped + r->n_replaced > 0) {
		t->n_simplified++;
		t->n_components += r->n_dropped + r->n_replaced;
	}
}

int reform_totals_avg_tenths(const struct reform_totals *t)
{
	if (t->n_cut <= 0)
		return 0;
	return (int)((t->sum_pct_tenths * 2 + t->n_cut) / (2 * t->n_cut));
}
