/*
 * Helpers shared by the commands: option parsing, loading the database
 * state, and the upgrade/downgrade sequence of DESIGN.md "Executor".
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "plan.h"
#include "revspec.h"
#include "strbuf.h"
#include "version.h"
#include "xmalloc.h"

/*
 * "downgrade -1" must read -1 as a relative revision, not an option. Move
 * every "-N" argument to the end, out of getopt's sight: getopt permutes
 * the operands it sees to the end of its range, so afterwards the operands
 * are argv[optind..argc-1] with the moved ones last.
 */
static int
hide_negative_numbers(int argc, char **argv)
{
	char	*t;
	int	 i, j, hidden = 0;

	for (i = argc - 1; i > 0; i--) {
		if (argv[i][0] != '-' || argv[i][1] == '\0' ||
		    strspn(argv[i] + 1, "0123456789") != strlen(argv[i] + 1))
			continue;
		t = argv[i];
		for (j = i; j < argc - 1 - hidden; j++)
			argv[j] = argv[j + 1];
		argv[argc - 1 - hidden] = t;
		hidden++;
	}
	return hidden;
}

int
cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv, const char *optstring,
    const struct option *longopts, int *opt, struct mg_error *err)
{
	static const struct option	 common[] = {
		{ "json", no_argument, NULL, 0x100 },
		{ "yes", no_argument, NULL, 0x101 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	static int			 hidden;
	struct option			 all[32];
	size_t				 n = 0, i;
	char				*os;
	int				 ch;

	if (optind == 0)
		hidden = hide_negative_numbers(argc, argv);

	for (i = 0; longopts && longopts[i].name && n < 29; i++)
		all[n++] = longopts[i];
	for (i = 0; common[i].name; i++)
		all[n++] = common[i];
	memset(&all[n], 0, sizeof(all[n]));
	/* Leading ':' reports a missing argument as ':' rather than '?'. */
	os = xasprintf(":%sqv", optstring);
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc - hidden, argv, os, all, NULL);
		if (ch == 0x100) {
			ctx->out.json = 1;
			continue;
		}
		if (ch == 0x101) {
			ctx->yes = 1;
			continue;
		}
		if (ch == 'q' || ch == 'v') {
			*(ch == 'q' ? &ctx->out.quiet : &ctx->out.verbose) = 1;
			continue;
		}
		break;
	}
	free(os);
	*opt = ch;
	if (ch == '?')
		return cmd_usage_error(argv[0], err, "unknown option '%s'",
		    argv[optind - 1]);
	if (ch == ':')
		return cmd_usage_error(argv[0], err, "option '%s' needs a "
		    "value", argv[optind - 1]);
	return 0;
}

int
cmd_no_options(struct cmd_ctx *ctx, int argc, char **argv,
    struct mg_error *err)
{
	int	ch, rc;

	while ((rc = cmd_getopt(ctx, argc, argv, "", NULL, &ch, err)) == 0 &&
	    ch != -1)
		;
	return rc;
}

int
cmd_usage_error(const char *name, struct mg_error *err, const char *fmt, ...)
{
	const struct cmd_entry	*c = cmd_lookup(name);
	va_list			 ap;

	mg_error_set(err, MG_EUSAGE, "%s: ", name);
	va_start(ap, fmt);
	strbuf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	if (c)
		strbuf_addf(&err->hint, "usage: migrate %s", c->usage);
	return MG_EUSAGE;
}

int
cmd_load_state(struct cmd_ctx *ctx, struct version_state *vs,
    struct mg_error *err)
{
	struct strlist	rows = { NULL, 0 };
	int		rc;

	if ((rc = exec_read_rows(ctx->ex, &rows, err)) == 0)
		rc = version_init(vs, ctx->g, &rows, err);
	strlist_clear(&rows);
	return rc;
}

int
cmd_confirm(struct cmd_ctx *ctx, const char *what, struct mg_error *err)
{
	char	answer[16];

	if (!ctx->cfg->confirm || ctx->yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		mg_error_set(err, MG_EREFUSED, "environment '%s' is protected "
		    "(confirm = yes) and there is no terminal to ask",
		    ctx->cfg->env ? ctx->cfg->env : "migrate");
		strbuf_addstr(&err->hint, "Pass --yes to confirm in a "
		    "script.");
		return MG_EREFUSED;
	}
	fprintf(stderr, "%s on protected environment '%s'? [y/N] ", what,
	    ctx->cfg->env ? ctx->cfg->env : "migrate");
	if (fgets(answer, sizeof(answer), stdin) == NULL ||
	    (answer[0] != 'y' && answer[0] != 'Y'))
		return mg_error_set(err, MG_EREFUSED, "not confirmed");
	return 0;
}

/*
 * Turn spec into a plan against vs. Upgrading to a revision that is
 * applied below an applied child is refused, as Alembic does ("not a
 * valid upgrade target"): it would silently do nothing. A head applied
 * only because another branch depends_on it is fine (Alembic #789).
 */
