/*
 * sqlite_vfs.h - the process's SQLite VFS: the default one, writing each
 * WAL frame with one system call (sqlite_vfs.c says why and how).
 */
#ifndef MC_STORE_SQLITE_VFS_H
#define MC_STORE_SQLITE_VFS_H

#include <stdint.h>

/* Registers the VFS as the default, once, before the first connection.
 * -1: SQLite's default VFS is kept (too old to wrap). */
int sqlite_vfs_install(void);

/* WAL frames written with one call so far (a header joined to its page). */
uint64_t sqlite_vfs_joined_writes(void);

#endif
