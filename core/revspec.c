#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "graph.h"
#include "revision.h"
#include "revspec.h"
#include "strbuf.h"
#include "xmalloc.h"

#define MIN_PREFIX 4

int
revspec_find(size_t *out, const struct graph *g, const char *id,
    struct mg_error *err)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i, len = strlen(id), hit = GRAPH_NONE, nhits = 0;

	if ((*out = graph_find(g, id)) != GRAPH_NONE)
		return 0;
	if (len >= MIN_PREFIX) {
		for (i = 0; i < g->n; i++) {
			if (strncmp(g->nodes[i].rev->id, id, len) != 0)
				continue;
			strbuf_addf(&sb, "%s%s", nhits ? ", " : "",
			    g->nodes[i].rev->id);
			hit = i;
			nhits++;
		}
	}
	if (nhits == 1) {
		*out = hit;
		strbuf_release(&sb);
		return 0;
	}
	if (nhits > 1) {
		mg_error_set(err, MG_EAMBIGUOUS, "ambiguous revision prefix "
		    "'%s' matches %zu revisions: %s", id, nhits, sb.buf);
		strbuf_release(&sb);
		return MG_EAMBIGUOUS;
	}
	strbuf_release(&sb);
	mg_error_set(err, MG_ENOTFOUND, "can't locate revision identified "
	    "by '%s'", id);
	if (len < MIN_PREFIX && len > 0)
		strbuf_addf(&err->hint, "A partial id needs at least %d "
		    "characters.", MIN_PREFIX);
	return MG_ENOTFOUND;
}

static int
parse_count(const char *s, long *n)
{
	char	*end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*n = strtol(s, &end, 10);
	if (errno || *end != '\0' || *n < 0 || *n > 1000000)
		return -1;
	return 0;
}

static int
multiple_heads(struct mg_error *err, const struct graph *g,
    const char *arg)
{
	size_t	i;

	mg_error_set(err, MG_EMULTIHEADS, "multiple head revisions are "
	    "present for given argument '%s'; please specify a specific "
	    "target revision, '<branchname>@head' to narrow to a specific "
	    "head, or 'heads' for all heads", arg);
	strbuf_addstr(&err->detail, "heads:");
	for (i = 0; i < g->heads.n; i++)
		strbuf_addf(&err->detail, " %s",
		    g->nodes[g->heads.v[i]].rev->id);
	return MG_EMULTIHEADS;
}

/*
 * Walk n steps from start (GRAPH_NONE = base) along single children (up)
 * or single parents (down). Stepping down off a root lands on base.
 */
static int
walk(struct revspec *out, const struct graph *g, size_t start, long n,
    int up, const char *spec, struct mg_error *err)
{
	size_t	cur = start;
	long	i;

	for (i = 0; i < n; i++) {
		const struct idxlist *next;

		if (cur == GRAPH_NONE) {
			if (!up)
				goto short_walk;
			next = &g->bases;
		} else
			next = up ? &g->nodes[cur].children :
			    &g->nodes[cur].parents;
		if (next->n == 0) {
			if (!up && i == n - 1) {
				out->base = 1;
				return 0;
			}
			goto short_walk;
		}
		if (next->n > 1)
			return mg_error_set(err, MG_EAMBIGUOUS, "ambiguous "
			    "walk: relative revision '%s' crosses the %s "
			    "point at '%s'", spec, up ? "branch" : "merge",
			    cur == GRAPH_NONE ? "base" :
			    g->nodes[cur].rev->id);
		cur = next->v[0];
	}
	if (cur == GRAPH_NONE)
		out->base = 1;
	else
		idxlist_add(&out->revs, cur);
	return 0;
short_walk:
	return mg_error_set(err, MG_ENOTFOUND, "relative revision %s didn't "
	    "produce %ld migrations", spec, n);
}

static int
single_current(size_t *out, const struct idxlist *current, const char *spec,
    struct mg_error *err)
{
	if (current->n > 1) {
		mg_error_set(err, MG_EMULTIHEADS, "relative revision '%s' is "
		    "ambiguous: the database has %zu heads", spec,
		    current->n);
		return MG_EMULTIHEADS;
	}
	*out = current->n ? current->v[0] : GRAPH_NONE;
	return 0;
}

