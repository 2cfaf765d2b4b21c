/*
 * cmd_demo.c - `motcua demo`: a living province on top of `motcua init`:
 * Bắc Ninh (24) after the 2025 reform, officers of each role at every
 * commune desk, and dossiers over the past year walked through the real
 * model (store/dossier_repo.h: codes, dues from the real calendar, events,
 * counters, audit). Deterministic for a seed; idempotent. docs/demo.md
 * describes every distribution; never writes SQL itself (store/ does).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cmd.h"
#include "core/authz.h"
#include "core/calendar.h"
#include "core/deadline.h"
#include "core/dossier.h"
#include "core/duration.h"
#include "core/feedback.h"
#include "core/idcheck.h"
#include "core/mctime.h"
#include "core/officehours.h"
#include "core/rating.h"
#include "core/schedule.h"
#include "store/auth_repo.h"
#include "store/calendar_repo.h"
#include "store/db.h"
#include "store/demo.h"
#include "store/desk_repo.h"
#include "store/deskhours.h"
#include "store/dossier_repo.h"
#include "store/feedback_repo.h"
#include "store/migrate.h"
#include "store/rating_repo.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/json.h"
#include "util/opt.h"
#include "util/xalloc.h"

#define DEMO_USAGE                                                        \
	"motcua demo [--db URL] [--dossiers N] [--seed S] [--days D] "   \
	"[--now \"YYYY-MM-DD HH:MM\"]\n"                                  \
	"            [--communes K|all] [--logins FILE] [--url URL] "   \
	"[--threads T]"

#define DEMO_PROVINCE "24"		/* Bắc Ninh (2025 list) */
#define DEMO_PROVINCE_SLUG "bacninh"
#define DEMO_BUSY_UNIT "07738"		/* Phường Cảnh Thụy */
#define DEMO_BUSY_RATE 150.0		/* dossiers a working day (DESIGN §7) */
#define DEMO_OTHERS_DAYS 14		/* default: the other desks' history */
#define DEMO_COMMUNES 10		/* default: desks with officers */
#define DEMO_BATCH 2000			/* repository calls per transaction
					   (~4.5 a dossier: ~440 dossiers) */
#define DEMO_MAX_PAUSES 6

static const struct auth_actor demo_actor = { 0, "system", NULL };

/* ---- random numbers: deterministic per (seed, desk, day, index) ---------- */

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ull;
	return mix(*s);
}

/* Uniform in [0, 1). */
static double unif(uint64_t *s)
{
	return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static int64_t between(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static bool chance(uint64_t *s, double p)
{
	return unif(s) < p;
}

/* Poisson: Knuth's product for small means, a rounded normal beyond. */
static int poisson(uint64_t *s, double mean)
{
	if (mean <= 0)
		return 0;
	if (mean > 40) {
		double u1 = unif(s), u2 = unif(s);
		double z = sqrt(-2.0 * log(u1 + 1e-300)) * cos(2 * M_PI * u2);
		long v = lround(mean + sqrt(mean) * z);
		return v < 0 ? 0 : (int)v;
	}
	double l = exp(-mean), p = 1.0;
	int k = 0;
	do {
		k++;
		p *= unif(s);
	} while (p > l);
	return k - 1;
}

static uint64_t seed_of(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(seed ^ 0x6d6f74637561ull) ^ a) ^ b) ^ c;
}

/* ---- names ---------------------------------------------------------------- */

static const char *const surnames[] = {
	"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm",
	"Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Đào",
	"Nguyễn", "Phan", "Trịnh",
};
static const char *const middles_m[] = { "Văn", "Đức", "Minh", "Hữu",
					 "Quang", "Thành", "Công", "Xuân" };
static const char *const middles_f[] = { "Thị", "Thị", "Thu", "Ngọc",
					 "Thanh", "Hồng", "Minh", "Phương" };
static const char *const given_m[] = {
	"Hùng", "Tuấn", "Dũng", "Long", "Sơn", "Quang", "Hải", "Nam",
	"Thắng", "Cường", "Trung", "Phúc", "Khánh", "Đạt", "Toàn", "Bình",
};
static const char *const given_f[] = {
	"Lan", "Hương", "Mai", "Hà", "Nga", "Trang", "Phương", "Linh",
	"Thảo", "Huyền", "Yến", "Ngọc", "Hạnh", "Thủy", "Oanh", "Dung",
};
static const char *const streets[] = {
	"Lý Thái Tổ", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Lê Lợi", "Ngô Gia Tự",
	"Hoàng Quốc Việt", "Xương Giang", "Lê Lai", "Nguyễn Thị Minh Khai",
	"Hùng Vương", "Kinh Dương Vương", "Lạc Long Quân",
};

#define PICK(s, a) ((a)[rnd(s) % (sizeof(a) / sizeof(*(a)))])

static void person_name(uint64_t *s, bool female, struct buf *out)
{
	buf_reset(out);
	buf_addf(out, "%s %s %s", PICK(s, surnames),
		 female ? PICK(s, middles_f) : PICK(s, middles_m),
		 female ? PICK(s, given_f) : PICK(s, given_m));
}

/* ---- command-line state --------------------------------------------------- */

struct officer {
	int64_t id;
	char username[40];
	struct auth_actor actor;
};

/* What a procedure commits to, per channel (dossier_terms_get, resolved
 * once for the province: communes have no versions of their own). */
struct pterm {
	const char *code;		/* borrowed from a desk's demo_proc */
	const char *name;
	bool org;			/* applicants are organisations */
	signed char ok[4];		/* by enum dossier_channel: 1 ok, -1 no */
	struct dossier_terms t[4];
	const char *fallback;		/* statutory table row used, or NULL */
};

struct desk_model {
	struct demo_desk d;
	uint64_t key;			/* the unit code as a number (seeds) */
	bool slug_clash;		/* another commune of the province has
					   the same name key */
	double rate;			/* mean dossiers a working day */
	int first_day;			/* local day its history starts */
	const struct deadline *dl;
	struct demo_proc *procs;
	int n_procs;
	int *pt;			/* per proc: index in the pterm table */
	double *cum;			/* cumulative weights over procs */
	struct officer off[3];		/* receiver, specialist, leader */
};

/* One dossier being walked through its life. */
enum stage {
	ST_CREATE = 0,
	ST_ACT,
};

enum scenario_flags {
	SC_REFUSE_INTAKE = 1 << 0,
	SC_REJECT = 1 << 1,		/* online: refused at acceptance */
	SC_WITHDRAW = 1 << 2,
	SC_REFUSE = 1 << 3,
	SC_STOP = 1 << 4,
	SC_APOLOGY = 1 << 5,
	SC_LATE = 1 << 6,
	SC_SUP_ABANDON = 1 << 7,	/* never brings the supplement: stop */
	SC_VERIFY = 1 << 8,		/* a verification pause */
	SC_UNCOLLECTED = 1 << 9,
	SC_SEND_BACK = 1 << 10,
};

struct sim {
	mc_time at;			/* next event */
	uint64_t order;			/* tie-break: creation order */
	uint64_t rng;
	int desk, pterm;
	int32_t day;
	int idx;
	enum dossier_channel ch;
	unsigned flags;
	int sup_left;			/* supplement rounds still to come */
	int sup_round;			/* requests made so far */
	int permille;			/* where processing ends (of the allotment) */
	bool sent_back, verified;
	enum dossier_state state;
	int step, n_steps;
	enum dossier_action next;
	int to_step;
	mc_time new_due;
	char code[DOSSIER_CODE_MAX];
	int64_t version;
	mc_time received_at, due_at, last_at, result_at;
	mc_time orig_due;		/* the due before an apology */
	int n_pauses;
	struct deadline_pause pauses[DEMO_MAX_PAUSES];
	mc_time pause_start;
};

struct tally {
	int64_t created, replayed, refused_intake, actions, errors;
	int64_t finished, late, early, on_time;
	int64_t supplements, violations, apologies, refusals, stops;
	int64_t ratings, ratings_by_level[RL__COUNT];
	int64_t feedback, feedback_open, feedback_published;
	int64_t by_state[DS__COUNT];
	int64_t by_channel[4];
};

struct demo {
	struct db *db;
	const char *url;
	uint64_t seed;
	mc_time now;
	int32_t now_day;
	struct calendar cal;
	struct schedule sched;
	struct deadline engines[8];
	char engine_keys[8][200];
	int n_engines;
	struct dossier_settings settings;
	struct desk_model *desks;
	int n_desks;
	int busy;			/* index of Cảnh Thụy */
	struct pterm *pts;
	int n_pts;
	/* arrivals: counts[desk][day - first_day] */
	int32_t first_day, n_days;
	int32_t *counts;
	int64_t total;
	/* the heap of sims */
	struct sim **heap;
	size_t n_heap, cap_heap;
	uint64_t order;
	int pending_writes;
	struct dossier_bulk *bk;	/* the bulk path of dossier_repo */
	struct tally t;
	/* progress */
	bool tty;
	int last_decile;
	double t0, last_draw;
	struct buf err;
	int n_err_shown;
	int fatal;			/* MC_EDB seen: stop */
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- users ---------------------------------------------------------------- */

struct login {
	char username[40];
	char password[24];		/* "" when the user existed already */
	enum role role;
	char unit[16];
	char full_name[128];
	int64_t id;
	bool existed;
	int rc;
	char why[200];
};

/* 16 characters from an alphabet without look-alikes (libsodium RNG). */
static void new_password(char out[24])
{
	static const char alpha[] = "abcdefghijkmnpqrstuvwxyz"
				    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 16; i++)
		out[i] = alpha[randombytes_uniform(sizeof(alpha) - 1)];
	out[16] = '\0';
}

struct user_job {
	const char *url;
	struct login *logins;
	int n;
	atomic_int next;
	mc_time now;
};

/* Worker: creates the users not yet present (argon2id is the cost: ~0.1 s
 * each, so they are hashed on every core). */
static void *user_worker(void *arg)
{
	struct user_job *j = arg;
	struct db *db = NULL;
	struct buf err = BUF_INIT;
	if (db_open(j->url, &db, &err) < 0) {
		for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
			j->logins[i].rc = MC_EDB;
			snprintf(j->logins[i].why, sizeof j->logins[i].why,
				 "%s", err.ptr);
		}
		goto out;
	}
	for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
		struct login *l = &j->logins[i];
		json_t *u = NULL;
		buf_reset(&err);
		if (auth_user_get(db, l->username, &u, &err) == 0) {
			l->existed = true;
			l->id = json_integer_value(json_object_get(u, "id"));
			json_decref(u);
			continue;
		}
		new_password(l->password);
		l->rc = auth_user_create(db, &demo_actor, l->username,
					 l->full_name, l->password, l->role,
					 l->unit, j->now, &l->id, &err);
		if (l->rc == MC_ECONFLICT) {	/* made meanwhile: fine */
			l->rc = 0;
			l->existed = true;
			l->password[0] = '\0';
		}
		if (l->rc)
			snprintf(l->why, sizeof l->why, "%s", err.ptr);
	}
out:
	if (db)
		db_close(db);
	buf_release(&err);
	return NULL;
}

/* The username of `prefix` at a commune: prefix.slug, or prefix.CODE when
 * the slug is too long or taken by another commune of the province. */
