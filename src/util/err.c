/*
 * err.c - messages for the error codes listed in err.h.
 */
#include "util/err.h"

const char *mc_strerror(int code)
{
	switch (code) {
	case MC_OK:
		return "success";
#define MC_ERR_CASE(name, msg) \
	case MC_##name:        \
		return msg;
		MC_ERR_LIST(MC_ERR_CASE)
#undef MC_ERR_CASE
	default:
		return "unknown error";
	}
}
