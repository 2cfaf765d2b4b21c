/*
 * notify.c - the outbox's sender: SMTP with libcurl, signed webhooks, the
 * thread `serve` runs. Never called from a request handler; a slow relay
 * or receiver only delays the next messages, never a page.
 */
#include "web/notify.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/mailfmt.h"
#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CLAIM_MAX 32
#define RESPONSE_MAX 4096	/* bytes of a webhook's answer kept */

void notify_config_init(struct notify_config *c)
{
	static const struct outbox_policy def = OUTBOX_POLICY_DEFAULT;
	memset(c, 0, sizeof(*c));
	c->policy = def;
	c->interval_s = 5;
	c->lease_s = 300;
	c->timeout_s = 30;
}

static int env_long(const char *name, long lo, long hi, long *v,
		    struct buf *err)
{
	const char *s = getenv(name);
	char *end;
	if (!s || !*s)
		return 0;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || *end || n < lo || n > hi) {
		buf_setf(err, "%s: a number from %ld to %ld, not '%s'", name, lo,
			 hi, s);
		return MC_EINVALID;
	}
	*v = n;
	return 0;
}

int notify_config_env(struct notify_config *c, struct buf *err)
{
	long iv = c->interval_s, base = c->policy.base_s,
	     max = c->policy.max_attempts;
	int rc;
	if ((rc = env_long("MOTCUA_NOTIFY_INTERVAL", 1, 3600, &iv, err)) ||
	    (rc = env_long("MOTCUA_OUTBOX_BACKOFF", 1, 86400, &base, err)) ||
	    (rc = env_long("MOTCUA_OUTBOX_MAX_ATTEMPTS", 1, 100, &max, err)))
		return rc;
	c->interval_s = (int)iv;
	if (base != c->policy.base_s) {
		c->policy.base_s = base;
		if (c->policy.max_s < base)
			c->policy.max_s = base;
	}
	c->policy.max_attempts = (int)max;
	if (c->smtp_url && *c->smtp_url && !mailfmt_address_ok(c->mail_from)) {
		buf_setf(err, "--mail-from (MOTCUA_MAIL_FROM): an address "
			      "like motcua@example.gov.vn is needed with "
			      "--smtp-url");
		return MC_EINVALID;
	}
	return 0;
}

void notify_sign(const char *secret, const void *body, size_t len,
		 char out[72])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

int notify_email_bytes(const struct notify_config *cfg,
		       const struct outbox_item *it, struct buf *out,
		       struct buf *err)
{
	struct buf text = BUF_INIT, mid = BUF_INIT;
	const char *from = cfg->mail_from ? cfg->mail_from : "";
	const char *at = strchr(from, '@');
	buf_adds(&text, it->body);
	buf_adds(&text, "\n-- \n");	/* RFC 3676 4.3 signature separator */
	if (cfg->public_url)
		buf_addf(&text,
			 "Tra cứu hồ sơ: %s/tra-cuu (nhập mã hồ sơ và mã "
			 "trên giấy tiếp nhận, hoặc 4 số cuối điện thoại / "
			 "số định danh).\n",
			 cfg->public_url);
	buf_adds(&text, "Thư này được gửi tự động, xin ông/bà không trả "
			"lời thư này.\n");
	buf_addf(&mid, "outbox-%lld.%lld@%s", (long long)it->id,
		 (long long)it->created_at, at ? at + 1 : "motcua.invalid");
	struct mail_message m = {
		.from_name = cfg->from_name ? cfg->from_name
					    : "Bộ phận Một cửa",
		.from = from,
		.to = it->target,
		.subject = it->subject,
		.body = text.ptr,
		.date = it->created_at,
		.message_id = mid.ptr,
	};
	int rc = mailfmt_build(&m, out, err);
	buf_release(&text);
	buf_release(&mid);
	return rc;
}