static void commune_username(const struct demo_desk *d, const char *prefix,
			     bool slug_clash, char out[40])
{
	char slug[96];
	size_t k = 0;
	for (const char *p = d->name_key; *p && k + 1 < sizeof slug; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			slug[k++] = *p;
	slug[k] = '\0';
	if (slug_clash || !k || strlen(prefix) > 16 || k > 22 ||
	    strlen(prefix) + 1 + k > 32)
		snprintf(out, 40, "%s.%s", prefix, d->unit);
	else
		/* Lengths checked above; the precisions bound them for the
		 * compiler too (-Wformat-truncation at -O1). */
		snprintf(out, 40, "%.16s.%.22s", prefix, slug);
}

static const struct {
	enum role role;
	const char *prefix;
} desk_roles[3] = {
	{ ROLE_RECEIVER, "tiepnhan" },
	{ ROLE_SPECIALIST, "chuyenvien" },
	{ ROLE_LEADER, "lanhdao" },
};

/* The logins file: next to a SQLite database, else in the current
 * directory. */
static void logins_path(const char *url, const char *opt, struct buf *out)
{
	buf_reset(out);
	if (opt && *opt) {
		buf_adds(out, opt);
		return;
	}
	const char *p = url;
	if (!strncmp(p, "sqlite:", 7))
		p += 7;
	if (strstr(url, "://"))
		buf_adds(out, "motcua-demo.logins");
	else
		buf_addf(out, "%s.logins", p);
}

/* Passwords of users made by an earlier run, from the logins file. */
static void read_old_passwords(const char *path, struct login *l, int n)
{
	FILE *f = fopen(path, "r");
	char line[512];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t');
		if (!tab || line[0] == '#')
			continue;
		*tab = '\0';
		char *pw = tab + 1, *end = strchr(pw, '\t');
		if (!end)
			continue;
		*end = '\0';
		for (int i = 0; i < n; i++)
			if (l[i].existed && !l[i].password[0] &&
			    !strcmp(l[i].username, line))
				snprintf(l[i].password, sizeof l[i].password,
					 "%s", pw);
	}
	fclose(f);
}

static int write_logins(const char *path, const struct login *l, int n,
			struct buf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		buf_setf(err, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return MC_EIO;
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f, "# motcua demo logins (username, password, role, unit, "
		   "name). Keep this file private; change the passwords "
		   "before real use.\n");
	for (int i = 0; i < n; i++)
		if (l[i].password[0])
			fprintf(f, "%s\t%s\t%s\t%s\t%s\n", l[i].username,
				l[i].password, authz_role_name(l[i].role),
				l[i].unit, l[i].full_name);
	if (fclose(f) != 0) {
		buf_setf(err, "%s: %s", path, strerror(errno));
		return MC_EIO;
	}
	return 0;
}

/*
 * The province's users: a province administrator, an inspector and a
 * viewer on 24, a unit administrator of Cảnh Thụy, and a receiver, a
 * specialist and a leader at every commune desk. Fills the desks'
 * officers. *out (free()) holds every login, n_main the ones printed.
 */
static int make_users(struct demo *dm, int threads, struct login **out,
		      int *n_out, struct buf *err)
{
	int n = 4 + 3 * dm->n_desks, k = 0, rc = 0;
	struct login *l = xcalloc((size_t)n, sizeof(*l));
	uint64_t s = seed_of(dm->seed, 1, 2, 3);
	struct buf name = BUF_INIT;
	static const struct {
		const char *user;
		enum role role;
		const char *unit;
	} top[4] = {
		{ "quantri." DEMO_PROVINCE_SLUG, ROLE_ADMIN, DEMO_PROVINCE },
		{ "quantri.canhthuy", ROLE_UNIT_ADMIN, DEMO_BUSY_UNIT },
		{ "thanhtra." DEMO_PROVINCE_SLUG, ROLE_INSPECTOR, DEMO_PROVINCE },
		{ "xem." DEMO_PROVINCE_SLUG, ROLE_VIEWER, DEMO_PROVINCE },
	};
	for (int i = 0; i < 4; i++, k++) {
		snprintf(l[k].username, sizeof l[k].username, "%s", top[i].user);
		l[k].role = top[i].role;
		snprintf(l[k].unit, sizeof l[k].unit, "%s", top[i].unit);
		person_name(&s, chance(&s, 0.5), &name);
		snprintf(l[k].full_name, sizeof l[k].full_name, "%s", name.ptr);
	}
	for (int i = 0; i < dm->n_desks; i++) {
		const struct demo_desk *d = &dm->desks[i].d;
		bool clash = dm->desks[i].slug_clash;
		for (int r = 0; r < 3; r++, k++) {
			commune_username(d, desk_roles[r].prefix, clash,
					 l[k].username);
			l[k].role = desk_roles[r].role;
			snprintf(l[k].unit, sizeof l[k].unit, "%s", d->unit);
			person_name(&s, chance(&s, 0.6), &name);
			snprintf(l[k].full_name, sizeof l[k].full_name, "%s",
				 name.ptr);
		}
	}
	buf_release(&name);

	struct user_job job = { dm->url, l, n, 0, dm->now };
	pthread_t th[16];
	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, user_worker, &job);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < n; i++)
		if (l[i].rc) {
			buf_setf(err, "user %s: %s", l[i].username, l[i].why);
			rc = l[i].rc;
			goto out;
		}
	for (int i = 0; i < dm->n_desks; i++)
		for (int r = 0; r < 3; r++) {
			struct login *x = &l[4 + 3 * i + r];
			struct officer *o = &dm->desks[i].off[r];
			o->id = x->id;
			snprintf(o->username, sizeof o->username, "%s",
				 x->username);
		}
out:
	if (rc) {
		free(l);
		l = NULL;
		n = 0;
	}
	*out = l;
	*n_out = n;
	return rc;
}

/* ---- desks, procedures, terms --------------------------------------------- */

/*
 * NEEDSWORK: statutory times of the most common commune procedures whose
 * catalog time has no unit (a bare "1" or "3": the national export lost
 * it; core/duration.h refuses to guess, and so does dossier_terms_get()).
 * Sources: research vn-requirements.md §6 table (rows 2.000815 .. 2.000635):
 * Luật Hộ tịch 2014 art. 5 cl. 3, 16, 18; NĐ 123/2015 art. 22; NĐ 23/2015
 * art. 7. Used by the demo only, as dossier_create()'s terms override;
 * the real fix belongs to the catalog import (/work/notes/demo-to-dossier.md).
 */
static const struct {
	const char *code;
	enum duration_unit unit;
	int amount;
	const char *why;
} statutory[] = {
	{ "1.001193", DUR_SAME_DAY, 0, "Luật Hộ tịch 2014 điều 16, 5.3" },
	{ "1.000894", DUR_SAME_DAY, 0, "Luật Hộ tịch 2014 điều 18, 5.3" },
	{ "1.000656", DUR_SAME_DAY, 0, "Luật Hộ tịch 2014 điều 5.3" },
	{ "1.004873", DUR_WORKING_DAYS, 3, "NĐ 123/2015 điều 22" },
	{ "2.000635", DUR_SAME_DAY, 0, "Luật Hộ tịch 2014 điều 5.3" },
	{ "2.000815", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.000884", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.000992", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.001008", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.000942", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.000913", DUR_SAME_DAY, 0, "NĐ 23/2015 điều 7" },
	{ "2.001035", DUR_WORKING_DAYS, 2, "NĐ 23/2015 điều 7" },
	{ "2.001019", DUR_WORKING_DAYS, 2, "NĐ 23/2015 điều 7" },
	{ "2.001406", DUR_WORKING_DAYS, 2, "NĐ 23/2015 điều 7" },
	{ "2.001016", DUR_WORKING_DAYS, 2, "NĐ 23/2015 điều 7" },
};

/*
 * Weights of procedures at a commune desk, by what people come for most:
 * certified copies, then civil status (birth, marriage status, marriage,
 * death), then land and household businesses; everything else rare. The
 * first matching row wins; patterns are matched in the name's search key.
 */
static const struct {
	const char *field;		/* NULL: any */
	const char *key;		/* substring of the name key, NULL: any */
	double w;
} weights[] = {
	{ NULL, "yeu to nuoc ngoai", 0.3 },
	{ NULL, "luu dong", 0.5 },
	{ NULL, "chung thuc ban sao tu ban chinh", 320 },
	{ NULL, "chung thuc chu ky nguoi dich", 6 },
	{ NULL, "chung thuc chu ky", 60 },
	{ NULL, "chung thuc hop dong", 12 },
	{ NULL, "chung thuc giao dich", 12 },
	{ NULL, "chung thuc", 4 },
	{ NULL, "cap ban sao trich luc", 35 },
	{ NULL, "ban sao tu so goc", 12 },
	{ NULL, "xac nhan tinh trang hon nhan", 60 },
	{ NULL, "dang ky lai", 3 },
	{ NULL, "ket hop", 4 },
	{ NULL, "thu tuc dang ky khai sinh", 70 },
	{ NULL, "thu tuc dang ky ket hon", 28 },
	{ NULL, "thu tuc dang ky khai tu", 22 },
	{ NULL, "cai chinh", 8 },
	{ NULL, "giam ho", 2 },
	{ NULL, "ho kinh doanh", 6 },
	{ NULL, "ho ngheo", 3 },
	{ NULL, "can ngheo", 3 },
	{ "Đất đai", NULL, 4 },
	{ "Hộ tịch", NULL, 2 },
	{ "Đăng ký, quản lý cư trú", NULL, 5 },
	{ "Đăng ký biện pháp bảo đảm", NULL, 4 },
	{ "Hòa giải ở cơ sở", NULL, 0.5 },
	{ NULL, NULL, 0.2 },
};

static double proc_weight(const struct demo_proc *p)
{
	for (size_t i = 0; i < sizeof(weights) / sizeof(*weights); i++) {
		if (weights[i].field && strcmp(weights[i].field, p->field))
			continue;
		if (weights[i].key && !strstr(p->name_key, weights[i].key))
			continue;
		return weights[i].w;
	}
	return 0.2;
}

static int pterm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pterm *)a)->code,
		      ((const struct pterm *)b)->code);
}