/*
 * Mark the revisions of the branch that starts at at: its descendants
 * through down_revision only. A revision that merely depends_on one of
 * them is on another branch (Alembic's _add_branches walks with
 * include_dependencies=False).
 */
static void
mark_branch(const struct graph *g, size_t at, unsigned char *mark)
{
	size_t			*stack, n = 0, k, cur;
	const struct idxlist	*kids;

	stack = xmalloc((g->n + 1) * sizeof(*stack));
	mark[at] = 1;
	stack[n++] = at;
	while (n > 0) {
		cur = stack[--n];
		kids = &g->nodes[cur].children;
		for (k = 0; k < kids->n; k++)
			if (!mark[kids->v[k]]) {
				mark[kids->v[k]] = 1;
				stack[n++] = kids->v[k];
			}
	}
	free(stack);
}

static int
resolve_label(struct revspec *out, const struct graph *g, const char *label,
    const char *what, const char *spec, struct mg_error *err)
{
	unsigned char	*below;
	size_t		 at = graph_find_label(g, label), i;
	int		 rc = 0;

	if (at == GRAPH_NONE)
		return mg_error_set(err, MG_ENOTFOUND, "no such branch: '%s'",
		    label);
	if (strcmp(what, "head") != 0 && strcmp(what, "heads") != 0)
		return mg_error_set(err, MG_ENOTFOUND, "can't locate revision "
		    "identified by '%s'", spec);
	below = xcalloc(g->n, 1);
	mark_branch(g, at, below);
	for (i = 0; i < g->heads.n; i++)
		if (below[g->heads.v[i]])
			idxlist_add(&out->revs, g->heads.v[i]);
	if (strcmp(what, "head") == 0 && out->revs.n > 1)
		rc = multiple_heads(err, g, spec);
	free(below);
	return rc;
}

int
revspec_resolve(struct revspec *out, const struct graph *g,
    const struct idxlist *current, const char *spec, struct mg_error *err)
{
	const char	*at, *sign;
	char		*id;
	size_t		 start, i;
	long		 n;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (strcmp(spec, "base") == 0) {
		out->base = 1;
		return 0;
	}
	if (strcmp(spec, "heads") == 0 || strcmp(spec, "head") == 0) {
		if (g->heads.n > 1 && strcmp(spec, "head") == 0)
			return multiple_heads(err, g, spec);
		for (i = 0; i < g->heads.n; i++)
			idxlist_add(&out->revs, g->heads.v[i]);
		if (g->heads.n == 0)
			out->base = 1;
		return 0;
	}
	if (strcmp(spec, "current") == 0) {
		for (i = 0; i < current->n; i++)
			idxlist_add(&out->revs, current->v[i]);
		out->base = current->n == 0;
		return 0;
	}
	if ((at = strchr(spec, '@')) != NULL) {
		char *label = xstrndup(spec, (size_t)(at - spec));

		rc = resolve_label(out, g, label, at + 1, spec, err);
		free(label);
		return rc;
	}
	if ((spec[0] == '+' || spec[0] == '-') && spec[1] != '\0') {
		if (parse_count(spec + 1, &n) != 0)
			return mg_error_set(err, MG_EUSAGE, "invalid relative "
			    "revision '%s'", spec);
		if ((rc = single_current(&start, current, spec, err)) != 0)
			return rc;
		return walk(out, g, start, n, spec[0] == '+', spec, err);
	}
	sign = strpbrk(spec, "+-");
	if (sign != NULL && sign != spec && parse_count(sign + 1, &n) == 0) {
		id = xstrndup(spec, (size_t)(sign - spec));
		rc = revspec_find(&start, g, id, err);
		free(id);
		if (rc != 0)
			return rc;
		return walk(out, g, start, n, *sign == '+', spec, err);
	}
	if ((rc = revspec_find(&start, g, spec, err)) != 0)
		return rc;
	idxlist_add(&out->revs, start);
	return 0;
}
