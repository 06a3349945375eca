#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "strbuf.h"
#include "url.h"
#include "version.h"
#include "xmalloc.h"

/*
 * check: the CI guard. Every problem found is listed; any one makes the
 * exit status 1 (MG_ECHECK), so a pipeline stops on forked heads, a broken
 * graph, an edited applied revision or a half-applied one.
 */
struct findings {
	struct cmd_ctx	*ctx;
	struct strbuf	 text, json;
	size_t		 n;
};

static void
problem(struct findings *f, const char *kind, const char *msg)
{
	if (f->ctx->out.json) {
		strbuf_addstr(&f->json, f->n ? ",\n    {\"kind\": " :
		    "\n    {\"kind\": ");
		json_str(&f->json, kind);
		strbuf_addstr(&f->json, ", \"message\": ");
		json_str(&f->json, msg);
		strbuf_addch(&f->json, '}');
	} else
		strbuf_addf(&f->text, "%s: %s\n", kind, msg);
	f->n++;
}

static void
edited(void *payload, size_t rev, const char *recorded, const char *now)
{
	struct findings	*f = payload;
	char		*msg;

	msg = xasprintf("%s was applied from a file with checksum %.12s, "
	    "the file's checksum is now %.12s: it was edited after it was "
	    "applied", f->ctx->g->nodes[rev].rev->path, recorded, now);
	problem(f, "edited", msg);
	free(msg);
}

static void
partial(void *payload, const char *rev, const char *dir, size_t done)
{
	struct findings	*f = payload;
	char		*msg;

	msg = xasprintf("revision %s stopped during its %s after %zu "
	    "statement(s); rerun it, or settle it with 'migrate resolve'",
	    rev, strcmp(dir, "up") == 0 ? "upgrade" : "downgrade", done);
	problem(f, "partial", msg);
	free(msg);
}

/* A SQLite database that does not exist yet has nothing applied. */
static int
no_database_yet(const struct cmd_ctx *ctx)
{
	struct strbuf	path = STRBUF_INIT;
	struct mg_error	err = MG_ERROR_INIT;
	enum url_kind	kind;
	struct stat	st;
	int		missing = 0;

	if (url_kind(&kind, ctx->cfg->url, &err) == 0 && kind == URL_SQLITE &&
	    url_sqlite_path(&path, ctx->cfg->url, config_url_base(ctx->cfg),
	    &err) == 0 &&
	    strcmp(path.buf, ":memory:") != 0)
		missing = stat(path.buf, &st) != 0;
	strbuf_release(&path);
	mg_error_clear(&err);
	return missing;
}

static int
check_database(struct findings *f, struct mg_error *err)
{
	struct cmd_ctx		*ctx = f->ctx;
	struct version_state	 vs;
	int			 rc;

	if (no_database_yet(ctx))
		return 0;
	if ((rc = exec_open(&ctx->ex, ctx->cfg, &ctx->out, err)) != 0)
		return rc;
	if ((rc = cmd_load_state(ctx, &vs, err)) != 0) {
		/* A row naming a missing file is a finding, not a failure. */
		if (rc != MG_ENOTFOUND)
			return rc;
		problem(f, "unknown-revision", err->msg.buf);
		mg_error_clear(err);
		return 0;
	}
	if ((rc = exec_checksums(ctx->ex, ctx->g, vs.applied, edited, f,
	    err)) == 0)
		rc = exec_partials(ctx->ex, partial, f, err);
	version_free(&vs);
	return rc;
}

int
cmd_check(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "files-only", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct findings	 f = { ctx, STRBUF_INIT, STRBUF_INIT, 0 };
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;
	int		 ch, rc, files_only = 0;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1)
		files_only = 1;
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("check", err, "takes no operands");
	/* A graph that does not build (cycle, missing parent) fails check. */
	if ((rc = cmd_load_graph(ctx, err)) != 0) {
		if (rc != MG_EGRAPH && rc != MG_EREVISION)
			return rc;
		if (ctx->out.json) {
			strbuf_addf(&sb, "%s%s%s", err->file ? err->file : "",
			    err->file ? ": " : "", err->msg.buf);
			problem(&f, "graph", sb.buf);
			out_print(&ctx->out, "{\"ok\": false, \"problems\": "
			    "[%s\n  ]}\n", f.json.buf);
			rc = mg_error_set(err, MG_ECHECK, "check failed: the "
			    "revision files do not form a valid graph");
			goto done;
		}
		err->code = MG_ECHECK;
		strbuf_addstr(&err->hint, "check: the revision files do not "
		    "form a valid graph.");
		return MG_ECHECK;
	}
	if (ctx->g->heads.n > 1) {
		strbuf_addf(&sb, "%zu heads:", ctx->g->heads.n);
		for (i = 0; i < ctx->g->heads.n; i++)
			strbuf_addf(&sb, " %s",
			    ctx->g->nodes[ctx->g->heads.v[i]].rev->id);
		strbuf_addstr(&sb, "; join them with 'migrate merge heads'");
		problem(&f, "multiple-heads", sb.buf);
	}
	if (!files_only && (rc = check_database(&f, err)) != 0)
		goto done;
	if (ctx->out.json) {
		strbuf_reset(&sb);
		for (i = 0; i < ctx->g->heads.n; i++) {
			strbuf_addstr(&sb, i ? ", " : "");
			json_str(&sb, ctx->g->nodes[ctx->g->heads.v[i]].rev->id);
		}
		out_print(&ctx->out, "{\"ok\": %s, \"revisions\": %zu, "
		    "\"heads\": [%s], \"problems\": [%s%s]}\n",
		    f.n ? "false" : "true", ctx->g->n, sb.buf, f.json.buf,
		    f.n ? "\n  " : "");
	} else if (f.n)
		out_print(&ctx->out, "%s", f.text.buf);
	else
		out_print(&ctx->out, "OK: %zu revisions, one head%s%s\n",
		    ctx->g->n, ctx->g->heads.n ? " " : "",
		    ctx->g->heads.n ? ctx->g->nodes[ctx->g->heads.v[0]].rev->id :
		    "");
	if (f.n)
		rc = mg_error_set(err, MG_ECHECK, "check failed: %zu "
		    "problem%s", f.n, f.n == 1 ? "" : "s");
done:
	strbuf_release(&f.text);
	strbuf_release(&f.json);
	strbuf_release(&sb);
	return rc;
}