/* The terms of every procedure some desk serves, per channel. */
static int resolve_terms(struct demo *dm, struct buf *err)
{
	int n = 0, cap = 0;
	struct pterm *v = NULL;
	for (int i = 0; i < dm->n_desks; i++)
		for (int j = 0; j < dm->desks[i].n_procs; j++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				v = xrealloc(v, (size_t)cap * sizeof(*v));
			}
			memset(&v[n], 0, sizeof(v[n]));
			v[n].code = dm->desks[i].procs[j].code;
			v[n].name = dm->desks[i].procs[j].name;
			v[n].org = strstr(dm->desks[i].procs[j].field,
					  "hợp tác xã") != NULL;
			n++;
		}
	qsort(v, (size_t)n, sizeof(*v), pterm_cmp);
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!m || strcmp(v[m - 1].code, v[i].code))
			v[m++] = v[i];
	n = m;
	int32_t today = dm->first_day;
	struct buf why = BUF_INIT;
	for (int i = 0; i < n; i++) {
		for (int c = DCH_COUNTER; c <= DCH_POST; c++) {
			buf_reset(&why);
			int rc = dossier_terms_get(dm->db, v[i].code,
						   dm->desks[dm->busy].d.unit,
						   (enum dossier_channel)c,
						   today, &v[i].t[c], &why);
			if (rc == MC_EDB) {
				buf_setf(err, "%s", why.ptr);
				free(v);
				buf_release(&why);
				return rc;
			}
			v[i].ok[c] = rc == 0 ? 1 : -1;
			if (rc != MC_EINVALID)
				continue;
			for (size_t k = 0; k < sizeof(statutory) /
						       sizeof(*statutory);
			     k++) {
				if (strcmp(statutory[k].code, v[i].code))
					continue;
				struct dossier_terms *t = &v[i].t[c];
				t->dur.unit = statutory[k].unit;
				t->dur.amount = statutory[k].amount;
				if (dossier_plan_get(dm->db, v[i].code,
						     t->version_id, &t->dur,
						     &t->plan, &why) == 0) {
					v[i].ok[c] = 1;
					v[i].fallback = statutory[k].why;
				}
			}
		}
	}
	buf_release(&why);
	dm->pts = v;
	dm->n_pts = n;
	/* Per desk: the index of each procedure and the sampling weights. */
	for (int i = 0; i < dm->n_desks; i++) {
		struct desk_model *dk = &dm->desks[i];
		dk->pt = xcalloc((size_t)dk->n_procs + 1, sizeof(int));
		dk->cum = xcalloc((size_t)dk->n_procs + 1, sizeof(double));
		double acc = 0;
		for (int j = 0; j < dk->n_procs; j++) {
			struct pterm key = { .code = dk->procs[j].code };
			struct pterm *p = bsearch(&key, v, (size_t)n, sizeof(*v),
						  pterm_cmp);
			dk->pt[j] = (int)(p - v);
			bool usable = p->ok[1] > 0 || p->ok[2] > 0 ||
				      p->ok[3] > 0;
			acc += usable ? proc_weight(&dk->procs[j]) : 0;
			dk->cum[j] = acc;
		}
	}
	return 0;
}

/* The deadline engine of a desk's hours, shared by desks with the same. */
static int desk_engine(struct demo *dm, const char *unit,
		       const struct deadline **out, struct buf *err)
{
	struct officehours oh;
	json_t *desk = NULL;
	struct buf key = BUF_INIT;
	int rc;
	if ((rc = deskhours_get(dm->db, unit, &desk, &oh, err)) < 0)
		goto out;
	officehours_format(&oh, &key);
	for (int i = 0; i < dm->n_engines; i++)
		if (!strcmp(dm->engine_keys[i], key.ptr)) {
			*out = &dm->engines[i];
			goto out;
		}
	if (dm->n_engines == 8) {
		buf_setf(err, "more than 8 distinct desk hours");
		rc = MC_ETOOBIG;
		goto out;
	}
	int y0, y1, m, d;
	days_to_date(dm->first_day, &y0, &m, &d);
	days_to_date(dm->now_day, &y1, &m, &d);
	if ((rc = deadline_init_years(&dm->engines[dm->n_engines], &dm->cal,
				      &oh, NULL, y0, y1 + 2, err)) < 0)
		goto out;
	snprintf(dm->engine_keys[dm->n_engines], 200, "%s", key.ptr);
	*out = &dm->engines[dm->n_engines++];
out:
	json_decref(desk);
	buf_release(&key);
	return rc;
}

/*
 * A demo agency identifier for desks that have none, in the shape of TT
 * 03/2025 art. 13 cl. 3 (MX1X2.Y1Y2Y3.Z1Z2): H24 then the commune code
 * split 3 + 2 ("H24.077.38"). Real identifiers come from the province
 * (QĐ 20/2020/QĐ-TTg); an administrator replaces these on the desk page.
 */
static int ensure_agency(struct demo *dm, struct desk_model *dk,
			 struct buf *err)
{
	json_t *desk = NULL, *norm = NULL, *errors = NULL;
	char code[48];
	int rc;
	if (dk->d.agency_code[0])
		return 0;
	snprintf(code, sizeof code, "H%s.%.3s.%.2s", DEMO_PROVINCE, dk->d.unit,
		 dk->d.unit + 3);
	if ((rc = desk_repo_get(dm->db, dk->d.unit, &desk, err)) < 0)
		return rc;
	struct desk_edit e = {
		.name = json_string_value(json_object_get(desk, "name")),
		.agency_code = code,
		.office_hours = json_string_value(json_object_get(desk,
								   "office_hours")),
		.cutoff = json_string_value(json_object_get(desk, "cutoff")),
		.address = json_string_value(json_object_get(desk, "address")),
		.phone = json_string_value(json_object_get(desk, "phone")),
		.version = json_integer_value(json_object_get(desk, "version")),
	};
	if ((rc = desk_edit_check(&e, &norm, &errors)) < 0) {
		char *s = json_text(errors, JSON_COMPACT);
		buf_setf(err, "desk %s: %s", dk->d.unit, s ? s : "?");
		free(s);
		goto out;
	}
	rc = desk_repo_update(dm->db, &demo_actor, dk->d.unit, norm, e.version,
			      dm->now, NULL, err);
	if (!rc)
		snprintf(dk->d.agency_code, sizeof dk->d.agency_code, "%s",
			 code);
out:
	json_decref(desk);
	json_decref(norm);
	json_decref(errors);
	return rc;
}

/*
 * Keeps Cảnh Thụy and the `k` - 1 desks nearest to it by unit code (all
 * when k is 0), in code order.
 */
static void select_desks(struct demo *dm, const struct demo_desk *all, int n,
			 int k)
{
	long busy = strtol(DEMO_BUSY_UNIT, NULL, 10);
	bool *keep = xcalloc((size_t)n + 1, sizeof(bool));
	if (k <= 0 || k > n)
		k = n;
	for (int got = 0; got < k; got++) {
		int best = -1;
		long bd = 0;
		for (int i = 0; i < n; i++) {
			long d = labs(strtol(all[i].unit, NULL, 10) - busy);
			if (!keep[i] && (best < 0 || d < bd)) {
				best = i;
				bd = d;
			}
		}
		keep[best] = true;
	}
	dm->n_desks = 0;
	for (int i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		struct desk_model *dk = &dm->desks[dm->n_desks];
		dk->d = all[i];
		dk->key = (uint64_t)strtoull(all[i].unit, NULL, 10);
		for (int j = 0; j < n; j++)
			if (j != i && !strcmp(all[j].name_key, all[i].name_key))
				dk->slug_clash = true;
		if (!strcmp(all[i].unit, DEMO_BUSY_UNIT))
			dm->busy = dm->n_desks;
		dm->n_desks++;
	}
	free(keep);
}

/* ---- volumes -------------------------------------------------------------- */

/* Whether local day `day` is a working day with sessions for engine dl,
 * and the weekday whose sessions apply (into *wday). */
static bool workday(const struct deadline *dl, int32_t day, int *wday)
{
	int32_t i = day - dl->first_day;
	if (i < 0 || i >= dl->n_days || !dl->tmpl[i])
		return false;
	*wday = dl->tmpl[i] - 1;
	return true;
}

/* Weekday factor: Mondays are busy, Fridays lighter (0 = Sunday). */
static const double wday_factor[7] = { 1, 1.2, 1.05, 1.0, 1.0, 0.85, 1 };
/* Online share of dossiers, and on days off online dossiers still come:
 * this share of a working day's online volume. */
#define ONLINE_SHARE 0.22
#define POST_SHARE 0.05
#define OFFDAY_ONLINE 0.35

static double day_mean(const struct demo *dm, const struct desk_model *dk,
		       int32_t day)
{
	int wd;
	if (day < dk->first_day || day > dm->now_day)
		return 0;
	if (workday(dk->dl, day, &wd))
		return dk->rate * wday_factor[wd];
	return dk->rate * ONLINE_SHARE * OFFDAY_ONLINE;
}

/*
 * Mean daily volumes: Cảnh Thụy DEMO_BUSY_RATE; other wards 60-120;
 * communes (xã) 15-60; the special zone 10-30. Drawn once from the seed.
 */
static void desk_rates(struct demo *dm)
{
	for (int i = 0; i < dm->n_desks; i++) {
		struct desk_model *dk = &dm->desks[i];
		uint64_t s = seed_of(dm->seed, 7, dk->key, 0);
		if (i == dm->busy)
			dk->rate = DEMO_BUSY_RATE;
		else if (!strcmp(dk->d.type, "phường"))
			dk->rate = 60 + 60 * unif(&s);
		else if (!strcmp(dk->d.type, "xã"))
			dk->rate = 15 + 45 * unif(&s);
		else
			dk->rate = 10 + 20 * unif(&s);
	}
}

/*
 * The number of dossiers per desk and day. Without --dossiers: Cảnh Thụy
 * over `days`, the others over the last DEMO_OTHERS_DAYS. With N: every
 * desk over `days`, the daily means scaled so that the total is N; when
 * that would more than double the believable volumes and --days was not
 * given, the history gets longer instead (years, not crowds). The counts
 * are then corrected to exactly N.
 */
static void plan_volumes(struct demo *dm, int days, bool days_set,
			 int64_t want)
{
	double scale = 1;
	for (int pass = 0; pass < 2; pass++) {
		dm->first_day = dm->now_day - days + 1;
		for (int i = 0; i < dm->n_desks; i++)
			dm->desks[i].first_day =
				want > 0 || i == dm->busy
					? dm->first_day
					: dm->now_day - DEMO_OTHERS_DAYS + 1;
		if (want <= 0 || pass)
			break;
		double e = 0;
		for (int i = 0; i < dm->n_desks; i++)
			for (int32_t d = dm->first_day; d <= dm->now_day; d++)
				e += day_mean(dm, &dm->desks[i], d);
		scale = e > 0 ? (double)want / e : 1;
		if (scale > 2 && !days_set) {
			days = (int)ceil(days * scale);
			scale = 1;
			continue;	/* recompute with the longer history */
		}
		break;
	}
	if (want > 0 && dm->first_day != dm->now_day - days + 1)
		dm->first_day = dm->now_day - days + 1;
	if (want > 0) {	/* after a longer history: the exact scale */
		double e = 0;
		for (int i = 0; i < dm->n_desks; i++) {
			dm->desks[i].first_day = dm->first_day;
			for (int32_t d = dm->first_day; d <= dm->now_day; d++)
				e += day_mean(dm, &dm->desks[i], d);
		}
		scale = e > 0 ? (double)want / e : 1;
	}
	dm->n_days = dm->now_day - dm->first_day + 1;
	dm->counts = xcalloc((size_t)dm->n_desks * (size_t)dm->n_days,
			     sizeof(int32_t));
	int64_t total = 0;
	for (int i = 0; i < dm->n_desks; i++)
		for (int32_t k = 0; k < dm->n_days; k++) {
			uint64_t s = seed_of(dm->seed, 11, dm->desks[i].key,
					     (uint64_t)(dm->first_day + k));
			double m = day_mean(dm, &dm->desks[i],
					    dm->first_day + k) * scale;
			int c = poisson(&s, m);
			dm->counts[(size_t)i * (size_t)dm->n_days + (size_t)k] = c;
			total += c;
		}
	if (want > 0) {
		/* Exactly N: add or take single dossiers at random cells
		 * that have a mean (more often at busy ones). */
		uint64_t s = seed_of(dm->seed, 13, 0, 0);
		while (total != want) {
			int i = (int)(rnd(&s) % (uint64_t)dm->n_desks);
			int32_t k = (int32_t)(rnd(&s) % (uint64_t)dm->n_days);
			double m = day_mean(dm, &dm->desks[i], dm->first_day + k);
			if (m <= 0 || unif(&s) * 160 > m)
				continue;
			int32_t *c = &dm->counts[(size_t)i * (size_t)dm->n_days +
						 (size_t)k];
			if (total < want) {
				(*c)++;
				total++;
			} else if (*c > 0) {
				(*c)--;
				total--;
			}
		}
	}
	dm->total = total;
}