/* ---- libcurl --------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n < u->left ? size * n : u->left;
	memcpy(dst, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

static size_t discard_cb(char *src, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t k = size * n;
	if (b->len < RESPONSE_MAX)
		buf_add(b, src,
			k < RESPONSE_MAX - b->len ? k : RESPONSE_MAX - b->len);
	return k;
}

static int progress_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	const volatile int *stop = arg;
	return stop && *stop ? 1 : 0;
}

static void common_opts(CURL *c, const struct notify_config *cfg,
			const volatile int *stop)
{
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
}

/* 0 when the relay accepted the message; else the reason in why. */
static int send_email(const struct notify_config *cfg,
		      const struct outbox_item *it, const volatile int *stop,
		      bool *permanent, struct buf *why)
{
	struct buf msg = BUF_INIT, addr = BUF_INIT;
	struct curl_slist *rcpt = NULL;
	int rc = -1;
	CURL *c = NULL;
	*permanent = false;
	if (notify_email_bytes(cfg, it, &msg, why)) {
		*permanent = true;
		goto out;
	}
	c = curl_easy_init();
	if (!c) {
		buf_setf(why, "curl_easy_init failed");
		goto out;
	}
	buf_addf(&addr, "<%s>", it->target);
	rcpt = curl_slist_append(NULL, addr.ptr);
	buf_reset(&addr);
	buf_addf(&addr, "<%s>", cfg->mail_from);
	struct upload u = { msg.ptr, msg.len };
	common_opts(c, cfg, stop);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	if (strncmp(cfg->smtp_url, "smtps://", 8))
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr.ptr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	CURLcode cc = curl_easy_perform(c);
	if (cc == CURLE_OK) {
		rc = 0;
	} else {
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		buf_setf(why, "smtp: %s (%ld)", curl_easy_strerror(cc), code);
		/* 5xx from the relay: the address or message is refused
		 * for good (RFC 5321 4.2.1); retrying cannot help. */
		*permanent = code >= 500 && code < 600 &&
			     cc != CURLE_OPERATION_TIMEDOUT;
	}
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	buf_release(&msg);
	buf_release(&addr);
	return rc;
}

