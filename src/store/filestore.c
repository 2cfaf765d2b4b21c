/*
 * filestore.c - the content-addressed file store (store/filestore.h):
 * temp file + streaming SHA-256 (libsodium), fsync, rename into a shard
 * directory, type sniffed by libmagic under a lock. No SQL, no HTTP; never
 * builds a path from anything but a validated hash or its own random name.
 */
#include "store/filestore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <magic.h>
#include <sodium.h>

#include "util/err.h"
#include "util/log.h"
#include "util/xalloc.h"

#define TEMP_MAX_AGE_S 3600
#define SNIFF_BYTES (256 * 1024)

struct filestore {
	char *dir;
	magic_t magic;
	pthread_mutex_t magic_lock;	/* libmagic handles are not
					 * thread-safe */
};

struct filestore_writer {
	struct filestore *fs;
	int fd;
	char *tmp_path;
	crypto_hash_sha256_state sha;
	uint64_t n, max;
};

static int mkdir_0700(const char *path, struct buf *err)
{
	struct stat st;
	if (mkdir(path, 0700) && errno != EEXIST) {
		buf_setf(err, "cannot create %s: %s", path, strerror(errno));
		return MC_EIO;
	}
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		buf_setf(err, "%s is not a directory", path);
		return MC_EIO;
	}
	return 0;
}

int filestore_open(const char *dir, struct filestore **out, struct buf *err)
{
	int rc = MC_EIO;
	struct filestore *fs = xcalloc(1, sizeof(*fs));
	struct buf tmp = BUF_INIT;
	*out = NULL;
	fs->dir = xstrdup(dir);
	pthread_mutex_init(&fs->magic_lock, NULL);
	if (sodium_init() < 0) {
		buf_setf(err, "libsodium failed to initialise");
		goto out;
	}
	if (!*dir) {
		buf_setf(err, "empty data directory");
		goto out;
	}
	if ((rc = mkdir_0700(dir, err)))
		goto out;
	buf_addf(&tmp, "%s/tmp", dir);
	if ((rc = mkdir_0700(tmp.ptr, err)))
		goto out;
	rc = MC_EIO;
	/* Types only; no decompression (a zip bomb is not our business)
	 * and no ELF section walking. */
	fs->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
			       MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
	if (!fs->magic || magic_load(fs->magic, NULL)) {
		buf_setf(err, "libmagic: %s",
			 fs->magic && magic_error(fs->magic)
				 ? magic_error(fs->magic)
				 : "cannot load the magic database");
		goto out;
	}
	/* libmagic reads this much of a file into memory (7 MiB by
	 * default): the formats we accept tell their type in the first
	 * bytes, and a CSV is judged text on its first 256 KiB. */
	size_t bytes_max = SNIFF_BYTES;
	if (magic_setparam(fs->magic, MAGIC_PARAM_BYTES_MAX, &bytes_max)) {
		buf_setf(err, "libmagic: cannot set the bytes to read");
		goto out;
	}
	int n = filestore_sweep(fs, TEMP_MAX_AGE_S);
	if (n)
		log_info("filestore: removed %d stale temp files", n);
	*out = fs;
	fs = NULL;
	rc = 0;
out:
	filestore_close(fs);
	buf_release(&tmp);
	return rc;
}

void filestore_close(struct filestore *fs)
{
	if (!fs)
		return;
	if (fs->magic)
		magic_close(fs->magic);
	pthread_mutex_destroy(&fs->magic_lock);
	free(fs->dir);
	free(fs);
}

const char *filestore_dir(const struct filestore *fs)
{
	return fs->dir;
}

void filestore_default_dir(const char *db_url, struct buf *out)
{
	buf_reset(out);
	if (db_url && !strncmp(db_url, "sqlite:", 7)) {
		const char *path = db_url + 7;
		const char *slash = strrchr(path, '/');
		if (slash) {
			buf_add(out, path, (size_t)(slash - path) + 1);
			buf_adds(out, "motcua-data");
			return;
		}
	}
	buf_adds(out, "motcua-data");
}

int filestore_sweep(struct filestore *fs, long age_s)
{
	struct buf path = BUF_INIT;
	int removed = 0;
	buf_addf(&path, "%s/tmp", fs->dir);
	DIR *d = opendir(path.ptr);
	time_t now = time(NULL);
	if (!d)
		goto out;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, "up-", 3))
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/tmp/%s", fs->dir, e->d_name);
		if (lstat(path.ptr, &st) || !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime >= age_s && !unlink(path.ptr))
			removed++;
	}
	closedir(d);
out:
	buf_release(&path);
	return removed;
}

int filestore_begin(struct filestore *fs, uint64_t max_size,
		    struct filestore_writer **out, struct buf *err)
{
	unsigned char rnd[12];
	char hex[sizeof(rnd) * 2 + 1];
	struct filestore_writer *w = xcalloc(1, sizeof(*w));
	struct buf path = BUF_INIT;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	buf_addf(&path, "%s/tmp/up-%s.part", fs->dir, hex);
	w->fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		buf_setf(err, "cannot create %s: %s", path.ptr,
			 strerror(errno));
		buf_release(&path);
		free(w);
		*out = NULL;
		return MC_EIO;
	}
	w->fs = fs;
	w->tmp_path = buf_detach(&path, NULL);
	w->max = max_size;
	crypto_hash_sha256_init(&w->sha);
	*out = w;
	return 0;
}

