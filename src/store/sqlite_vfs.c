/*
 * sqlite_vfs.c - SQLite's default VFS with one change: a WAL frame is
 * written with one system call instead of two.
 *
 * SQLite writes each WAL frame as its 24-byte header, then its page, in
 * two pwrite()s at adjacent offsets (wal.c, walWriteOneFrame). A dossier's
 * intake commits about 23 frames, and those 46 calls were the largest
 * single item of the server's profile (pwrite 15 % of its CPU), all of it
 * inside the group commit, where every other writer waits. This shim
 * holds a frame header back and writes it together with the page that
 * follows it (or alone, before anything else happens to the file), so the
 * bytes that reach the file are exactly SQLite's: it only changes how many
 * calls carry them. A header is held only between the two writes of one
 * frame; no frame becomes visible to readers (the wal-index header) before
 * both are written.
 *
 * Only files opened as WAL are wrapped; the database, its -shm and
 * journals go straight to the default VFS. The shim becomes the default
 * VFS of the process (sqlite_vfs_install), under its own name, so that
 * every connection of the program uses it; other programs reading the
 * same files see ordinary WAL files (test_sqlite_vfs reopens one with
 * the plain "unix" VFS after a simulated crash).
 */
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "store/sqlite_vfs.h"

#define FRAME_HDR 24	/* WAL_FRAME_HDRSIZE in SQLite's wal.c */
#define WAL_HDR 32	/* the WAL file's own header, never held */

struct wal_file {
	sqlite3_file base;	/* pMethods: wal_methods */
	sqlite3_file *real;	/* the default VFS's file, after this struct */
	sqlite3_int64 held_at;	/* offset of the held header, or -1 */
	unsigned char held[FRAME_HDR];
	unsigned char *joined;	/* header + page, for the one write */
	int joined_size;
};

static sqlite3_vfs *base_vfs;
static _Atomic uint64_t n_joined;

uint64_t sqlite_vfs_joined_writes(void)
{
	return atomic_load_explicit(&n_joined, memory_order_relaxed);
}

#define REAL(f) (((struct wal_file *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

/* Writes a held header by itself. */
static int flush(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	if (w->held_at < 0)
		return SQLITE_OK;
	sqlite3_int64 at = w->held_at;
	w->held_at = -1;
	return RM(f)->xWrite(w->real, w->held, FRAME_HDR, at);
}

static int wal_write(sqlite3_file *f, const void *buf, int amt,
		     sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	if (w->held_at >= 0 && off == w->held_at + FRAME_HDR && amt > 0 &&
	    amt <= 65536) {
		int need = FRAME_HDR + amt;
		if (w->joined_size < need) {
			unsigned char *p = sqlite3_realloc(w->joined, need);
			if (p) {
				w->joined = p;
				w->joined_size = need;
			}
		}
		if (w->joined_size >= need) {
			sqlite3_int64 at = w->held_at;
			w->held_at = -1;
			memcpy(w->joined, w->held, FRAME_HDR);
			memcpy(w->joined + FRAME_HDR, buf, (size_t)amt);
			atomic_fetch_add_explicit(&n_joined, 1,
						  memory_order_relaxed);
			return RM(f)->xWrite(w->real, w->joined, need, at);
		}
	}
	int rc = flush(f);
	if (rc != SQLITE_OK)
		return rc;
	if (amt == FRAME_HDR && off >= WAL_HDR) {
		memcpy(w->held, buf, FRAME_HDR);
		w->held_at = off;
		return SQLITE_OK;
	}
	return RM(f)->xWrite(w->real, buf, amt, off);
}

static int wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = flush(f);
	int rc2 = RM(f)->xClose(w->real);
	sqlite3_free(w->joined);
	w->joined = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

/* Every other method writes a held header first, then forwards. */
static int wal_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xRead(REAL(f), buf, amt, off);
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xTruncate(REAL(f), size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xSync(REAL(f), flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xFileSize(REAL(f), size);
}

static int wal_lock(sqlite3_file *f, int level)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xLock(REAL(f), level);
}

static int wal_unlock(sqlite3_file *f, int level)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xUnlock(REAL(f), level);
}

static int wal_check_reserved(sqlite3_file *f, int *out)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xCheckReservedLock(REAL(f), out);
}

static int wal_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc = flush(f);
	return rc ? rc : RM(f)->xFileControl(REAL(f), op, arg);
}

static int wal_sector_size(sqlite3_file *f)
{
	return RM(f)->xSectorSize(REAL(f));
}

static int wal_device_characteristics(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(REAL(f));
}

static int wal_shm_map(sqlite3_file *f, int region, int size, int extend,
		       void volatile **pp)
{
	int rc = flush(f);
	if (rc)
		return rc;
	if (RM(f)->iVersion < 2 || !RM(f)->xShmMap)
		return SQLITE_IOERR;
	return RM(f)->xShmMap(REAL(f), region, size, extend, pp);
}

static int wal_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	int rc = flush(f);
	if (rc)
		return rc;
	if (RM(f)->iVersion < 2 || !RM(f)->xShmLock)
		return SQLITE_IOERR;
	return RM(f)->xShmLock(REAL(f), offset, n, flags);
}