/* ---- the heap of dossiers in flight --------------------------------------- */

static bool before(const struct sim *a, const struct sim *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void heap_push(struct demo *dm, struct sim *s)
{
	if (dm->n_heap == dm->cap_heap) {
		dm->cap_heap = dm->cap_heap ? 2 * dm->cap_heap : 4096;
		dm->heap = xrealloc(dm->heap, dm->cap_heap * sizeof(*dm->heap));
	}
	size_t i = dm->n_heap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!before(s, dm->heap[p]))
			break;
		dm->heap[i] = dm->heap[p];
		i = p;
	}
	dm->heap[i] = s;
}

static struct sim *heap_pop(struct demo *dm)
{
	struct sim *top = dm->heap[0], *last = dm->heap[--dm->n_heap];
	size_t i = 0, n = dm->n_heap;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct sim *mv = last;
		if (l < n && before(dm->heap[l], mv)) {
			m = l;
			mv = dm->heap[l];
		}
		if (r < n && before(dm->heap[r], mv))
			m = r;
		if (m == i)
			break;
		dm->heap[i] = dm->heap[m];
		i = m;
	}
	if (n)
		dm->heap[i] = last;
	return top;
}

/* ---- time helpers (the real calendar) ------------------------------------- */

/* The instant `minutes` of working time after t (t itself when 0). */
static mc_time work_after(const struct deadline *dl, mc_time t, int64_t minutes)
{
	if (minutes <= 0)
		return t;
	int h = (int)(minutes / 60) + 1;
	int w[2] = { (int)minutes, h * 60 - (int)minutes };
	mc_time dues[2];
	struct deadline_req r = {
		.received = t,
		.dur = { DUR_WORKING_HOURS, h },
		.flags = DL_REQ_RAW_START,
	};
	if (deadline_split(dl, &r, w, 2, dues, NULL) < 0)
		return t + minutes * 60;	/* outside the calendar: rare */
	return dues[0];
}

/* The instant at which the clock of s has used `permille` of its
 * allotment (pauses so far included). */
static mc_time at_share(const struct demo *dm, const struct sim *s,
			int permille)
{
	const struct pterm *p = &dm->pts[s->pterm];
	const struct deadline *dl = dm->desks[s->desk].dl;
	if (permille < 1)
		permille = 1;
	if (permille > 1000)
		permille = 1000;
	int w[2] = { permille, 1000 - permille };
	mc_time dues[2];
	struct deadline_req r = {
		.received = s->received_at,
		.dur = p->t[s->ch].dur,
		.pauses = s->pauses,
		.n_pauses = s->n_pauses,
	};
	if (deadline_split(dl, &r, w, 2, dues, NULL) < 0)
		return s->due_at;
	return dues[0];
}

/* A receipt time inside one of the sessions of weekday `wd` of `day`. */
static mc_time session_time(uint64_t *rng, const struct officehours *oh,
			    int32_t day, int wd)
{
	int n = oh->n_sess[wd], total = 0;
	for (int i = 0; i < n; i++)
		total += (oh->sess[wd][i].end -
			  oh->sess[wd][i].start) * (i == 0 ? 13 : 10);
	int x = (int)(rnd(rng) % (uint64_t)(total > 0 ? total : 1));
	for (int i = 0; i < n; i++) {
		const struct oh_session *se = &oh->sess[wd][i];
		int len = (se->end - se->start) * (i == 0 ? 13 : 10);
		if (x < len) {
			int span = se->end - se->start - 5;
			int minute = se->start + (int)(rnd(rng) %
						       (uint64_t)(span > 1 ? span : 1));
			return mctime_day_start(day) + (mc_time)minute * 60 +
			       (mc_time)(rnd(rng) % 60);
		}
		x -= len;
	}
	return mctime_day_start(day) + 8 * 3600;
}

/* ---- one dossier's life --------------------------------------------------- */

static bool sitting(const struct sim *s, const struct demo *dm)
{
	const struct duration *d = &dm->pts[s->pterm].t[s->ch].dur;
	return d->unit == DUR_SAME_DAY ||
	       (d->unit == DUR_WORKING_HOURS && d->amount <= 4);
}

static const struct auth_actor *actor_of(struct demo *dm, const struct sim *s,
					 enum role r)
{
	struct officer *o = &dm->desks[s->desk].off[r == ROLE_SPECIALIST ? 1 :
						     r == ROLE_LEADER ? 2 : 0];
	o->actor.id = o->id;
	o->actor.name = o->username;
	o->actor.client = NULL;
	return &o->actor;
}

static enum role step_role(const struct demo *dm, const struct sim *s,
			   int step)
{
	const struct dossier_plan *pl = &dm->pts[s->pterm].t[s->ch].plan;
	if (step < 0 || step >= pl->n_steps)
		return ROLE_RECEIVER;
	return pl->steps[step].role;
}

/* Sets s->next and s->at for the state reached; false when the dossier's
 * life is over (closed, or waiting for ever). */
static bool schedule_next(struct demo *dm, struct sim *s)
{
	const struct deadline *dl = dm->desks[s->desk].dl;
	uint64_t *r = &s->rng;
	mc_time t = 0;
	int last_proc = s->n_steps - 2;	/* the step that records the result */
	s->to_step = 0;
	s->new_due = 0;
	switch (s->state) {
	case DS_SUBMITTED:
		t = work_after(dl, s->last_at, between(r, 5, 150));
		s->next = s->flags & SC_REJECT	 ? DA_REJECT :
			  s->flags & SC_WITHDRAW ? DA_WITHDRAW :
						   DA_ACCEPT;
		break;
	case DS_RECEIVED:
		s->next = DA_FORWARD;
		if (sitting(s, dm)) {
			mc_time st = s->last_at;
			deadline_start(dl, s->last_at, &st, NULL);
			t = (st > s->last_at ? work_after(dl, st, between(r, 1, 30))
					     : s->last_at) +
			    between(r, 120, 480);
		} else {
			t = at_share(dm, s, (int)between(r, 5, 30));
		}
		break;
	case DS_IN_PROGRESS: {
		int k = s->step;		/* 1 .. last_proc */
		int share = s->permille * k / (last_proc > 0 ? last_proc : 1);
		if (sitting(s, dm)) {
			t = s->last_at + between(r, 180, 900);
			s->next = k >= last_proc ? DA_RECORD_RESULT : DA_FORWARD;
			if (k >= last_proc && (s->flags & SC_LATE))
				t = work_after(dl, s->orig_due,
					       between(r, 30, 600));
			break;
		}
		if (k == 1 && s->sup_left > 0) {
			s->next = DA_REQUEST_SUPPLEMENT;
			t = at_share(dm, s, s->permille * (3 + 3 * s->sup_round) /
						    10);
			break;
		}
		if (k == 1 && (s->flags & SC_VERIFY) && !s->verified) {
			s->next = DA_PAUSE;
			t = at_share(dm, s, s->permille * 2 / 5);
			break;
		}
		if (k == 1 && (s->flags & SC_STOP)) {
			s->next = DA_STOP;
			t = at_share(dm, s, s->permille / 2);
			break;
		}
		if (k == last_proc && (s->flags & SC_SEND_BACK) &&
		    !s->sent_back && last_proc > 1) {
			s->next = DA_SEND_BACK;
			s->to_step = 1;
			t = at_share(dm, s, share * 9 / 10);
			break;
		}
		if (k == last_proc && (s->flags & SC_REFUSE)) {
			s->next = DA_REFUSE;
			t = at_share(dm, s, share);
			break;
		}
		if (k == last_proc && (s->flags & SC_APOLOGY)) {
			/* Mẫu 04 before the due, a new date 2-5 working days
			 * later; the result comes between the two: late. */
			s->next = DA_APOLOGIZE;
			t = at_share(dm, s, 900);
			s->new_due = work_after(dl, s->due_at,
						between(r, 2, 5) * 480);
			s->flags &= ~(unsigned)SC_APOLOGY;
			s->flags |= SC_LATE;
			break;
		}
		if (k == last_proc && (s->flags & SC_LATE)) {
			s->next = DA_RECORD_RESULT;
			mc_time limit = s->due_at;	/* the apology's date */
			t = work_after(dl, s->orig_due, between(r, 30, 600));
			if (limit > s->orig_due && t >= limit)
				t = s->orig_due + (limit - s->orig_due) / 2;
			break;
		}
		s->next = k >= last_proc ? DA_RECORD_RESULT : DA_FORWARD;
		t = at_share(dm, s, share);
		break;
	}
	case DS_SUPPLEMENT_REQUESTED:
		if (s->flags & SC_SUP_ABANDON) {
			s->next = DA_STOP;
			t = work_after(dl, s->last_at, between(r, 10, 25) * 480);
		} else {
			s->next = DA_RECEIVE_SUPPLEMENT;
			t = work_after(dl, s->last_at,
				       between(r, 240, 8 * 480));
		}
		break;
	case DS_PAUSED:
		s->next = DA_RESUME;
		t = work_after(dl, s->last_at, between(r, 2, 8) * 480);
		break;
	case DS_RESULT_READY:
		if (s->flags & SC_UNCOLLECTED)
			return false;
		s->next = DA_RETURN;
		if (sitting(s, dm))
			t = s->last_at + between(r, 60, 300);
		else if (chance(r, 0.5))
			t = work_after(dl, s->last_at, between(r, 20, 240));
		else
			t = work_after(dl, s->last_at,
				       between(r, 1, 6) * 480 +
					       between(r, 0, 200));
		break;
	default:
		return false;
	}
	if (t <= s->last_at)
		t = s->last_at + 60;
	s->at = t;
	return true;
}

/* ---- writing through the repository --------------------------------------- */

static const struct auth_actor online_actor = { 0, "dichvucong", NULL };

static void demo_rate(struct demo *dm, struct sim *s);

static void tally_close(struct demo *dm, const struct sim *s)
{
	dm->t.by_state[s->state]++;
}

static void report_error(struct demo *dm, const struct sim *s,
			 const char *what, int rc)
{
	dm->t.errors++;
	if (rc == MC_EDB)	/* the database, not the generator: stop */
		dm->fatal = rc;
	if (dm->n_err_shown++ < 8)
		fprintf(stderr, "%sdemo: %s %s (%s, %s): %s\n",
			dm->tty ? "\n" : "", what, s->code[0] ? s->code : "-",
			dm->pts[s->pterm].code,
			dossier_channel_name(s->ch), dm->err.len ? dm->err.ptr
								: mc_strerror(rc));
}