static int
make_plan(struct cmd_ctx *ctx, const struct version_state *vs,
    const char *spec, int up, struct plan *p, struct mg_error *err)
{
	struct revspec	rs;
	size_t		i, k;
	int		rc, below;

	if ((rc = revspec_resolve(&rs, ctx->g, &vs->rows, spec, err)) != 0)
		return rc;
	if (up) {
		for (i = 0; i < rs.revs.n; i++) {
			const struct idxlist *kids =
			    &ctx->g->nodes[rs.revs.v[i]].children;

			below = 0;
			for (k = 0; k < kids->n; k++)
				below |= vs->applied[kids->v[k]];
			if (vs->applied[rs.revs.v[i]] && below) {
				rc = mg_error_set(err, MG_ENOTFOUND,
				    "destination '%s' is not a valid upgrade "
				    "target from the current head(s): it is "
				    "already applied",
				    ctx->g->nodes[rs.revs.v[i]].rev->id);
				strbuf_addstr(&err->hint, "Use 'migrate "
				    "downgrade' to go back to it.");
				goto done;
			}
		}
		plan_upgrade(p, ctx->g, vs->applied, rs.revs.v, rs.revs.n);
	} else
		rc = plan_downgrade(p, ctx->g, vs->applied, rs.revs.v,
		    rs.base ? 0 : rs.revs.n, rs.branch, err);
done:
	revspec_free(&rs);
	return rc;
}

int
cmd_migrate(struct cmd_ctx *ctx, const char *spec, int up,
    struct mg_error *err)
{
	struct version_state	vs;
	struct plan		p = { NULL, 0 };
	int			rc, have_vs = 0;

	if ((ctx->ex == NULL && (rc = exec_open(&ctx->ex, ctx->cfg, &ctx->out,
	    err)) != 0) || (rc = cmd_load_state(ctx, &vs, err)) != 0)
		return rc;
	have_vs = 1;
	if ((rc = make_plan(ctx, &vs, spec, up, &p, err)) != 0)
		goto done;
	if (p.n == 0) {
		out_info(&ctx->out, "Nothing to do: the database is already "
		    "at '%s'.\n", spec);
		goto done;
	}
	/* Every file of the plan must parse before anything is written. */
	if ((rc = exec_prepare(ctx->ex, ctx->g, &p, err)) != 0 ||
	    (rc = cmd_confirm(ctx, up ? "Upgrade" : "Downgrade", err)) != 0 ||
	    (rc = exec_lock(ctx->ex, err)) != 0)
		goto done;
	/* Another host may have migrated while we waited for the lock. */
	version_free(&vs);
	have_vs = 0;
	plan_free(&p);
	if ((rc = cmd_load_state(ctx, &vs, err)) != 0)
		goto done;
	have_vs = 1;
	if ((rc = make_plan(ctx, &vs, spec, up, &p, err)) != 0 ||
	    (rc = exec_prepare(ctx->ex, ctx->g, &p, err)) != 0)
		goto done;
	if (p.n == 0)
		out_info(&ctx->out, "Nothing to do: another process already "
		    "migrated the database to '%s'.\n", spec);
	else if (!ctx->cfg->backup || (rc = exec_backup(ctx->ex, err)) == 0)
		rc = exec_run(ctx->ex, ctx->g, &vs, &p, err);
done:
	exec_unlock(ctx->ex);
	plan_free(&p);
	if (have_vs)
		version_free(&vs);
	return rc;
}

int
cmd_load_graph(struct cmd_ctx *ctx, struct mg_error *err)
{
	int	rc;

	if ((rc = revision_scan(&ctx->set, ctx->cfg->script_location,
	    err)) != 0)
		return rc;
	return graph_build(&ctx->g, &ctx->set, err);
}

int
cmd_offline(struct cmd_ctx *ctx, const char *range, int up,
    struct mg_error *err)
{
	const char		*colon = strchr(range, ':');
	char			*from, *to;
	struct version_state	 vs;
	struct revspec		 rs;
	struct idxlist		 none = { NULL, 0 }, heads = { NULL, 0 };
	struct strlist		 rows = { NULL, 0 };
	struct plan		 p = { NULL, 0 };
	unsigned char		*applied;
	size_t			 i;
	int			 rc, have_vs = 0;