static void wal_shm_barrier(sqlite3_file *f)
{
	flush(f);
	if (RM(f)->iVersion >= 2 && RM(f)->xShmBarrier)
		RM(f)->xShmBarrier(REAL(f));
}

static int wal_shm_unmap(sqlite3_file *f, int delete_flag)
{
	int rc = flush(f);
	if (rc)
		return rc;
	if (RM(f)->iVersion < 2 || !RM(f)->xShmUnmap)
		return SQLITE_OK;
	return RM(f)->xShmUnmap(REAL(f), delete_flag);
}

static int wal_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	int rc = flush(f);
	*pp = NULL;
	if (rc)
		return rc;
	if (RM(f)->iVersion < 3 || !RM(f)->xFetch)
		return SQLITE_OK;	/* no mapping: SQLite reads instead */
	return RM(f)->xFetch(REAL(f), off, amt, pp);
}

static int wal_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	if (RM(f)->iVersion < 3 || !RM(f)->xUnfetch)
		return SQLITE_OK;
	return RM(f)->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods wal_methods = {
	.iVersion = 3,
	.xClose = wal_close,
	.xRead = wal_read,
	.xWrite = wal_write,
	.xTruncate = wal_truncate,
	.xSync = wal_sync,
	.xFileSize = wal_file_size,
	.xLock = wal_lock,
	.xUnlock = wal_unlock,
	.xCheckReservedLock = wal_check_reserved,
	.xFileControl = wal_file_control,
	.xSectorSize = wal_sector_size,
	.xDeviceCharacteristics = wal_device_characteristics,
	.xShmMap = wal_shm_map,
	.xShmLock = wal_shm_lock,
	.xShmBarrier = wal_shm_barrier,
	.xShmUnmap = wal_shm_unmap,
	.xFetch = wal_fetch,
	.xUnfetch = wal_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		    int flags, int *out_flags)
{
	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	struct wal_file *w = (struct wal_file *)f;
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)(w + 1);
	w->held_at = -1;
	int rc = base_vfs->xOpen(base_vfs, name, w->real, flags, out_flags);
	/* On failure SQLite calls no method of the file: pMethods stays
	 * NULL (the default VFS cleans up its own). */
	if (rc == SQLITE_OK && w->real->pMethods)
		w->base.pMethods = &wal_methods;
	else if (rc == SQLITE_OK)
		rc = SQLITE_CANTOPEN;
	return rc;
}

/* The rest of the VFS is the default one's. */
static int vfs_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *v, const char *name, int n,
			     char *out)
{
	(void)v;
	return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return base_vfs->xDlOpen(base_vfs, name);
}

static void vfs_dl_error(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	base_vfs->xDlError(base_vfs, n, msg);
}

static void (*vfs_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return base_vfs->xDlSym(base_vfs, h, sym);
}

static void vfs_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	base_vfs->xDlClose(base_vfs, h);
}

static int vfs_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xRandomness(base_vfs, n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return base_vfs->xSleep(base_vfs, us);
}

static int vfs_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return base_vfs->xCurrentTime(base_vfs, out);
}

static int vfs_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return base_vfs->xGetLastError ? base_vfs->xGetLastError(base_vfs, n, out)
				       : 0;
}

static int vfs_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static int vfs_set_syscall(sqlite3_vfs *v, const char *name,
			   sqlite3_syscall_ptr p)
{
	(void)v;
	return base_vfs->xSetSystemCall(base_vfs, name, p);
}

static sqlite3_syscall_ptr vfs_get_syscall(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return base_vfs->xGetSystemCall(base_vfs, name);
}

static const char *vfs_next_syscall(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return base_vfs->xNextSystemCall(base_vfs, name);
}

static sqlite3_vfs shim = {
	.zName = "motcua",
	.xOpen = vfs_open,
	.xDelete = vfs_delete,
	.xAccess = vfs_access,
	.xFullPathname = vfs_full_pathname,
	.xDlOpen = vfs_dl_open,
	.xDlError = vfs_dl_error,
	.xDlSym = vfs_dl_sym,
	.xDlClose = vfs_dl_close,
	.xRandomness = vfs_randomness,
	.xSleep = vfs_sleep,
	.xCurrentTime = vfs_current_time,
	.xGetLastError = vfs_last_error,
	.xCurrentTimeInt64 = vfs_current_time64,
	.xSetSystemCall = vfs_set_syscall,
	.xGetSystemCall = vfs_get_syscall,
	.xNextSystemCall = vfs_next_syscall,
};

int sqlite_vfs_install(void)
{
	if (base_vfs)
		return 0;
	sqlite3_vfs *d = sqlite3_vfs_find(NULL);
	/* Version 3 (system calls) is what the unix VFS has had since
	 * SQLite 3.7.6; without it, keep SQLite's own. */
	if (!d || d->iVersion < 3 || d == &shim)
		return -1;
	base_vfs = d;
	shim.iVersion = 3;
	shim.szOsFile = (int)sizeof(struct wal_file) + d->szOsFile;
	shim.mxPathname = d->mxPathname;
	return sqlite3_vfs_register(&shim, 1) == SQLITE_OK ? 0 : -1;
}
