/*
 * filestore.h - a content-addressed store of uploaded files (scans of a
 * dossier's components, imported CSV files) under the data directory,
 * outside any served path: DIR/ab/cdef... named by the SHA-256 of the
 * content, written through a streaming writer that never holds the file
 * in memory. It knows nothing of HTTP and keeps no table: who may read a
 * file is decided by whoever references its hash (issue 6, "Online
 * submission").
 *
 * Layout of DIR (created 0700, files 0600):
 *   DIR/tmp/up-RANDOM.part   a file being written (swept at open when
 *                            older than an hour: a crash mid-upload)
 *   DIR/ab/abcdef...         a committed file, 64 lowercase hex digits
 *                            (the first two are the shard directory)
 * A committed file never changes: writing the same bytes again finds it
 * there and drops the new copy (dedup).
 */
#ifndef MC_STORE_FILESTORE_H
#define MC_STORE_FILESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct filestore;
struct filestore_writer;

#define FILESTORE_HASH_HEX 64

/* What filestore_commit() tells of a committed file. */
struct filestore_file {
	char sha256[FILESTORE_HASH_HEX + 1];	/* lowercase hex */
	uint64_t size;
	/* The type sniffed from the content by libmagic ("application/pdf",
	 * "image/png", "text/plain"), never from a name. */
	char mime[80];
};

/*
 * Opens (creating it and DIR/tmp, mode 0700, when missing) the store at
 * `dir`, loads libmagic's database, and removes temp files older than an
 * hour. Thread-safe once open: writers are independent, and the libmagic
 * handle (not thread-safe) is used under a lock. Returns 0, or MC_EIO
 * (cannot create, not a directory, no magic database) with the reason
 * in err. filestore_close() frees it (NULL is fine).
 */
int filestore_open(const char *dir, struct filestore **out, struct buf *err);
void filestore_close(struct filestore *fs);

/* The directory given to filestore_open(). */
const char *filestore_dir(const struct filestore *fs);

/*
 * The documented default data directory for a database URL: the
 * directory of a SQLite file plus "motcua-data" ("sqlite:/srv/x.db" ->
 * "/srv/motcua-data", "sqlite:motcua.db" -> "motcua-data"), else
 * "motcua-data" in the working directory. Replaces `out`.
 */
void filestore_default_dir(const char *db_url, struct buf *out);

/*
 * Starts a file: a new temp file DIR/tmp/up-RANDOM.part (O_EXCL, 0600).
 * `max_size` caps the bytes filestore_write() accepts (0: no cap).
 * Returns 0 and *out (to be ended by exactly one of filestore_commit()
 * or filestore_abort()), or MC_EIO with the reason in err.
 */
int filestore_begin(struct filestore *fs, uint64_t max_size,
		    struct filestore_writer **out, struct buf *err);

/*
 * Appends `len` bytes, updating the SHA-256 and the byte count. Returns
 * 0, MC_ETOOBIG when the cap would be passed (nothing of this chunk is
 * written; the writer stays valid for filestore_abort()), or MC_EIO.
 */
int filestore_write(struct filestore_writer *w, const void *data, size_t len,
		    struct buf *err);

/* Bytes written so far. */
uint64_t filestore_written(const struct filestore_writer *w);

/*
 * Ends a file: flushes it to disk (fsync), sniffs its type, and moves it
 * to DIR/ab/abcdef... (or drops it when that file exists: same content).
 * `allowed` is a NULL-terminated list of accepted types, or NULL for
 * any: a type not in it answers MC_EUNSUPPORTED and the file is removed
 * (out->mime tells what it was). Frees the writer in every case; *out is
 * filled (hash, size, type) on 0 and MC_EUNSUPPORTED. Returns 0,
 * MC_EUNSUPPORTED or MC_EIO (reason in err; the temp file is removed).
 */
int filestore_commit(struct filestore_writer *w, const char *const *allowed,
		     struct filestore_file *out, struct buf *err);

/* Drops a file being written (removes the temp file), frees the writer.
 * NULL is fine. */
void filestore_abort(struct filestore_writer *w);

/* Whether `hash` is exactly 64 lowercase hex digits (nothing else can
 * name a file: no path, no traversal). */
bool filestore_hash_valid(const char *hash);

/*
 * Opens the committed file `hash` for reading: *fd (O_RDONLY, the caller
 * closes it) and *size. Returns 0, MC_EINVALID (not a valid hash),
 * MC_ENOTFOUND, or MC_EIO with the reason in err.
 */
int filestore_open_read(struct filestore *fs, const char *hash, int *fd,
			uint64_t *size, struct buf *err);

/*
 * Sniffs the type of the file at `path` (libmagic, MIME type only) into
 * mime[size]. Returns 0 or MC_EIO. Used by commit; exposed for tests.
 */
int filestore_sniff(struct filestore *fs, const char *path, char *mime,
		    size_t size);

/* Removes temp files older than `age_s` seconds; returns how many. */
int filestore_sweep(struct filestore *fs, long age_s);

#endif