int filestore_write(struct filestore_writer *w, const void *data, size_t len,
		    struct buf *err)
{
	if (w->max && (len > w->max || w->n > w->max - len))
		return MC_ETOOBIG;
	const unsigned char *p = data;
	size_t left = len;
	while (left) {
		ssize_t k = write(w->fd, p, left);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			buf_setf(err, "cannot write %s: %s", w->tmp_path,
				 strerror(errno));
			return MC_EIO;
		}
		p += k;
		left -= (size_t)k;
	}
	crypto_hash_sha256_update(&w->sha, data, len);
	w->n += len;
	return 0;
}

uint64_t filestore_written(const struct filestore_writer *w)
{
	return w->n;
}

static void writer_free(struct filestore_writer *w, bool remove_temp)
{
	if (w->fd >= 0)
		close(w->fd);
	if (remove_temp)
		unlink(w->tmp_path);
	free(w->tmp_path);
	free(w);
}

void filestore_abort(struct filestore_writer *w)
{
	if (w)
		writer_free(w, true);
}

int filestore_sniff(struct filestore *fs, const char *path, char *mime,
		    size_t size)
{
	int rc = MC_EIO;
	pthread_mutex_lock(&fs->magic_lock);
	const char *t = magic_file(fs->magic, path);
	if (t) {
		snprintf(mime, size, "%s", t);
		rc = 0;
	} else {
		snprintf(mime, size, "application/octet-stream");
	}
	pthread_mutex_unlock(&fs->magic_lock);
	return rc;
}

static bool mime_allowed(const char *mime, const char *const *allowed)
{
	if (!allowed)
		return true;
	for (; *allowed; allowed++)
		if (!strcmp(mime, *allowed))
			return true;
	return false;
}

/* fsync of a directory, so that a rename into it survives a crash. */
static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int filestore_commit(struct filestore_writer *w, const char *const *allowed,
		     struct filestore_file *out, struct buf *err)
{
	int rc = MC_EIO;
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct buf shard = BUF_INIT, final = BUF_INIT;
	struct filestore *fs = w->fs;
	memset(out, 0, sizeof(*out));
	if (fsync(w->fd)) {
		buf_setf(err, "cannot sync %s: %s", w->tmp_path,
			 strerror(errno));
		goto out;
	}
	close(w->fd);
	w->fd = -1;
	crypto_hash_sha256_final(&w->sha, digest);
	sodium_bin2hex(out->sha256, sizeof(out->sha256), digest,
		       sizeof(digest));
	out->size = w->n;
	if (filestore_sniff(fs, w->tmp_path, out->mime, sizeof(out->mime))) {
		buf_setf(err, "cannot tell the type of %s", w->tmp_path);
		goto out;
	}
	if (!mime_allowed(out->mime, allowed)) {
		rc = MC_EUNSUPPORTED;
		buf_setf(err, "type %s not accepted", out->mime);
		goto out;
	}
	buf_addf(&shard, "%s/%.2s", fs->dir, out->sha256);
	if ((rc = mkdir_0700(shard.ptr, err)))
		goto out;
	rc = MC_EIO;
	buf_addf(&final, "%s/%s", shard.ptr, out->sha256);
	struct stat st;
	if (!lstat(final.ptr, &st) && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == out->size) {
		rc = 0;	/* the same content is there: drop ours */
		goto out;
	}
	if (rename(w->tmp_path, final.ptr)) {
		buf_setf(err, "cannot move %s to %s: %s", w->tmp_path,
			 final.ptr, strerror(errno));
		goto out;
	}
	sync_dir(shard.ptr);
	rc = 0;
out:
	/* After a successful rename the temp path no longer exists and the
	 * unlink fails harmlessly; in every other case it removes ours. */
	writer_free(w, true);
	buf_release(&shard);
	buf_release(&final);
	return rc;
}

bool filestore_hash_valid(const char *hash)
{
	if (!hash)
		return false;
	size_t i = 0;
	for (; hash[i]; i++) {
		char c = hash[i];
		if (i >= FILESTORE_HASH_HEX ||
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return i == FILESTORE_HASH_HEX;
}

int filestore_open_read(struct filestore *fs, const char *hash, int *fd,
			uint64_t *size, struct buf *err)
{
	struct buf path = BUF_INIT;
	int rc = MC_EINVALID;
	struct stat st;
	*fd = -1;
	*size = 0;
	if (!filestore_hash_valid(hash)) {
		buf_setf(err, "not a SHA-256 in hex");
		goto out;
	}
	buf_addf(&path, "%s/%.2s/%s", fs->dir, hash, hash);
	int f = open(path.ptr, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0) {
		rc = errno == ENOENT ? MC_ENOTFOUND : MC_EIO;
		buf_setf(err, "cannot open %s: %s", path.ptr, strerror(errno));
		goto out;
	}
	if (fstat(f, &st) || !S_ISREG(st.st_mode)) {
		close(f);
		rc = MC_EIO;
		buf_setf(err, "%s is not a regular file", path.ptr);
		goto out;
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	rc = 0;
out:
	buf_release(&path);
	return rc;
}
