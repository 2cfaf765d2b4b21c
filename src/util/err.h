/*
 * err.h - the one error enum of motcua, generated from an X-macro list
 * together with its messages (as libuv does). Functions return 0 on success
 * or a negative MC_E* code; the human reason goes into a caller's struct buf.
 */
#ifndef MC_UTIL_ERR_H
#define MC_UTIL_ERR_H

#define MC_ERR_LIST(X)                                                 \
	X(EINVALID, "invalid input")                                   \
	X(ENOTFOUND, "not found")                                      \
	X(ERANGE, "value out of range")                                \
	X(EIO, "input/output error")                                   \
	X(EDB, "database error")                                       \
	X(ECONFLICT, "conflict")                                       \
	X(ETOOBIG, "too large")                                        \
	X(EFORBIDDEN, "forbidden")                                     \
	X(EUNSUPPORTED, "not supported")

enum mc_err {
	MC_OK = 0,
#define MC_ERR_ENUM(name, msg) MC_##name,
	MC_ERR_FIRST_ = -100,
	MC_ERR_LIST(MC_ERR_ENUM)
#undef MC_ERR_ENUM
};

/* The English message of an error code; never NULL ("success" for 0). */
const char *mc_strerror(int code);

#endif
