/*
 * dossier_public.c - the public reading of a dossier: kinds of public
 * events, their sentences in plain Vietnamese, the status sentence, the
 * masked name and the last-4 factor. Pure. Contracts: dossier_public.h.
 */
#include "core/dossier_public.h"

#include <string.h>

#include "util/xalloc.h"

static const struct {
	const char *name;
	const char *title;
	bool notifies;
} kinds[DPK__COUNT] = {
	[DPK_NONE] = { "none", "", false },
	[DPK_SUBMITTED] = { "submitted", "Hồ sơ trực tuyến đã được gửi",
			    false },
	[DPK_RECEIVED] = { "received", "Hồ sơ đã được tiếp nhận", true },
	[DPK_STEP] = { "step", "Hồ sơ được chuyển xử lý", false },
	[DPK_SUPPLEMENT] = { "supplement", "Cần bổ sung hồ sơ", true },
	[DPK_SUPPLEMENT_DONE] = { "supplement_received",
				  "Đã nhận hồ sơ bổ sung", false },
	[DPK_PAUSED] = { "paused", "Tạm dừng để xác minh", false },
	[DPK_RESUMED] = { "resumed", "Tiếp tục giải quyết", false },
	[DPK_APOLOGY] = { "apology", "Thư xin lỗi và hẹn lại ngày trả kết quả",
			  true },
	[DPK_RESULT_READY] = { "result_ready", "Đã có kết quả", true },
	[DPK_RETURNED] = { "returned", "Đã trả kết quả", false },
	[DPK_REFUSED] = { "refused", "Hồ sơ không được giải quyết", true },
	[DPK_STOPPED] = { "stopped", "Dừng giải quyết hồ sơ", false },
	[DPK_WITHDRAWN] = { "withdrawn", "Đã rút hồ sơ", false },
};

enum dossier_public_kind dossier_public_kind_of(enum dossier_action a)
{
	switch (a) {
	case DA_SUBMIT:
		return DPK_SUBMITTED;
	case DA_RECEIVE:
	case DA_ACCEPT:
		return DPK_RECEIVED;
	case DA_FORWARD:
		return DPK_STEP;
	case DA_SEND_BACK:
		return DPK_NONE;	/* a hand-over between officers */
	case DA_REQUEST_SUPPLEMENT:
		return DPK_SUPPLEMENT;
	case DA_RECEIVE_SUPPLEMENT:
		return DPK_SUPPLEMENT_DONE;
	case DA_PAUSE:
		return DPK_PAUSED;
	case DA_RESUME:
		return DPK_RESUMED;
	case DA_APOLOGIZE:
		return DPK_APOLOGY;
	case DA_RECORD_RESULT:
		return DPK_RESULT_READY;
	case DA_RETURN:
		return DPK_RETURNED;
	case DA_REFUSE_INTAKE:
	case DA_REJECT:
	case DA_REFUSE:
		return DPK_REFUSED;
	case DA_STOP:
		return DPK_STOPPED;
	case DA_WITHDRAW:
		return DPK_WITHDRAWN;
	case DA__COUNT:
		break;
	}
	BUG("dossier_public_kind_of: bad action %d", (int)a);
}

bool dossier_public_kind_visible(enum dossier_public_kind k)
{
	return k > DPK_NONE && k < DPK__COUNT;
}

bool dossier_public_kind_notifies(enum dossier_public_kind k)
{
	if ((int)k < 0 || k >= DPK__COUNT)
		BUG("dossier_public_kind_notifies: bad kind %d", (int)k);
	return kinds[k].notifies;
}

const char *dossier_public_kind_name(enum dossier_public_kind k)
{
	if ((int)k < 0 || k >= DPK__COUNT)
		BUG("dossier_public_kind_name: bad kind %d", (int)k);
	return kinds[k].name;
}

const char *dossier_public_kind_title(enum dossier_public_kind k)
{
	if ((int)k < 0 || k >= DPK__COUNT)
		BUG("dossier_public_kind_title: bad kind %d", (int)k);
	return kinds[k].title;
}

