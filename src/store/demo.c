/*
 * demo.c - bulk reads for `motcua demo` (see demo.h): the desks of a
 * province and the procedures of a desk with their channels, in two plain
 * queries instead of one JSON model per object. Never writes.
 */
#include "store/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

int demo_desks(struct db *db, const char *province, struct demo_desk **out,
	       int *n, struct buf *err)
{
	struct db_stmt *st = NULL;
	struct demo_desk *v = NULL;
	int len = 0, cap = 0, rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare_cached(db,
				    "SELECT d.id, u.code, u.name, u.full_name, "
				    "u.type, u.name_key, "
				    "coalesce(d.agency_code, '') "
				    "FROM units u JOIN desks d "
				    "ON d.unit_code = u.code "
				    "WHERE u.era = '2025' AND u.level = 3 "
				    "AND u.parent_code = ? ORDER BY u.code",
				    &st, err)) < 0)
		return rc;
	db_bind_text(st, 1, province, -1);
	while ((rc = db_step(st)) == DB_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 128;
			v = xrealloc(v, (size_t)cap * sizeof(*v));
		}
		struct demo_desk *d = &v[len++];
		memset(d, 0, sizeof(*d));
		d->desk_id = db_column_int64(st, 0);
		copy(d->unit, sizeof(d->unit), db_column_text(st, 1));
		copy(d->name, sizeof(d->name), db_column_text(st, 2));
		copy(d->full_name, sizeof(d->full_name), db_column_text(st, 3));
		copy(d->type, sizeof(d->type), db_column_text(st, 4));
		copy(d->name_key, sizeof(d->name_key), db_column_text(st, 5));
		copy(d->agency_code, sizeof(d->agency_code),
		     db_column_text(st, 6));
	}
	db_done(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

static unsigned channel_bits(const char *ch)
{
	if (!strcmp(ch, "truc_tiep"))
		return DEMO_CH_COUNTER;
	if (!strcmp(ch, "truc_tuyen"))
		return DEMO_CH_ONLINE;
	if (!strcmp(ch, "buu_chinh"))
		return DEMO_CH_POST;
	if (!strcmp(ch, "tat_ca"))
		return DEMO_CH_COUNTER | DEMO_CH_ONLINE | DEMO_CH_POST;
	return 0;
}

int demo_desk_procedures(struct db *db, int64_t desk_id,
			 struct demo_proc **out, int *n, struct buf *err)
{
	struct db_stmt *st = NULL;
	struct demo_proc *v = NULL;
	int len = 0, cap = 0, rc;
	*out = NULL;
	*n = 0;
	if ((rc = db_prepare_cached(db,
				    "SELECT p.code, p.field, p.name_key, "
				    "coalesce(c.channel, ''), p.name "
				    "FROM desk_procedures dp JOIN procedures p "
				    "ON p.code = dp.procedure_code "
				    "LEFT JOIN procedure_channels c "
				    "ON c.code = p.code "
				    "WHERE dp.desk_id = ? ORDER BY p.code, c.seq",
				    &st, err)) < 0)
		return rc;
	db_bind_int64(st, 1, desk_id);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_column_text(st, 0);
		if (!len || strcmp(v[len - 1].code, code)) {
			if (len == cap) {
				cap = cap ? 2 * cap : 256;
				v = xrealloc(v, (size_t)cap * sizeof(*v));
			}
			struct demo_proc *p = &v[len++];
			memset(p, 0, sizeof(*p));
			copy(p->code, sizeof(p->code), code);
			copy(p->field, sizeof(p->field), db_column_text(st, 1));
			copy(p->name_key, sizeof(p->name_key),
			     db_column_text(st, 2));
			p->name = xstrdup(db_column_text(st, 4));
		}
		v[len - 1].channels |= channel_bits(db_column_text(st, 3));
	}
	db_done(st);
	if (rc < 0) {
		demo_procs_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void demo_procs_free(struct demo_proc *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int demo_tune(struct db *db, int cache_mb, struct buf *err)
{
	char sql[96];
	if (db_kind(db) != DB_SQLITE)
		return 0;
	/* Savepoints (each repository call nests one in the batch) keep
	 * the pages they touch in a statement journal: in memory, not in a
	 * temporary file. */
	snprintf(sql, sizeof sql,
		 "PRAGMA cache_size = -%d; PRAGMA temp_store = MEMORY",
		 cache_mb > 0 ? cache_mb * 1024 : 2048);
	return db_exec(db, sql, err);
}