/* Commits the batch when it is full and opens the next one. */
static int batch_tick(struct demo *dm)
{
	if (++dm->pending_writes < DEMO_BATCH)
		return 0;
	dm->pending_writes = 0;
	int rc = db_commit(dm->db, &dm->err);
	if (!rc)
		rc = db_begin(dm->db, &dm->err);
	return rc;
}

struct applicant_buf {
	struct buf name, id, phone, street, street2;
};

/*
 * The request (nội dung yêu cầu): the procedure's name, cut at a word
 * boundary near 120 bytes (some names run to a thousand bytes, and the
 * name is on the dossier page anyway through its procedure).
 */
static void short_request(const char *name, struct buf *out)
{
	size_t n = strlen(name), cut = n;
	buf_reset(out);
	if (n > 120) {
		cut = 120;
		while (cut > 40 && name[cut] != ' ')
			cut--;
		while (cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
			cut--;	/* never inside a UTF-8 sequence */
	}
	buf_add(out, name, cut);
	while (out->len && (out->ptr[out->len - 1] == ' ' ||
			    out->ptr[out->len - 1] == ',' ||
			    out->ptr[out->len - 1] == ';'))
		buf_truncate(out, out->len - 1);
	if (cut < n)
		buf_adds(out, "…");
}

static void applicant_make(struct sim *s, const struct demo *dm,
			   struct applicant_buf *b, struct dossier_applicant *a)
{
	uint64_t *r = &s->rng;
	const struct desk_model *dk = &dm->desks[s->desk];
	memset(a, 0, sizeof(*a));
	buf_reset(&b->id);
	buf_reset(&b->phone);
	buf_reset(&b->street);
	if (dm->pts[s->pterm].org) {
		char d9[10];
		int check;
		do {
			snprintf(d9, sizeof d9, "23%07d",
				 (int)between(r, 0, 9999999));
		} while ((check = idcheck_tax_check_digit(d9)) < 0);
		buf_addf(&b->id, "%s%d", d9, check);
		buf_reset(&b->name);
		buf_addf(&b->name, "Hợp tác xã Nông nghiệp %s",
			 PICK(r, given_m));
		a->kind = DAK_ORG;
	} else {
		bool female = chance(r, 0.55);
		int year = (int)between(r, 1950, 2005);
		static const int prov[] = { 27, 27, 27, 27, 27, 24, 24, 24,
					    1, 30, 19, 22 };
		buf_addf(&b->id, "%03d%d%02d%06d", PICK(r, prov),
			 (year >= 2000 ? 2 : 0) + (female ? 1 : 0), year % 100,
			 (int)between(r, 0, 999999));
		person_name(r, female, &b->name);
		a->kind = DAK_PERSON;
		a->birth_year = year;
		a->sex = female ? 'F' : 'M';
	}
	static const char *const pre[] = { "09", "03", "08", "07" };
	buf_addf(&b->phone, "%s%08d", PICK(r, pre),
		 (int)between(r, 0, 99999999));
	buf_addf(&b->street, "Số %d đường %s", (int)between(r, 1, 250),
		 PICK(r, streets));
	a->name = b->name.ptr;
	a->id_number = b->id.ptr;
	a->phone = b->phone.ptr;
	a->email = NULL;
	a->address_unit = dk->d.unit;
	a->address_street = b->street.ptr;
}

static const char *const missing_items[] = {
	"Bản sao giấy tờ tùy thân còn hiệu lực",
	"Tờ khai theo mẫu (ký, ghi rõ họ tên)",
	"Giấy tờ chứng minh nơi cư trú",
	"Văn bản ủy quyền có chứng thực",
	"Bản chính giấy tờ cần đối chiếu",
	"Trích lục bản đồ thửa đất",
};

/* The first event: receipt at the counter or by post, an online
 * submission, or a refusal at intake. False when the dossier is done. */
static bool sim_create(struct demo *dm, struct sim *s, struct applicant_buf *ab)
{
	struct desk_model *dk = &dm->desks[s->desk];
	const struct pterm *p = &dm->pts[s->pterm];
	struct dossier_applicant a;
	struct dossier_created out;
	char key[96];
	applicant_make(s, dm, ab, &a);
	short_request(p->name, &ab->street2);
	snprintf(key, sizeof key, "demo:%llu:%s:%d:%d",
		 (unsigned long long)dm->seed, dk->d.unit, (int)s->day, s->idx);
	struct dossier_create_in in = {
		.action = (s->flags & SC_REFUSE_INTAKE) ? DA_REFUSE_INTAKE :
			  s->ch == DCH_ONLINE		 ? DA_SUBMIT :
							   DA_RECEIVE,
		.procedure_code = p->code,
		.desk_id = dk->d.desk_id,
		.channel = s->ch,
		.request = ab->street2.ptr,
		.applicant = a,
		.note = (s->flags & SC_REFUSE_INTAKE)
				? "Hồ sơ chưa đủ thành phần: thiếu tờ khai theo "
				  "mẫu và bản sao giấy tờ tùy thân; đã hướng "
				  "dẫn người nộp bổ sung một lần đầy đủ."
				: NULL,
		.terms = &p->t[s->ch],
	};
	buf_reset(&dm->err);
	int rc = dossier_bulk_create(dm->bk, &in, key, dk->dl, s->at,
				     s->ch == DCH_ONLINE
					     ? &online_actor
					     : actor_of(dm, s, ROLE_RECEIVER),
				     &out, &dm->err);
	if (rc < 0) {
		report_error(dm, s, "create", rc);
		return false;
	}
	if (out.replayed) {
		dm->t.replayed++;
		return false;
	}
	dm->t.created++;
	dm->t.by_channel[s->ch]++;
	snprintf(s->code, sizeof s->code, "%s", out.code);
	s->version = out.version;
	s->state = out.state;
	s->step = 0;
	s->n_steps = p->t[s->ch].plan.n_steps;
	s->received_at = out.state == DS_RECEIVED ? s->at : 0;
	s->due_at = s->orig_due = out.due_at;
	s->last_at = s->at;
	if (out.state == DS_REFUSED_AT_INTAKE) {
		dm->t.refused_intake++;
		return false;
	}
	return true;
}

/* The next action of s (s->next at s->at). False when the dossier is
 * done (closed, or an error). */
static bool sim_act(struct demo *dm, struct sim *s)
{
	struct dossier_act_in in = {
		.action = s->next,
		.expected_version = s->version,
		.to_step = s->to_step,
		.new_due = s->new_due,
		.plan = &dm->pts[s->pterm].t[s->ch].plan,
	};
	const char *items[2];
	char number[32], date[16];
	enum role who = step_role(dm, s, s->step);
	uint64_t *r = &s->rng;
	switch (s->next) {
	case DA_ACCEPT:
	case DA_REJECT:
	case DA_WITHDRAW:
	case DA_RECEIVE_SUPPLEMENT:
	case DA_STOP:
	case DA_RETURN:
		who = ROLE_RECEIVER;
		break;
	case DA_REFUSE:
	case DA_APOLOGIZE:
		who = ROLE_LEADER;
		break;
	default:
		break;
	}
	switch (s->next) {
	case DA_REJECT:
		in.note = "Hồ sơ trực tuyến không đủ điều kiện: tệp đính kèm "
			  "không đọc được.";
		break;
	case DA_WITHDRAW:
		in.note = "Công dân đề nghị rút hồ sơ.";
		break;
	case DA_REQUEST_SUPPLEMENT:
		items[0] = PICK(r, missing_items);
		items[1] = PICK(r, missing_items);
		in.items = items;
		in.n_items = items[0] == items[1] ? 1 : 2;
		in.note = "Đề nghị bổ sung hồ sơ (Mẫu 02).";
		break;
	case DA_REFUSE:
		in.note = "Không đủ điều kiện giải quyết theo quy định "
			  "(Mẫu 03).";
		break;
	case DA_APOLOGIZE:
		in.note = "Hồ sơ cần xác minh thêm; xin lỗi và hẹn lại ngày "
			  "trả kết quả (Mẫu 04).";
		s->orig_due = s->due_at;
		break;
	case DA_PAUSE:
		in.pause_kind = "civil_status_verification";
		in.note = "Gửi văn bản xác minh thông tin hộ tịch.";
		break;
	case DA_STOP:
		in.note = "Người nộp hồ sơ đề nghị dừng giải quyết.";
		break;
	case DA_SEND_BACK:
		in.note = "Đề nghị thẩm định lại.";
		break;
	case DA_RECORD_RESULT: {
		struct mc_civil c;
		mctime_to_local(s->at, &c);
		snprintf(number, sizeof number, "%d/%s",
			 (int)between(r, 1, 9999),
			 dm->pts[s->pterm].org ? "GCN-HTX" : "QĐ-UBND");
		snprintf(date, sizeof date, "%04d-%02d-%02d", c.year, c.month,
			 c.day);
		in.result_number = number;
		in.result_date = date;
		break;
	}
	case DA_RETURN:
		in.collected_by = "Người nộp hồ sơ";
		in.identity_checked = "Căn cước";
		break;
	default:
		break;
	}
	struct dossier_act_out out;
	buf_reset(&dm->err);
	int rc = dossier_bulk_act(dm->bk, s->code, &in, dm->desks[s->desk].dl,
				  s->at, actor_of(dm, s, who), &out, &dm->err);
	if (rc < 0) {
		char what[48];
		snprintf(what, sizeof what, "%s",
			 dossier_action_name(s->next));
		report_error(dm, s, what, rc);
		return false;
	}
	dm->t.actions++;
	s->version = out.version;
	s->state = out.to;
	s->due_at = out.due_at;
	s->last_at = s->at;
	switch (s->next) {
	case DA_ACCEPT:
		s->received_at = s->at;
		s->orig_due = out.due_at;
		s->step = 0;
		break;
	case DA_FORWARD:
		s->step++;
		break;
	case DA_SEND_BACK:
		s->step = s->to_step;
		s->sent_back = true;
		break;
	case DA_REQUEST_SUPPLEMENT:
	case DA_PAUSE:
		s->pause_start = s->at;
		if (s->next == DA_REQUEST_SUPPLEMENT) {
			dm->t.supplements++;
			if (s->sup_round++ >= 1)
				dm->t.violations++;
			s->sup_left--;
		}
		break;
	case DA_RECEIVE_SUPPLEMENT:
	case DA_RESUME:
		if (s->n_pauses < DEMO_MAX_PAUSES) {
			s->pauses[s->n_pauses].start = s->pause_start;
			s->pauses[s->n_pauses].end = s->at;
			s->n_pauses++;
		}
		s->orig_due = out.due_at;
		if (s->next == DA_RESUME)
			s->verified = true;
		break;
	case DA_APOLOGIZE:
		dm->t.apologies++;
		break;
	case DA_RECORD_RESULT:
	case DA_REFUSE:
	case DA_STOP: {
		s->result_at = s->at;
		s->step = s->next == DA_RECORD_RESULT ? s->n_steps - 1 : -1;
		enum deadline_class c = deadline_classify(s->orig_due, s->at);
		if (s->sup_round > 1)
			c = DL_LATE;
		dm->t.finished++;
		if (c == DL_LATE)
			dm->t.late++;
		else if (c == DL_EARLY)
			dm->t.early++;
		else
			dm->t.on_time++;
		if (s->next == DA_REFUSE)
			dm->t.refusals++;
		if (s->next == DA_STOP)
			dm->t.stops++;
		break;
	}
	case DA_RETURN:
		demo_rate(dm, s);
		break;
	default:
		break;
	}
	return !dossier_state_closed(s->state);
}

/*
 * A citizen rates the dossier just handed back, at the desk's kiosk (about
 * a third do). The scores follow what happened, as TT 01/2018 art. 13
 * scores them (core/rating.h): time against the appointment, trips for
 * supplements, agencies by channel; attitude and publicity are mostly
 * good. The overall level follows the total, and a bad attitude is always
 * "Không hài lòng". Deterministic for a seed.
 */
#define DEMO_RATING_SHARE 0.33

static void demo_rate(struct demo *dm, struct sim *s)
{
	uint64_t *r = &s->rng;
	if (!chance(r, DEMO_RATING_SHARE))
		return;
	mc_time at = s->at + between(r, 60, 900);
	if (at > dm->now)
		return;
	static const char *const good[] = {
		"Cán bộ hướng dẫn tận tình, dễ hiểu.",
		"Trả kết quả đúng hẹn, thủ tục nhanh gọn.",
		"Rất hài lòng với thái độ phục vụ.",
	};
	static const char *const bad[] = {
		"Phải đi lại nhiều lần để bổ sung giấy tờ.",
		"Trả kết quả chậm so với giấy hẹn.",
	};
	struct rating rt = { .comment = NULL };
	enum deadline_class c = deadline_classify(s->orig_due, s->result_at);
	rt.scores[RC_TIME] = c == DL_EARLY ? 2 : c == DL_LATE ? 0 : 1;
	rt.scores[RC_TRIPS] = s->sup_round == 0 ? 2 : s->sup_round == 1 ? 1 : 0;
	rt.scores[RC_AGENCIES] = s->ch == DCH_COUNTER
					 ? (chance(r, 0.03) ? 0 : 1) : 2;
	double u = unif(r);
	rt.scores[RC_ATTITUDE] = u < 0.85 ? 2 : u < 0.985 ? 1 : 0;
	u = unif(r);
	rt.scores[RC_PUBLICITY] = u < 0.8 ? 2 : u < 0.99 ? 1 : 0;
	int total = rating_total(&rt);
	if (rt.scores[RC_ATTITUDE] == 0 || total <= 4)
		rt.level = RL_DISSATISFIED;
	else if (total <= 6)
		rt.level = RL_NEUTRAL;
	else if (total <= 8)
		rt.level = chance(r, 0.3) ? RL_VERY_SATISFIED : RL_SATISFIED;
	else
		rt.level = chance(r, 0.85) ? RL_VERY_SATISFIED : RL_SATISFIED;
	if (rt.level == RL_DISSATISFIED || rt.level == RL_NEUTRAL)
		rt.comment = chance(r, 0.5) ? PICK(r, bad) : NULL;
	else if (chance(r, 0.06))
		rt.comment = PICK(r, good);
	static const struct auth_actor citizen = { 0, "citizen", NULL };
	buf_reset(&dm->err);
	int rc = rating_create(dm->db, s->code, &rt, "kiosk", at, &citizen,
			       NULL, &dm->err);
	if (rc == MC_ECONFLICT)
		return;		/* rated in an earlier run (same seed) */
	if (rc < 0) {
		report_error(dm, s, "rating", rc);
		return;
	}
	dm->t.ratings++;
	dm->t.ratings_by_level[rt.level]++;
}

/*
 * Feedback (phản ánh, kiến nghị) over the same period: about one for every
 * 400 dossiers of a desk, most about a procedure the desk serves, some
 * about an officer's behaviour; answered by the desk's receiver within 1
 * to 12 working days (QĐ 766: within 15), sometimes after asking for more
 * information, a few refused; answers about procedures published the next
 * working day; most senders say they are satisfied. The texts are demo
 * examples written for this generator (docs/demo.md), not real letters.
 */
static const struct {
	const char *subject, *content, *answer;
} fb_texts[] = {
	{ "Hỏi về thành phần hồ sơ",
	  "Khi làm thủ tục “%s”, tôi có phải nộp bản sao có chứng thực giấy "
	  "tờ tùy thân không?",
	  "Khi nộp trực tiếp, ông/bà chỉ cần xuất trình bản chính giấy tờ tùy "
	  "thân để cán bộ đối chiếu; thông tin được khai thác từ Cơ sở dữ liệu "
	  "quốc gia về dân cư khi có thể, không phải nộp bản sao có chứng "
	  "thực." },
	{ "Thời hạn trả kết quả",
	  "Tôi nộp hồ sơ “%s” thì bao lâu có kết quả? Có nhận kết quả qua bưu "
	  "điện được không?",
	  "Thời hạn được ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả; "
	  "ông/bà tra cứu tình trạng hồ sơ bằng mã QR trên giấy hẹn. Có thể "
	  "đăng ký nhận kết quả qua dịch vụ bưu chính công ích khi nộp hồ sơ." },
	{ "Lệ phí",
	  "Thủ tục “%s” có phải nộp lệ phí không và nộp bằng cách nào?",
	  "Mức lệ phí (nếu có) được niêm yết tại Bộ phận một cửa và trên trang "
	  "thủ tục; ông/bà nộp tiền mặt tại quầy hoặc chuyển khoản bằng mã "
	  "VietQR in trên giấy hẹn." },
	{ "Nộp hồ sơ trực tuyến",
	  "Tôi có thể nộp hồ sơ “%s” trực tuyến không? Cần chuẩn bị những "
	  "gì?",
	  "Thủ tục được nộp trực tuyến khi trang thủ tục có mục “Nộp hồ sơ "
	  "trực tuyến”. Ông/bà chuẩn bị bản chụp hoặc bản quét (PDF, JPEG, "
	  "PNG) của từng thành phần hồ sơ; sau khi nộp, hệ thống cấp mã hồ sơ "
	  "để tra cứu." },
};

static void demo_feedback_one(struct demo *dm, int di, mc_time at,
			      uint64_t *r)
{
	struct desk_model *dk = &dm->desks[di];
	struct buf content = BUF_INIT, name = BUF_INIT, err = BUF_INIT;
	json_t *norm = NULL, *errors = NULL;
	bool officer = chance(r, 0.2);
	int k = (int)(rnd(r) % (sizeof(fb_texts) / sizeof(*fb_texts)));
	const struct demo_proc *pr = &dk->procs[rnd(r) % (uint64_t)dk->n_procs];
	char phone[16];
	person_name(r, chance(r, 0.5), &name);
	snprintf(phone, sizeof phone, "09%08d", (int)between(r, 0, 99999999));
	if (officer)
		buf_addf(&content, "Tôi đến nộp hồ sơ tại Bộ phận một cửa, cán "
			 "bộ hướng dẫn chưa rõ nên tôi phải đi lại hai lần. "
			 "Đề nghị xem xét.");
	else
		buf_addf(&content, fb_texts[k].content, pr->name);
	struct feedback_input in = {
		.kind = officer ? "officer" : "procedure",
		.unit_code = dk->d.unit,
		.procedure_code = officer ? NULL : pr->code,
		.officer = officer ? "Cán bộ tiếp nhận" : NULL,
		.subject = officer ? "Thái độ phục vụ" : fb_texts[k].subject,
		.content = content.ptr,
		.sender_name = name.ptr,
		.phone = phone,
	};
	char code[FEEDBACK_CODE_LEN + 1], secret[FEEDBACK_SECRET_LEN + 1];
	int rc = feedback_check(&in, &norm, &errors);
	if (rc == 0 && (rc = feedback_resolve(dm->db, norm, errors, &err)) == 0 &&
	    json_object_size(errors))
		rc = MC_EINVALID;
	if (rc == 0)
		rc = feedback_create(dm->db, norm, at, NULL, code, secret, &err);
	if (rc < 0) {
		if (dm->n_err_shown++ < 8) {
			char *e = json_text(errors, JSON_COMPACT);
			fprintf(stderr, "demo: feedback: %s %s\n",
				err.len ? err.ptr : mc_strerror(rc), e ? e : "");
			free(e);
		}
		dm->t.errors++;
		goto out;
	}
	dm->t.feedback++;
	struct officer *o = &dk->off[0];
	o->actor.id = o->id;
	o->actor.name = o->username;
	o->actor.client = NULL;
	struct feedback_act_in act = { .version = -1, .actor = &o->actor };
	mc_time t = work_after(dk->dl, at, between(r, 60, 12 * 8 * 60));
	int64_t version = 1;
	if (t > dm->now) {
		dm->t.feedback_open++;
		goto out;
	}
	if (!officer && chance(r, 0.1)) {
		act.action = FBA_ASK_INFO;
		act.note = "Đề nghị ông/bà cho biết đã nộp hồ sơ chưa và mã hồ "
			   "sơ (nếu có).";
		act.version = version++;
		if (feedback_act(dm->db, code, &act, t, &err) < 0)
			goto fail;
		mc_time back = work_after(dk->dl, t, between(r, 60, 3 * 8 * 60));
		if (back > dm->now) {
			dm->t.feedback_open++;
			goto out;
		}
		struct feedback_act_in sup = { .action = FBA_SUPPLY_INFO,
			.note = "Tôi chưa nộp hồ sơ, đang chuẩn bị giấy tờ.",
			.version = -1 };
		if (feedback_act(dm->db, code, &sup, back, &err) < 0)
			goto fail;
		version++;
		t = work_after(dk->dl, back, between(r, 60, 4 * 8 * 60));
		if (t > dm->now) {
			dm->t.feedback_open++;
			goto out;
		}
	}
	if (chance(r, 0.04)) {
		act.action = FBA_REFUSE;
		act.note = "Nội dung không thuộc thẩm quyền giải quyết của Ủy "
			   "ban nhân dân cấp xã; đề nghị gửi đến cơ quan có thẩm "
			   "quyền.";
		act.version = version++;
		if (feedback_act(dm->db, code, &act, t, &err) < 0)
			goto fail;
		goto out;
	}
	act.action = FBA_ANSWER;
	act.note = officer ? "Bộ phận một cửa đã tiếp thu, nhắc nhở cán bộ và "
			     "rà soát lại bảng hướng dẫn thành phần hồ sơ. Xin "
			     "cảm ơn ông/bà đã phản ánh."
			   : fb_texts[k].answer;
	act.version = version++;
	if (feedback_act(dm->db, code, &act, t, &err) < 0)
		goto fail;
	if (!officer && chance(r, 0.8)) {
		mc_time p = work_after(dk->dl, t, between(r, 30, 8 * 60));
		if (p <= dm->now) {
			act.action = FBA_PUBLISH;
			act.note = "";
			act.version = version++;
			if (feedback_act(dm->db, code, &act, p, &err) < 0)
				goto fail;
			dm->t.feedback_published++;
			t = p;
		}
	}
	if (chance(r, 0.6)) {
		mc_time q = t + between(r, 3600, 3 * 86400);
		if (q <= dm->now) {
			struct feedback_act_in rate = { .action = FBA_RATE,
				.satisfied = chance(r, 0.85), .version = -1 };
			if (feedback_act(dm->db, code, &rate, q, &err) < 0)
				goto fail;
		}
	}
	goto out;
fail:
	if (dm->n_err_shown++ < 8)
		fprintf(stderr, "demo: feedback %s: %s\n", code, err.ptr);
	dm->t.errors++;
out:
	json_decref(norm);
	json_decref(errors);
	buf_release(&content);
	buf_release(&name);
	buf_release(&err);
}

static int demo_feedback(struct demo *dm)
{
	json_t *q = NULL;
	struct feedback_queue_q fq = { .state = "all", .page = 1, .per_page = 1 };
	int rc = feedback_queue(dm->db, &fq, &q, &dm->err);
	if (rc < 0)
		return rc;
	bool had = json_integer_value(json_object_get(q, "total")) > 0;
	json_decref(q);
	if (had)
		return 0;	/* an earlier run (same database) made them */
	if ((rc = db_begin(dm->db, &dm->err)) < 0)
		return rc;
	for (int i = 0; i < dm->n_desks; i++) {
		struct desk_model *dk = &dm->desks[i];
		if (!dk->n_procs)
			continue;
		int64_t made = 0;
		for (int32_t k = 0; k < dm->n_days; k++)
			made += dm->counts[(size_t)i * (size_t)dm->n_days +
					   (size_t)k];
		uint64_t r = seed_of(dm->seed, 17, dk->key, 0);
		int64_t n = made / 400 + (i == dm->busy ? 3 : 0);
		for (int64_t j = 0; j < n; j++) {
			int32_t day = dm->first_day +
				      (int32_t)between(&r, 0, dm->n_days - 1);
			mc_time at = mctime_day_start(day) +
				     between(&r, 8 * 3600, 16 * 3600) - 7 * 3600;
			if (at > dm->now)
				at = dm->now - 3600;
			demo_feedback_one(dm, i, at, &r);
		}
	}
	return db_commit(dm->db, &dm->err);
}

/* ---- arrivals ------------------------------------------------------------- */

static int pick_proc(const struct desk_model *dk, uint64_t *r)
{
	double total = dk->cum[dk->n_procs - 1];
	double x = unif(r) * total;
	int lo = 0, hi = dk->n_procs - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (dk->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* A new dossier of desk i, day, index idx; NULL when it cannot be made
 * (no procedure for the channel of the day). */
static struct sim *arrival(struct demo *dm, int i, int32_t day, int idx)
{
	struct desk_model *dk = &dm->desks[i];
	if (dk->n_procs == 0 || dk->cum[dk->n_procs - 1] <= 0)
		return NULL;
	struct sim *s = xcalloc(1, sizeof(*s));
	s->rng = seed_of(dm->seed, 17 + dk->key, (uint64_t)day, (uint64_t)idx);
	uint64_t *r = &s->rng;
	s->desk = i;
	s->day = day;
	s->idx = idx;
	int wd = 1;
	bool open = workday(dk->dl, day, &wd);
	const struct pterm *p = NULL;
	for (int tries = 0; tries < 60; tries++) {
		p = &dm->pts[dk->pt[pick_proc(dk, r)]];
		double u = unif(r);
		if (!open || u < ONLINE_SHARE)
			s->ch = DCH_ONLINE;
		else if (u < ONLINE_SHARE + POST_SHARE)
			s->ch = DCH_POST;
		else
			s->ch = DCH_COUNTER;
		if (open && p->ok[s->ch] < 0)
			s->ch = p->ok[DCH_COUNTER] > 0 ? DCH_COUNTER :
				p->ok[DCH_ONLINE] > 0  ? DCH_ONLINE :
							 DCH_POST;
		if (p->ok[s->ch] > 0)
			break;
		p = NULL;
	}
	if (!p) {
		free(s);
		return NULL;
	}
	s->pterm = (int)(p - dm->pts);
	if (s->ch == DCH_ONLINE)
		s->at = mctime_day_start(day) + between(r, 6 * 3600, 23 * 3600);
	else
		s->at = session_time(r, &dk->dl->oh, day, wd);
	if (s->at > dm->now) {
		/* Today, later than now: earlier today instead, inside the
		 * opening hours so far, or online before the desk opens. */
		mc_time lo = mctime_day_start(day);
		if (s->ch != DCH_ONLINE && open && dk->dl->oh.n_sess[wd]) {
			mc_time first = lo + dk->dl->oh.sess[wd][0].start * 60;
			if (first < dm->now)
				lo = first;
			else if (p->ok[DCH_ONLINE] > 0)
				s->ch = DCH_ONLINE;
		}
		s->at = lo + (mc_time)(unif(r) * (double)(dm->now - lo));
	}
	s->order = dm->order++;
	s->state = DS_NONE;
	s->step = -1;
	/* The scenario (docs/demo.md). */
	bool sit = sitting(s, dm);
	if (s->ch != DCH_ONLINE && chance(r, 0.012))
		s->flags |= SC_REFUSE_INTAKE;
	if (s->ch == DCH_ONLINE && chance(r, 0.02))
		s->flags |= SC_REJECT;
	else if (s->ch == DCH_ONLINE && chance(r, 0.005))
		s->flags |= SC_WITHDRAW;
	if (sit) {
		if (chance(r, 0.008))
			s->flags |= SC_LATE;
	} else {
		if (chance(r, 0.05)) {
			s->sup_left = chance(r, 0.04) ? 2 : 1;
			if (chance(r, 0.08))
				s->flags |= SC_SUP_ABANDON;
		}
		if (chance(r, 0.004))
			s->flags |= SC_STOP;
		else if (chance(r, 0.01))
			s->flags |= SC_REFUSE;
		else if (chance(r, 0.005))
			s->flags |= SC_APOLOGY;
		else if (chance(r, 0.007))
			s->flags |= SC_LATE;
		if (chance(r, 0.015))
			s->flags |= SC_SEND_BACK;
		if (!strcmp(p->code, "1.004873") && chance(r, 0.03))
			s->flags |= SC_VERIFY;
	}
	if (chance(r, 0.01))
		s->flags |= SC_UNCOLLECTED;
	s->permille = 200 + (int)(750 * pow(unif(r), 0.8));
	return s;
}

/* ---- progress ------------------------------------------------------------- */

static void progress(struct demo *dm, bool force)
{
	int64_t done = dm->t.created + dm->t.replayed + dm->t.errors;
	double now = mono();
	if (!dm->total)
		return;
	int pct = (int)(100 * done / dm->total);
	double rate = done / (now - dm->t0 + 1e-9);
	if (dm->tty) {
		if (!force && now - dm->last_draw < 0.2)
			return;
		dm->last_draw = now;
		char bar[31];
		int fill = pct * 30 / 100;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		double eta = rate > 0 ? (double)(dm->total - done) / rate : 0;
		fprintf(stderr, "\rdemo: [%s] %3d%% %lld/%lld dossiers, %.0f/s, "
				"ETA %.0f s   ",
			bar, pct, (long long)done, (long long)dm->total, rate, eta);
		if (force)
			fputc('\n', stderr);
		return;
	}
	if (pct / 10 > dm->last_decile || force) {
		dm->last_decile = pct / 10;
		fprintf(stderr, "demo: %d%% %lld/%lld dossiers, %.0f/s\n", pct,
			(long long)done, (long long)dm->total, rate);
	}
}

/* ---- the simulation ------------------------------------------------------- */

/* Runs every event before `until` (and not after now). */
static int run_until(struct demo *dm, mc_time until, struct applicant_buf *ab)
{
	int rc = 0;
	while (dm->n_heap && dm->heap[0]->at < until && dm->heap[0]->at <= dm->now) {
		struct sim *s = heap_pop(dm);
		bool go;
		if (s->state == DS_NONE) {
			go = sim_create(dm, s, ab);
			progress(dm, false);
		} else {
			go = sim_act(dm, s);
		}
		if ((rc = dm->fatal) < 0 || (rc = batch_tick(dm)) < 0) {
			free(s);
			return rc;
		}
		if (go && schedule_next(dm, s)) {
			heap_push(dm, s);
			continue;
		}
		if (s->state != DS_NONE)
			tally_close(dm, s);
		free(s);
	}
	return rc;
}

static int simulate(struct demo *dm)
{
	struct applicant_buf ab = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT,
				    BUF_INIT };
	int rc;
	dm->t0 = mono();
	if ((rc = dossier_bulk_new(dm->db, &dm->settings, &dm->bk)) < 0 ||
	    (rc = db_begin(dm->db, &dm->err)) < 0)
		goto out;
	for (int32_t k = 0; k < dm->n_days; k++) {
		int32_t day = dm->first_day + k;
		for (int i = 0; i < dm->n_desks; i++) {
			int c = dm->counts[(size_t)i * (size_t)dm->n_days +
					   (size_t)k];
			for (int idx = 0; idx < c; idx++) {
				struct sim *s = arrival(dm, i, day, idx);
				if (s)
					heap_push(dm, s);
				else
					dm->t.errors++;
			}
		}
		if ((rc = run_until(dm, mctime_day_start(day + 1), &ab)) < 0)
			goto fail;
	}
	if ((rc = run_until(dm, dm->now + 1, &ab)) < 0)
		goto fail;
	rc = db_commit(dm->db, &dm->err);
	/* What is left waits for a later event: count it where it is. */
	while (dm->n_heap) {
		struct sim *s = heap_pop(dm);
		if (s->state != DS_NONE)
			tally_close(dm, s);
		free(s);
	}
	progress(dm, true);
	goto out;
fail:
	db_rollback(dm->db);
out:
	/* After a rollback the caches are stale, but the handle goes. */
	dossier_bulk_free(dm->bk);
	dm->bk = NULL;
	buf_release(&ab.name);
	buf_release(&ab.id);
	buf_release(&ab.phone);
	buf_release(&ab.street);
	buf_release(&ab.street2);
	return rc;
}

/* ---- the command ---------------------------------------------------------- */

static void print_summary(const struct demo *dm, double secs)
{
	const struct tally *t = &dm->t;
	int64_t made = t->created;
	double rate = secs > 0 ? (double)made / secs : 0;
	printf("demo: %lld dossiers in %.1f s (%.0f dossiers/s",
	       (long long)made, secs, rate);
	if (rate > 0)
		printf("; 10 million at this rate: %.0f min", 1e7 / rate / 60);
	printf(")\n");
	if (t->replayed)
		printf("demo: %lld dossiers existed already (same seed): kept "
		       "as they are\n",
		       (long long)t->replayed);
	printf("demo: from %s to now, %d desks; channels: counter %lld, "
	       "online %lld, post %lld\n",
	       "the first day", dm->n_desks, (long long)t->by_channel[DCH_COUNTER],
	       (long long)t->by_channel[DCH_ONLINE],
	       (long long)t->by_channel[DCH_POST]);
	printf("demo: states:");
	for (int i = 1; i < DS__COUNT; i++)
		if (t->by_state[i])
			printf(" %s %lld", dossier_state_name((enum dossier_state)i),
			       (long long)t->by_state[i]);
	printf("\n");
	printf("demo: finished %lld: early %lld, on time %lld, late %lld "
	       "(%.2f%%); supplements %lld (second requests %lld), apologies "
	       "%lld, refusals %lld, stops %lld, refused at intake %lld\n",
	       (long long)t->finished, (long long)t->early,
	       (long long)t->on_time, (long long)t->late,
	       t->finished ? 100.0 * (double)t->late / (double)t->finished : 0,
	       (long long)t->supplements, (long long)t->violations,
	       (long long)t->apologies, (long long)t->refusals,
	       (long long)t->stops, (long long)t->refused_intake);
	if (t->ratings)
		printf("demo: %lld ratings at the kiosks: very satisfied %lld, "
		       "satisfied %lld, neutral %lld, dissatisfied %lld\n",
		       (long long)t->ratings,
		       (long long)t->ratings_by_level[RL_VERY_SATISFIED],
		       (long long)t->ratings_by_level[RL_SATISFIED],
		       (long long)t->ratings_by_level[RL_NEUTRAL],
		       (long long)t->ratings_by_level[RL_DISSATISFIED]);
	if (t->feedback)
		printf("demo: %lld feedback (phản ánh, kiến nghị): %lld still "
		       "open, %lld answers published\n",
		       (long long)t->feedback, (long long)t->feedback_open,
		       (long long)t->feedback_published);
	if (t->errors)
		printf("demo: %lld dossiers or actions refused (first reasons "
		       "above)\n",
		       (long long)t->errors);
}

static const char *role_label(enum role r)
{
	return authz_role_label(r);
}

static void print_logins(const struct demo *dm, const struct login *l, int n,
			 const char *path, const char *url, bool file_ok)
{
	printf("\nDemo logins (passwords made for this database%s):\n",
	       file_ok ? "; all of them are also in the logins file" : "");
	printf("  log in at %s/dang-nhap\n", url);
	int shown = 0;
	for (int i = 0; i < n; i++) {
		bool main = i < 4 || !strcmp(l[i].unit, DEMO_BUSY_UNIT);
		if (!main)
			continue;
		printf("  %-22s %-18s %s, %s\n", l[i].username,
		       l[i].password[0] ? l[i].password : "(unchanged)",
		       role_label(l[i].role),
		       !strcmp(l[i].unit, DEMO_PROVINCE) ? "tỉnh Bắc Ninh"
							 : "Phường Cảnh Thụy");
		shown++;
	}
	printf("  + %d officers of the other %d communes "
	       "(tiepnhan.<xã>, chuyenvien.<xã>, lanhdao.<xã>)\n",
	       n - shown, dm->n_desks - 1);
	if (file_ok)
		printf("  logins file (mode 0600): %s\n", path);
}

int cmd_demo(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "db", .env = "MOTCUA_DB",
		  .help = "database URL (sqlite:PATH or postgresql://...)" },
		{ .name = "dossiers",
		  .help = "total dossiers over the whole province (default: a "
			  "year at Cảnh Thụy, two weeks elsewhere)" },
		{ .name = "seed", .help = "random seed (default 1)" },
		{ .name = "days", .help = "days of history (default 365)" },
		{ .name = "now", .help = "the present, \"YYYY-MM-DD HH:MM\" "
					 "(default: the clock)" },
		{ .name = "logins",
		  .help = "file for the logins (default: DB.logins)" },
		{ .name = "url", .help = "where the server will listen, for "
					 "the printout (http://127.0.0.1:8080)" },
		{ .name = "threads",
		  .help = "threads hashing passwords (default: the cores)" },
		{ .name = "communes",
		  .help = "commune desks: Cảnh Thụy and the nearest by code "
			  "(default 10; with --dossiers: all)" },
		{ 0 },
	};
	const char *pos[argc > 0 ? argc : 1];
	int n_pos = 0, status = 2, rc, n_logins = 0, pending = 0, first = 0;
	bool help = false;
	struct buf err = BUF_INIT, path = BUF_INIT;
	struct demo dm;
	struct login *logins = NULL;
	struct demo_desk *desks = NULL;
	int n_desks = 0;
	double t_start = mono();

	memset(&dm, 0, sizeof(dm));
	dm.err = (struct buf)BUF_INIT;
	dm.sched = (struct schedule)SCHEDULE_INIT;
	calendar_init(&dm.cal, 1900, 2199);
	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "demo: %s\n", err.ptr);
		goto out;
	}
	if (help) {
		opt_usage(DEMO_USAGE, opts);
		status = 0;
		goto out;
	}
	if (n_pos) {
		fprintf(stderr, "usage: %s\n", DEMO_USAGE);
		goto out;
	}
	int64_t want = 0;
	long days = 365, threads = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	if (opts[1].value) {
		want = strtoll(opts[1].value, &end, 10);
		if (*end || want < 1 || want > 100000000) {
			fprintf(stderr, "demo: --dossiers: a number from 1 to "
					"100000000\n");
			goto out;
		}
	}
	dm.seed = 1;
	if (opts[2].value) {
		dm.seed = strtoull(opts[2].value, &end, 10);
		if (*end || !*opts[2].value) {
			fprintf(stderr, "demo: --seed: a number\n");
			goto out;
		}
	}
	if (opts[3].value) {
		days = strtol(opts[3].value, &end, 10);
		if (*end || days < 1 || days > 36500) {
			fprintf(stderr, "demo: --days: 1 to 36500\n");
			goto out;
		}
	}
	dm.now = (mc_time)time(NULL);
	if (opts[4].value && mctime_parse(opts[4].value, &dm.now, &err) < 0) {
		fprintf(stderr, "demo: --now: %s\n", err.ptr);
		goto out;
	}
	long communes = want > 0 ? 0 : DEMO_COMMUNES;	/* 0: all */
	if (opts[8].value && strcmp(opts[8].value, "all")) {
		communes = strtol(opts[8].value, &end, 10);
		if (*end || communes < 1 || communes > 10000) {
			fprintf(stderr, "demo: --communes: a number, or all\n");
			goto out;
		}
	} else if (opts[8].value) {
		communes = 0;
	}
	if (opts[7].value) {
		threads = strtol(opts[7].value, &end, 10);
		if (*end || threads < 1 || threads > 16) {
			fprintf(stderr, "demo: --threads: 1 to 16\n");
			goto out;
		}
	}
	dm.now_day = mctime_local_day(dm.now);
	dm.url = opts[0].value ? opts[0].value : MC_DEFAULT_DB;
	const char *url_print = opts[6].value ? opts[6].value
					      : "http://127.0.0.1:8080";
	status = 1;
	dossier_settings_default(&dm.settings);
	dm.tty = isatty(STDERR_FILENO);
	if (sodium_init() < 0) {
		fprintf(stderr, "demo: libsodium failed to start\n");
		goto out;
	}

	/* The database must be initialised: `motcua init` first. */
	if ((rc = db_open(dm.url, &dm.db, &err)) < 0 ||
	    (rc = migrate_pending(dm.db, &pending, &first, &err)) < 0)
		goto fail;
	if (pending) {
		fprintf(stderr, "demo: the database is not initialised "
				"(migration %04d missing): run 'motcua init "
				"--db %s' first\n",
			first, dm.url);
		goto out;
	}
	if ((rc = demo_tune(dm.db, 256, &err)) < 0 ||
	    (rc = calendar_repo_load_calendar(dm.db, &dm.sched, &dm.cal,
					      &err)) < 0)
		goto fail;

	/* Desks of the province, Cảnh Thụy among them, and their engines. */
	if ((rc = demo_desks(dm.db, DEMO_PROVINCE, &desks, &n_desks, &err)) < 0)
		goto fail;
	dm.busy = -1;
	dm.desks = xcalloc((size_t)n_desks + 1, sizeof(*dm.desks));
	select_desks(&dm, desks, n_desks, (int)communes);
	n_desks = dm.n_desks;
	if (dm.busy < 0) {
		fprintf(stderr, "demo: unit %s (Phường Cảnh Thụy) has no desk: "
				"is the reference data imported ('motcua "
				"init')?\n", DEMO_BUSY_UNIT);
		goto out;
	}
	/* Engines cover the history; build over a generous range first. */
	{
		int y, m, d;
		days_to_date(dm.now_day, &y, &m, &d);
		int32_t span = (int32_t)days;
		if (want > 0)
			span = (int32_t)days * 40;	/* long histories */
		dm.first_day = dm.now_day - span;
		if (dm.first_day < date_to_days(1901, 1, 1))
			dm.first_day = date_to_days(1901, 1, 1);
	}
	for (int i = 0; i < n_desks; i++)
		if ((rc = desk_engine(&dm, dm.desks[i].d.unit, &dm.desks[i].dl,
				      &err)) < 0)
			goto fail;
	desk_rates(&dm);
	plan_volumes(&dm, (int)days, opts[3].value != NULL, want);
	for (int i = 0; i < n_desks; i++)
		if ((rc = demo_desk_procedures(dm.db, dm.desks[i].d.desk_id,
					       &dm.desks[i].procs,
					       &dm.desks[i].n_procs, &err)) < 0)
			goto fail;
	if ((rc = resolve_terms(&dm, &err)) < 0)
		goto fail;

	/* Agency identifiers (dossier codes need them), then the users. */
	mc_time setup_at = mctime_day_start(dm.first_day) - 86400;
	for (int i = 0; i < n_desks; i++) {
		mc_time keep = dm.now;
		dm.now = setup_at;
		rc = ensure_agency(&dm, &dm.desks[i], &err);
		dm.now = keep;
		if (rc < 0)
			goto fail;
	}
	{
		mc_time keep = dm.now;
		dm.now = setup_at;
		rc = make_users(&dm, (int)threads, &logins, &n_logins, &err);
		dm.now = keep;
		if (rc < 0)
			goto fail;
	}
	fprintf(stderr, "demo: province %s, %d commune desks, %d users; "
			"%lld dossiers to walk over %d days\n",
		DEMO_PROVINCE, n_desks, n_logins, (long long)dm.total,
		(int)dm.n_days);

	double t_sim = mono();
	if ((rc = simulate(&dm)) < 0) {
		buf_setf(&err, "%s", dm.err.ptr);
		goto fail;
	}
	if ((rc = demo_feedback(&dm)) < 0) {
		buf_setf(&err, "feedback: %s", dm.err.ptr);
		goto fail;
	}
	print_summary(&dm, mono() - t_sim);

	logins_path(dm.url, opts[5].value, &path);
	read_old_passwords(path.ptr, logins, n_logins);
	bool file_ok = write_logins(path.ptr, logins, n_logins, &err) == 0;
	if (!file_ok)
		fprintf(stderr, "demo: %s\n", err.ptr);
	print_logins(&dm, logins, n_logins, path.ptr, url_print, file_ok);
	printf("demo: done in %.1f s\n", mono() - t_start);
	status = dm.t.errors * 1000 > dm.t.created + 1000 ? 1 : 0;
	goto out;
fail:
	fprintf(stderr, "demo: %s\n", err.len ? err.ptr : mc_strerror(rc));
out:
	if (logins) {
		sodium_memzero(logins, (size_t)n_logins * sizeof(*logins));
		free(logins);
	}
	for (int i = 0; i < dm.n_desks; i++) {
		demo_procs_free(dm.desks[i].procs, dm.desks[i].n_procs);
		free(dm.desks[i].pt);
		free(dm.desks[i].cum);
	}
	free(dm.desks);
	free(desks);
	free(dm.pts);
	free(dm.counts);
	free(dm.heap);
	for (int i = 0; i < dm.n_engines; i++)
		deadline_release(&dm.engines[i]);
	calendar_release(&dm.cal);
	schedule_release(&dm.sched);
	if (dm.db)
		db_close(dm.db);
	buf_release(&dm.err);
	buf_release(&path);
	buf_release(&err);
	opt_release(opts);
	return status;
}
