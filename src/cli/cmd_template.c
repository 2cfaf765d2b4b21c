/*
 * cmd_template.c - `motcua template render`: renders a mustache template
 * file with a JSON data file, partials read from a directory and compiled
 * once each. A tool for template authors and for tests; it writes nothing
 * but stdout and stderr.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "render/mustache.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/opt.h"
#include "util/xalloc.h"

#define TEMPLATE_USAGE "motcua template render [--partials DIR] TEMPLATE DATA.json"

/* Reads the whole file at `path` into out. */
static int read_file(const char *path, struct buf *out, struct buf *err)
{
	int rc = MC_EIO;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rc = errno == ENOENT ? MC_ENOTFOUND : MC_EIO;
		buf_setf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	if (ferror(f)) {
		buf_setf(err, "%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	return rc;
}

/* Partials from DIR/NAME.mustache, each compiled on first use. */
struct partial_dir {
	const char *dir;
	char **names;
	struct mustache **tpl;	/* NULL: no such file */
	size_t n;
	struct buf err;		/* the first failure, reported after render */
	bool failed;
};

/* Names are plain file names: no '/', no "..", not empty. */
static bool partial_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && !strchr(name, '\\') &&
	       !strstr(name, "..");
}

static const struct mustache *load_partial(void *ctx, const char *name)
{
	struct partial_dir *d = ctx;
	struct mustache *m = NULL;
	struct buf path = BUF_INIT, src = BUF_INIT, err = BUF_INIT;
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return d->tpl[i];
	if (d->failed)
		goto out;
	if (!partial_name_ok(name)) {
		buf_setf(&d->err, "partial name '%s' refused: it must not "
			 "contain '/' or '..'", name);
		d->failed = true;
		goto out;
	}
	buf_addf(&path, "%s/%s.mustache", d->dir, name);
	int rc = read_file(path.ptr, &src, &err);
	if (rc == MC_ENOTFOUND) {
		/* The spec: a missing partial renders as nothing. */
		fprintf(stderr, "motcua template: warning: no partial %s\n",
			path.ptr);
	} else if (rc) {
		buf_setf(&d->err, "%s", err.ptr);
		d->failed = true;
		goto out;
	} else if (mustache_compile(src.ptr, src.len, &m, &err)) {
		buf_setf(&d->err, "%s: %s", path.ptr, err.ptr);
		d->failed = true;
		goto out;
	}
	d->names = xrealloc(d->names, (d->n + 1) * sizeof(*d->names));
	d->tpl = xrealloc(d->tpl, (d->n + 1) * sizeof(*d->tpl));
	d->names[d->n] = xstrdup(name);
	d->tpl[d->n] = m;
	d->n++;
out:
	buf_release(&path);
	buf_release(&src);
	buf_release(&err);
	return m;
}

static void partial_dir_release(struct partial_dir *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->names[i]);
		mustache_free(d->tpl[i]);
	}
	free(d->names);
	free(d->tpl);
	buf_release(&d->err);
}

static int template_render(int argc, char **argv)
{
	struct opt opts[] = {
		{ .name = "partials",
		  .help = "directory of partials, NAME.mustache for {{>NAME}}" },
		{ 0 },
	};
	const char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	struct buf err = BUF_INIT, src = BUF_INIT, out = BUF_INIT;
	struct partial_dir pd = { .err = BUF_INIT };
	struct mustache *m = NULL;
	json_t *data = NULL;
	int n_pos, status = 2;
	bool help;

	if (opt_parse(opts, argc, argv, pos, &n_pos, &help, &err)) {
		fprintf(stderr, "motcua template render: %s\nusage: %s\n",
			err.ptr, TEMPLATE_USAGE);
		goto out;
	}
	if (help) {
		opt_usage(TEMPLATE_USAGE, opts);
		status = 0;
		goto out;
	}
	if (n_pos != 2) {
		fprintf(stderr, "motcua template render: expected TEMPLATE and "
			"DATA.json\nusage: %s\n", TEMPLATE_USAGE);
		goto out;
	}
	const char *tpl_path = pos[0], *data_path = pos[1];

	status = 1;
	if (read_file(tpl_path, &src, &err)) {
		fprintf(stderr, "motcua template: %s\n", err.ptr);
		goto out;
	}
	if (mustache_compile(src.ptr, src.len, &m, &err)) {
		fprintf(stderr, "motcua template: %s: %s\n", tpl_path, err.ptr);
		goto out;
	}
	json_error_t jerr;
	data = json_load_file(data_path, JSON_DECODE_ANY, &jerr);
	if (!data) {
		fprintf(stderr, "motcua template: %s: line %d: %s\n", data_path,
			jerr.line, jerr.text);
		goto out;
	}
	pd.dir = opts[0].value;
	int rc = mustache_render(m, data, pd.dir ? load_partial : NULL, &pd,
				 &out, &err);
	if (pd.failed) {
		fprintf(stderr, "motcua template: %s\n", pd.err.ptr);
		goto out;
	}
	if (rc) {
		fprintf(stderr, "motcua template: %s: %s\n", tpl_path, err.ptr);
		goto out;
	}
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len ||
	    fflush(stdout)) {
		fprintf(stderr, "motcua template: cannot write the output\n");
		goto out;
	}
	status = 0;
out:
	json_decref(data);
	mustache_free(m);
	partial_dir_release(&pd);
	buf_release(&out);
	buf_release(&src);
	buf_release(&err);
	opt_release(opts);
	free(pos);
	return status;
}

int cmd_template(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "render"))
		return template_render(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: motcua template render [--partials DIR] TEMPLATE "
		       "DATA.json\n\n"
		       "Renders a mustache template with JSON data on stdout.\n"
		       "See 'motcua template render --help'.\n");
		return 0;
	}
	if (argc >= 2)
		fprintf(stderr, "motcua template: unknown subcommand '%s'\n",
			argv[1]);
	fprintf(stderr, "usage: %s\n", TEMPLATE_USAGE);
	return 2;
}