	if (colon == NULL && !up)
		return mg_error_set(err, MG_EUSAGE, "downgrade --sql needs "
		    "FROM:TO: there is no database to read FROM from");
	from = colon ? xstrndup(range, (size_t)(colon - range)) :
	    xstrdup("base");
	to = xstrdup(colon ? colon + 1 : range);
	if (*to == '\0') {
		rc = mg_error_set(err, MG_EUSAGE, "--sql range '%s' has no "
		    "end", range);
		goto done;
	}
	/* The database as it would be at FROM: the heads of its ancestry. */
	if ((rc = revspec_resolve(&rs, ctx->g, &none, *from ? from : "base",
	    err)) != 0)
		goto done;
	applied = xcalloc(ctx->g->n + 1, 1);
	if (!rs.base)
		graph_mark_ancestors(ctx->g, rs.revs.v, rs.revs.n, applied);
	revspec_free(&rs);
	version_heads_of(ctx->g, applied, &heads);
	free(applied);
	for (i = 0; i < heads.n; i++)
		strlist_add(&rows, ctx->g->nodes[heads.v[i]].rev->id);
	if ((rc = version_init(&vs, ctx->g, &rows, err)) != 0)
		goto done;
	have_vs = 1;
	if ((rc = exec_open_offline(&ctx->ex, ctx->cfg, &ctx->out,
	    rows.n == 0, err)) != 0)
		goto done;
	/* SQLite's in-memory replay must reach FROM first (rebuilds). */
	if (heads.n > 0) {
		unsigned char *none_applied = xcalloc(ctx->g->n + 1, 1);

		plan_upgrade(&p, ctx->g, none_applied, heads.v, heads.n);
		free(none_applied);
		rc = exec_offline_replay(ctx->ex, ctx->g, &p, err);
		plan_free(&p);
		if (rc != 0)
			goto done;
	}
	if (
	    (rc = make_plan(ctx, &vs, to, up, &p, err)) != 0 ||
	    (rc = exec_prepare(ctx->ex, ctx->g, &p, err)) != 0)
		goto done;
	if (p.n == 0) {
		out_info(&ctx->out, "Nothing to do from '%s' to '%s'.\n",
		    *from ? from : "base", to);
		goto done;
	}
	if ((rc = exec_lock(ctx->ex, err)) != 0 ||
	    (rc = exec_run(ctx->ex, ctx->g, &vs, &p, err)) != 0)
		goto done;
	/* Only a complete script reaches stdout. */
	out_print(&ctx->out, "-- migrate %s --sql %s:%s\n\n%s",
	    up ? "upgrade" : "downgrade", *from ? from : "base", to,
	    exec_offline_sql(ctx->ex));
done:
	if (have_vs)
		version_free(&vs);
	plan_free(&p);
	idxlist_clear(&heads);
	strlist_clear(&rows);
	free(from);
	free(to);
	return rc;
}

void
cmd_decorate(struct strbuf *sb, const struct graph *g, size_t rev,
    const unsigned char *is_row)
{
	const struct graph_node	*node = &g->nodes[rev];
	size_t			 k;

	for (k = 0; k < node->rev->labels.n; k++)
		strbuf_addf(sb, " (%s)", node->rev->labels.v[k]);
	if (node->children.n == 0)
		strbuf_addstr(sb, " (head)");
	if (node->children.n > 1)
		strbuf_addstr(sb, " (branchpoint)");
	if (node->parents.n > 1)
		strbuf_addstr(sb, " (mergepoint)");
	if (is_row && is_row[rev])
		strbuf_addstr(sb, " (current)");
}

static void
list_ids(struct strbuf *sb, const char *label, const struct graph *g,
    const struct idxlist *l)
{
	size_t	k;

	strbuf_addf(sb, "%-15s", label);
	if (l->n == 0)
		strbuf_addstr(sb, "<base>");
	for (k = 0; k < l->n; k++)
		strbuf_addf(sb, "%s%s", k ? ", " : "",
		    g->nodes[l->v[k]].rev->id);
	strbuf_addch(sb, '\n');
}

void
cmd_describe(struct strbuf *sb, const struct graph *g, size_t idx,
    const unsigned char *is_row)
{
	const struct graph_node	*node = &g->nodes[idx];
	size_t			 k;

	strbuf_addf(sb, "%-15s%s", "Rev:", node->rev->id);
	cmd_decorate(sb, g, idx, is_row);
	strbuf_addch(sb, '\n');
	list_ids(sb, node->parents.n > 1 ? "Merges:" : "Parent:", g,
	    &node->parents);
	if (node->children.n > 1)
		list_ids(sb, "Branches into:", g, &node->children);
	else if (node->children.n)
		list_ids(sb, "Children:", g, &node->children);
	if (node->deps.n)
		list_ids(sb, "Depends on:", g, &node->deps);
	if (node->rev->labels.n) {
		strbuf_addf(sb, "%-15s", "Branch names:");
		for (k = 0; k < node->rev->labels.n; k++)
			strbuf_addf(sb, "%s%s", k ? ", " : "",
			    node->rev->labels.v[k]);
		strbuf_addch(sb, '\n');
	}
	strbuf_addf(sb, "%-15s%s\n", "Path:", node->rev->path);
	strbuf_addf(sb, "%-15s%s\n", "Created:", node->rev->create_date ?
	    node->rev->create_date : "");
	strbuf_addf(sb, "\n    %s\n", node->rev->message ?
	    node->rev->message : "");
}