/* Two decimal digits of 0..99 at p; the end. */
static char *two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void dossier_public_format_time(mc_time t, struct buf *out)
{
	struct mc_civil c;

	char s[32], *p = s;

	/* by hand: printf was a twentieth of the lookup page's time */
	mctime_to_local(t, &c);
	if (c.year < 0 || c.year > 9999) {
		buf_addf(out, "%02d:%02d ngày %02d/%02d/%d", c.hour, c.min,
			 c.day, c.month, c.year);
		return;
	}
	p = two(p, c.hour);
	*p++ = ':';
	p = two(p, c.min);
	memcpy(p, " ngày ", 7);	/* "à" is two bytes */
	p += 7;
	p = two(p, c.day);
	*p++ = '/';
	p = two(p, c.month);
	*p++ = '/';
	p = two(p, c.year / 100);
	p = two(p, c.year % 100);
	buf_add(out, s, (size_t)(p - s));
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* "A; B; C" of the non-blank items. */
static void add_items(struct buf *out, int n, const char *const *items)
{
	bool first = true;

	for (int i = 0; i < n && items; i++) {
		if (blank(items[i]))
			continue;
		if (!first)
			buf_adds(out, "; ");
		buf_adds(out, items[i]);
		first = false;
	}
}

static bool any_item(int n, const char *const *items)
{
	for (int i = 0; i < n && items; i++)
		if (!blank(items[i]))
			return true;
	return false;
}

/* Ends the sentence with one '.', unless it ends with . ! ? already. */
static void end_sentence(struct buf *out)
{
	while (out->len && out->ptr[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
	if (out->len) {
		char c = out->ptr[out->len - 1];
		if (c != '.' && c != '!' && c != '?')
			buf_addch(out, '.');
	}
}

static void add_place(struct buf *out, const char *place)
{
	if (blank(place))
		buf_adds(out, "tại Bộ phận Một cửa nơi đã nộp hồ sơ");
	else {
		buf_adds(out, "tại ");
		buf_adds(out, place);
	}
}

static void add_reason(struct buf *out, const char *reason)
{
	if (blank(reason))
		return;
	buf_adds(out, " Lý do: ");
	buf_adds(out, reason);
	end_sentence(out);
}

void dossier_public_event_text(const struct dossier_public_event *e,
			       struct buf *out)
{
	enum dossier_public_kind k = dossier_public_kind_of(e->action);

	switch (k) {
	case DPK_NONE:
	case DPK__COUNT:
		return;
	case DPK_SUBMITTED:
		buf_adds(out, "Hồ sơ trực tuyến đã được gửi, đang chờ Bộ phận "
			      "Một cửa kiểm tra và tiếp nhận.");
		return;
	case DPK_RECEIVED:
		buf_adds(out, "Hồ sơ đã được tiếp nhận.");
		return;
	case DPK_STEP:
		if (blank(e->step_name))
			buf_adds(out, "Hồ sơ được chuyển sang bước xử lý tiếp "
				      "theo.");
		else {
			buf_adds(out, "Hồ sơ được chuyển sang bước: ");
			buf_adds(out, e->step_name);
			end_sentence(out);
		}
		return;
	case DPK_SUPPLEMENT:
		/* NĐ 61/2018 art. 15 cl. 3, art. 19 cl. 4: everything
		 * missing is asked for at once (Mẫu 02). */
		if (any_item(e->n_items, e->items)) {
			buf_adds(out, "Cần bổ sung: ");
			add_items(out, e->n_items, e->items);
			end_sentence(out);
		} else
			buf_adds(out, "Cần bổ sung hồ sơ.");
		return;
	case DPK_SUPPLEMENT_DONE:
		buf_adds(out, "Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được "
			      "giải quyết.");
		return;
	case DPK_PAUSED:
		buf_adds(out, "Hồ sơ tạm dừng để xác minh; thời gian xác "
			      "minh không tính vào thời hạn giải quyết.");
		return;
	case DPK_RESUMED:
		buf_adds(out, "Hồ sơ tiếp tục được giải quyết.");
		return;
	case DPK_APOLOGY:
		/* NĐ 61/2018 art. 19 cl. 9, TT 03/2025 Mẫu 04 */
		buf_adds(out, "Cơ quan giải quyết xin lỗi vì hồ sơ chậm so "
			      "với ngày hẹn");
		if (e->new_due > 0) {
			buf_adds(out, "; ngày hẹn trả kết quả mới: ");
			dossier_public_format_time(e->new_due, out);
		}
		buf_addch(out, '.');
		return;
	case DPK_RESULT_READY:
		buf_adds(out, "Đã có kết quả, nhận ");
		add_place(out, e->place);
		end_sentence(out);
		return;
	case DPK_RETURNED:
		buf_adds(out, "Đã trả kết quả.");
		return;
	case DPK_REFUSED:
		if (e->action == DA_REFUSE_INTAKE || e->action == DA_REJECT)
			buf_adds(out, "Hồ sơ không được tiếp nhận.");
		else
			buf_adds(out, "Hồ sơ không được giải quyết.");
		add_reason(out, e->note);
		if (e->action == DA_REFUSE_INTAKE &&
		    any_item(e->n_items, e->items)) {
			buf_adds(out, " Cần hoàn thiện: ");
			add_items(out, e->n_items, e->items);
			end_sentence(out);
		}
		return;
	case DPK_STOPPED:
		buf_adds(out, "Hồ sơ đã dừng giải quyết theo yêu cầu của người "
			      "nộp.");
		add_reason(out, e->note);
		return;
	case DPK_WITHDRAWN:
		buf_adds(out, "Hồ sơ trực tuyến đã được rút theo yêu cầu của "
			      "người nộp.");
		return;
	}
}

static void add_due(struct buf *out, const struct dossier_public_status *s)
{
	if (s->due_at <= 0)
		return;
	buf_adds(out, s->apology_used ? " Ngày hẹn trả kết quả mới: "
				      : " Hẹn trả kết quả: ");
	dossier_public_format_time(s->due_at, out);
	buf_addch(out, '.');
	if (s->now > s->due_at)
		buf_adds(out, " Hồ sơ đã quá ngày hẹn.");
}

void dossier_public_status_text(const struct dossier_public_status *s,
				struct buf *out)
{
	switch (s->state) {
	case DS_NONE:
	case DS__COUNT:
		buf_adds(out, "Không có thông tin về hồ sơ.");
		return;
	case DS_SUBMITTED:
		buf_adds(out, "Hồ sơ trực tuyến đã được gửi, đang chờ Bộ phận "
			      "Một cửa kiểm tra và tiếp nhận. Thời hạn giải "
			      "quyết được tính từ khi hồ sơ được tiếp nhận.");
		return;
	case DS_RECEIVED:
	case DS_IN_PROGRESS:
		buf_adds(out, "Hồ sơ đang được giải quyết");
		if (!blank(s->step_name)) {
			buf_adds(out, " (bước: ");
			buf_adds(out, s->step_name);
			buf_addch(out, ')');
		}
		buf_addch(out, '.');
		add_due(out, s);
		return;
	case DS_SUPPLEMENT_REQUESTED:
		if (s->before_acceptance) {
			buf_adds(out, "Hồ sơ nộp trực tuyến cần bổ sung trước "
				      "khi được tiếp nhận");
			if (any_item(s->n_missing, s->missing)) {
				buf_adds(out, ": ");
				add_items(out, s->n_missing, s->missing);
			}
			end_sentence(out);
			return;
		}
		if (any_item(s->n_missing, s->missing)) {
			buf_adds(out, "Hồ sơ đang chờ ông/bà bổ sung: ");
			add_items(out, s->n_missing, s->missing);
			end_sentence(out);
		} else
			buf_adds(out, "Hồ sơ đang chờ ông/bà bổ sung giấy tờ.");
		/* QĐ 766 ind. 2.1: the wait does not count */
		buf_adds(out, " Thời gian chờ bổ sung không tính vào thời hạn "
			      "giải quyết.");
		return;
	case DS_PAUSED:
		buf_adds(out, "Hồ sơ đang tạm dừng để xác minh; thời gian xác "
			      "minh không tính vào thời hạn giải quyết.");
		return;
	case DS_RESULT_READY:
		buf_adds(out, "Đã có kết quả, nhận ");
		add_place(out, s->place);
		end_sentence(out);
		buf_adds(out, " Khi đến nhận, xin mang theo Giấy tiếp nhận hồ "
			      "sơ và hẹn trả kết quả.");
		return;
	case DS_RETURNED:
		buf_adds(out, "Đã trả kết quả");
		if (s->closed_at > 0) {
			buf_adds(out, " lúc ");
			dossier_public_format_time(s->closed_at, out);
		}
		buf_addch(out, '.');
		return;
	case DS_REFUSED_AT_INTAKE:
		buf_adds(out, "Hồ sơ không được tiếp nhận.");
		add_reason(out, s->reason);
		return;
	case DS_REFUSED:
		buf_adds(out, "Hồ sơ không được giải quyết.");
		add_reason(out, s->reason);
		return;
	case DS_STOPPED:
		buf_adds(out, "Hồ sơ đã dừng giải quyết theo yêu cầu của người "
			      "nộp.");
		add_reason(out, s->reason);
		return;
	case DS_WITHDRAWN:
		buf_adds(out, "Hồ sơ trực tuyến đã được rút theo yêu cầu của "
			      "người nộp.");
		return;
	}
}

bool dossier_public_can_rate(enum dossier_state s)
{
	return s == DS_RETURNED || s == DS_REFUSED_AT_INTAKE ||
	       s == DS_REFUSED || s == DS_STOPPED || s == DS_WITHDRAWN;
}

/* Length of the UTF-8 sequence starting with byte c (1 for invalid). */
static size_t seq_len(unsigned char c)
{
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	if (c >= 0xE0)
		return c < 0xF0 ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

/* Whether s starts with a combining diacritical mark (U+0300..U+036F:
 * bytes CC 80 .. CD AF), as in a name typed in NFD. */
static bool combining(const unsigned char *s)
{
	return (s[0] == 0xCC && s[1] >= 0x80 && s[1] <= 0xBF) ||
	       (s[0] == 0xCD && s[1] >= 0x80 && s[1] <= 0xAF);
}

static bool space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Appends the first letter of the word at p (one code point and its
 * combining marks) and "**"; returns the end of the word. */
static const unsigned char *add_initial(struct buf *out,
					const unsigned char *p)
{
	size_t n = seq_len(*p);

	for (size_t i = 1; i < n; i++)
		if (!p[i]) {
			n = i;
			break;
		}
	buf_add(out, p, n);
	p += n;
	while (p[0] && p[1] && combining(p)) {
		buf_add(out, p, 2);
		p += 2;
	}
	buf_adds(out, "**");
	while (*p && !space(*p))
		p++;
	return p;
}

void dossier_public_mask_name(const char *name, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)(name ? name : "");
	int n_words = 0, word = 0;

	for (const unsigned char *q = p; *q;) {
		while (*q && space(*q))
			q++;
		if (!*q)
			break;
		n_words++;
		while (*q && !space(*q))
			q++;
	}
	while (*p) {
		while (*p && space(*p))
			p++;
		if (!*p)
			break;
		if (word++)
			buf_addch(out, ' ');
		if (word == 1 && n_words > 1) {
			/* the family name stays */
			const unsigned char *q = p;
			while (*q && !space(*q))
				q++;
			buf_add(out, p, (size_t)(q - p));
			p = q;
		} else
			p = add_initial(out, p);
	}
}

/* The last 4 ASCII digits of s into d (NUL-terminated); false when s
 * has fewer than 4 digits. */
static bool last_digits(const char *s, char d[5])
{
	int n = 0;

	d[4] = 0;
	if (!s)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		d[0] = d[1];
		d[1] = d[2];
		d[2] = d[3];
		d[3] = *p;
		n++;
	}
	return n >= 4;
}

static bool same4(const char *a, const char *b)
{
	unsigned diff = 0;

	for (int i = 0; i < 4; i++)
		diff |= (unsigned)(unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

bool dossier_public_last4_match(const char *last4, const char *phone,
				const char *id_number)
{
	char a[5] = "", b[5] = "";
	bool ok = true, pa, pb, ma, mb;

	if (!last4 || strlen(last4) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (last4[i] < '0' || last4[i] > '9')
			ok = false;
	pa = last_digits(phone, a);
	pb = last_digits(id_number, b);
	ma = pa && same4(a, last4);
	mb = pb && same4(b, last4);
	return ok && (ma || mb);
}