static int send_webhook(const struct notify_config *cfg,
			const struct outbox_item *it,
			const volatile int *stop, struct buf *why)
{
	struct buf resp = BUF_INIT, h = BUF_INIT;
	struct curl_slist *hdrs = NULL;
	char sig[72];
	int rc = -1;
	CURL *c = curl_easy_init();
	if (!c) {
		buf_setf(why, "curl_easy_init failed");
		goto out;
	}
	notify_sign(it->webhook_secret ? it->webhook_secret : "", it->body,
		    strlen(it->body), sig);
	hdrs = curl_slist_append(hdrs,
				 "Content-Type: application/json; charset=utf-8");
	buf_addf(&h, "X-Motcua-Signature: %s", sig);
	hdrs = curl_slist_append(hdrs, h.ptr);
	buf_reset(&h);
	buf_addf(&h, "X-Motcua-Event: %s", it->event);
	hdrs = curl_slist_append(hdrs, h.ptr);
	buf_reset(&h);
	buf_addf(&h, "X-Motcua-Delivery: %lld", (long long)it->id);
	hdrs = curl_slist_append(hdrs, h.ptr);
	hdrs = curl_slist_append(hdrs, "Expect:");
	common_opts(c, cfg, stop);
	curl_easy_setopt(c, CURLOPT_URL, it->target);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(c, CURLOPT_USERAGENT, "motcua-webhook/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(it->body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK)
		buf_setf(why, "webhook: %s", curl_easy_strerror(cc));
	else if (code < 200 || code > 299)
		buf_setf(why, "webhook: HTTP %ld", code);
	else
		rc = 0;
out:
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	buf_release(&resp);
	buf_release(&h);
	return rc;
}

/* Delivers one claimed item and records the outcome at time t. */
static int deliver(struct db *db, const struct notify_config *cfg,
		   const struct outbox_item *it, const volatile int *stop,
		   mc_time now, mc_time started, struct notify_counts *cnt,
		   struct buf *err)
{
	struct buf why = BUF_INIT;
	bool permanent = false, dead = false;
	int sent, rc;
	if (it->kind == OUTBOX_EMAIL)
		sent = send_email(cfg, it, stop, &permanent, &why);
	else
		sent = send_webhook(cfg, it, stop, &why);
	/* `now` plus the time this pass has taken so far. */
	mc_time t = now + ((mc_time)time(NULL) - started);
	if (t < now)
		t = now;
	if (sent == 0) {
		rc = outbox_mark_sent(db, it->id, t, err);
		cnt->sent++;
	} else {
		struct outbox_policy pol = cfg->policy;
		if (permanent)
			pol.max_attempts = 1;
		rc = outbox_mark_failed(db, it->id, why.ptr, &pol, t, &dead,
					err);
		cnt->failed++;
		cnt->dead += dead;
		/* Never the applicant's address in the log. */
		log_warn("outbox %lld (%s): %s%s", (long long)it->id,
			 it->kind == OUTBOX_EMAIL ? "e-mail to the applicant"
						  : it->target,
			 why.ptr, dead ? "; given up (dead)" : "");
	}
	buf_release(&why);
	return rc;
}

int notify_run_once(struct db *db, const struct notify_config *cfg,
		    mc_time now, const volatile int *stop,
		    struct notify_counts *out, struct buf *err)
{
	unsigned kinds = OUTBOX_KIND_WEBHOOK;
	struct notify_counts cnt = { 0 };
	mc_time started = (mc_time)time(NULL);
	int rc = 0;
	if (cfg->smtp_url && *cfg->smtp_url && cfg->mail_from)
		kinds |= OUTBOX_KIND_EMAIL;
	/* One claim per message: a lease never has to outlast a queue of
	 * slow transfers, only the one in hand. */
	while (!rc && cnt.claimed < CLAIM_MAX && !(stop && *stop)) {
		struct outbox_item *items = NULL;
		int n = 0;
		mc_time t = now + ((mc_time)time(NULL) - started);
		rc = outbox_claim(db, t < now ? now : t, cfg->lease_s, 1, kinds,
				  &items, &n, err);
		if (!rc && n == 1) {
			cnt.claimed++;
			rc = deliver(db, cfg, &items[0], stop, now, started,
				     &cnt, err);
		}
		for (int i = 0; i < n; i++)
			outbox_item_release(&items[i]);
		free(items);
		if (n == 0)
			break;
	}
	if (out)
		*out = cnt;
	return rc;
}

/* ---- the thread ------------------------------------------------------------ */

struct notify {
	struct notify_config cfg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile int stop;
};

static void wait_interval(struct notify *nt)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += nt->cfg.interval_s > 0 ? nt->cfg.interval_s : 1;
	pthread_mutex_lock(&nt->mu);
	while (!nt->stop) {
		if (pthread_cond_timedwait(&nt->cv, &nt->mu, &ts) ==
		    ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&nt->mu);
}

static void *sender_main(void *arg)
{
	struct notify *nt = arg;
	struct db *db = NULL;
	struct buf err = BUF_INIT;
	while (!nt->stop) {
		bool more = false;
		if (!db && db_open(nt->cfg.db_url, &db, &err)) {
			log_error("outbox sender: %s", err.ptr);
			buf_reset(&err);
			db = NULL;
		}
		if (db) {
			struct notify_counts c;
			if (notify_run_once(db, &nt->cfg, (mc_time)time(NULL),
					    &nt->stop, &c, &err)) {
				log_error("outbox sender: %s", err.ptr);
				buf_reset(&err);
				db_close(db);	/* reopened next round */
				db = NULL;
			} else if (c.claimed) {
				log_info("outbox: %d sent, %d failed (%d "
					 "given up)",
					 c.sent, c.failed, c.dead);
				more = c.claimed >= CLAIM_MAX;
			}
		}
		if (!more)	/* a backlog goes on at once */
			wait_interval(nt);
	}
	if (db)
		db_close(db);
	buf_release(&err);
	return NULL;
}

int notify_start(const struct notify_config *cfg, struct notify **out,
		 struct buf *err)
{
	struct notify *nt = xcalloc(1, sizeof(*nt));
	pthread_condattr_t ca;
	sigset_t block, old;
	int e;
	*out = NULL;
	nt->cfg = *cfg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		buf_setf(err, "libcurl could not be initialised");
		free(nt);
		return MC_EIO;
	}
	pthread_mutex_init(&nt->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nt->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* The main thread takes SIGTERM/SIGINT (web/server.c sigwait). */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	e = pthread_create(&nt->thread, NULL, sender_main, nt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		buf_setf(err, "sender thread: %s", strerror(e));
		pthread_cond_destroy(&nt->cv);
		pthread_mutex_destroy(&nt->mu);
		free(nt);
		curl_global_cleanup();
		return MC_EIO;
	}
	*out = nt;
	return 0;
}

void notify_stop(struct notify *nt)
{
	sigset_t block;
	if (!nt)
		return;
	/* The server has just unblocked SIGTERM; a late second one (GNU
	 * timeout, a process-group kill) must not kill the process while
	 * the sender finishes: blocked from here to exit. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_mutex_lock(&nt->mu);
	nt->stop = 1;
	pthread_cond_broadcast(&nt->cv);
	pthread_mutex_unlock(&nt->mu);
	pthread_join(nt->thread, NULL);
	pthread_cond_destroy(&nt->cv);
	pthread_mutex_destroy(&nt->mu);
	free(nt);
	curl_global_cleanup();
}
