/*
 * opt.c - see opt.h.
 */
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xalloc.h"

static struct opt *find(struct opt *opts, const char *name, size_t len)
{
	for (struct opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static void add_value(struct opt *o, const char *v)
{
	o->value = v;
	o->set = true;
	if (o->repeat) {
		o->values = xrealloc(o->values,
				     sizeof(*o->values) * (size_t)(o->n_values + 1));
		o->values[o->n_values++] = v;
	}
}

int opt_parse(struct opt *opts, int argc, char **argv, const char **pos,
	      int *n_pos, bool *help, struct buf *err)
{
	*n_pos = 0;
	*help = false;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] != '-' || !a[2]) {
			if (!only_pos && !strcmp(a, "--")) {
				only_pos = true;
				continue;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		if (!strcmp(a, "--help")) {
			*help = true;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct opt *o = find(opts, name, len);
		if (!o) {
			buf_setf(err, "unknown option --%.*s", (int)len, name);
			return MC_EINVALID;
		}
		if (o->is_flag) {
			if (eq) {
				buf_setf(err, "option --%s takes no value", o->name);
				return MC_EINVALID;
			}
			add_value(o, "1");
			continue;
		}
		if (eq) {
			add_value(o, eq + 1);
		} else if (i + 1 < argc) {
			add_value(o, argv[++i]);
		} else {
			buf_setf(err, "option --%s needs a value", o->name);
			return MC_EINVALID;
		}
	}
	for (struct opt *o = opts; o->name; o++) {
		if (o->set || !o->env)
			continue;
		const char *v = getenv(o->env);
		if (v && *v) {
			o->value = v;
			o->set = true;
		}
	}
	return 0;
}

void opt_release(struct opt *opts)
{
	for (struct opt *o = opts; o->name; o++) {
		free(o->values);
		o->values = NULL;
		o->n_values = 0;
	}
}

void opt_usage(const char *usage, const struct opt *opts)
{
	printf("usage: %s\n", usage);
	if (opts[0].name)
		printf("\noptions:\n");
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s", o->name,
			 o->is_flag ? "" : " VALUE");
		printf("  %-24s %s", left, o->help ? o->help : "");
		if (o->env)
			printf(" [env %s]", o->env);
		printf("\n");
	}
	printf("  %-24s %s\n", "--help", "show this help");
}
