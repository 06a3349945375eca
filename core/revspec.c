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
    const struct idxlist *heads, const char *arg)
{
	size_t	i;

	mg_error_set(err, MG_EMULTIHEADS, "multiple head revisions are "
	    "present for given argument '%s'; please specify a specific "
	    "target revision, '<branchname>@head' to narrow to a specific "
	    "head, or 'heads' for all heads", arg);
	strbuf_addstr(&err->detail, "heads:");
	for (i = 0; i < heads->n; i++)
		strbuf_addf(&err->detail, " %s",
		    g->nodes[heads->v[i]].rev->id);
	return MG_EMULTIHEADS;
}

/*
 * Walk n steps from start (GRAPH_NONE = base) along single children (up)
 * or single parents (down). Stepping down off a root lands on base. With
 * a branch (lin: its lineage), only revisions of the lineage count, so
 * LABEL@+1 at a branch point takes the label's side.
 */
static int
walk(struct revspec *out, const struct graph *g, size_t start, long n,
    int up, const unsigned char *lin, const char *spec, struct mg_error *err)
{
	size_t	cur = start, next, cand, k;
	long	i;

	for (i = 0; i < n; i++) {
		const struct idxlist *l;

		if (cur == GRAPH_NONE) {
			if (!up)
				goto short_walk;
			l = &g->bases;
		} else
			l = up ? &g->nodes[cur].children :
			    &g->nodes[cur].parents;
		for (next = GRAPH_NONE, cand = 0, k = 0; k < l->n; k++)
			if (lin == NULL || lin[l->v[k]]) {
				next = l->v[k];
				cand++;
			}
		if (cand == 0) {
			if (!up && i == n - 1 && l->n == 0) {
				out->base = 1;
				return 0;
			}
			goto short_walk;
		}
		if (cand > 1)
			return mg_error_set(err, MG_EAMBIGUOUS, "ambiguous "
			    "walk: relative revision '%s' crosses the %s "
			    "point at '%s'", spec, up ? "branch" : "merge",
			    cur == GRAPH_NONE ? "base" :
			    g->nodes[cur].rev->id);
		cur = next;
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

/*
 * The one revision to walk from: the current row, or with a branch (lin)
 * the newest applied revision of its lineage, which may sit below the
 * branch when nothing of it is applied yet (Alembic: beta@+1 from r).
 */
static int
single_current(size_t *out, const struct graph *g,
    const struct idxlist *current, const unsigned char *lin,
    const char *spec, struct mg_error *err)
{
	struct idxlist	 top = { NULL, 0 };
	unsigned char	*applied = NULL;
	size_t		 i, k;
	int		 newest;

	*out = GRAPH_NONE;
	if (lin == NULL) {
		for (i = 0; i < current->n; i++)
			idxlist_add(&top, current->v[i]);
	} else {
		applied = xcalloc(g->n ? g->n : 1, 1);
		graph_mark_ancestors(g, current->v, current->n, applied);
		for (i = 0; i < g->n; i++) {
			if (!applied[i] || !lin[i])
				continue;
			newest = 1;
			for (k = 0; k < g->nodes[i].children.n; k++) {
				size_t c = g->nodes[i].children.v[k];

				if (applied[c] && lin[c])
					newest = 0;
			}
			if (newest)
				idxlist_add(&top, i);
		}
		free(applied);
	}
	if (top.n > 1) {
		mg_error_set(err, MG_EMULTIHEADS, "relative revision '%s' is "
		    "ambiguous: the database has %zu heads%s", spec, top.n,
		    lin ? " on that branch" : "");
		strbuf_addstr(&err->detail, "current:");
		for (i = 0; i < top.n; i++)
			strbuf_addf(&err->detail, " %s",
			    g->nodes[top.v[i]].rev->id);
		strbuf_addstr(&err->hint, "Qualify it with a branch: "
		    "LABEL@+N, LABEL@-N, or REV@-N for the branch of REV.");
		idxlist_clear(&top);
		return MG_EMULTIHEADS;
	}
	if (top.n == 1)
		*out = top.v[0];
	idxlist_clear(&top);
	return 0;
}

/* Append the heads (in lin, if set); 'head' wants exactly one. */
static int
add_heads(struct revspec *out, const struct graph *g,
    const unsigned char *lin, int one, const char *spec,
    struct mg_error *err)
{
	size_t	i;

	for (i = 0; i < g->heads.n; i++)
		if (lin == NULL || lin[g->heads.v[i]])
			idxlist_add(&out->revs, g->heads.v[i]);
	if (one && out->revs.n > 1) {
		multiple_heads(err, g, &out->revs, spec);
		idxlist_clear(&out->revs);
		return MG_EMULTIHEADS;
	}
	if (out->revs.n == 0)
		out->base = 1;
	return 0;
}

/*
 * The part after '@' (or the whole spec): keywords, relative steps and
 * ids, limited to the lineage lin when a branch qualifies it.
 */
static int
resolve_in(struct revspec *out, const struct graph *g,
    const struct idxlist *current, const char *s, const char *spec,
    const unsigned char *lin, const char *branch, struct mg_error *err)
{
	const char	*sign;
	char		*id;
	size_t		 start, i;
	long		 n;
	int		 rc;

	if (strcmp(s, "base") == 0) {
		out->base = 1;
		return 0;
	}
	if (strcmp(s, "heads") == 0 || strcmp(s, "head") == 0)
		return add_heads(out, g, lin, s[4] == '\0', spec, err);
	if (strcmp(s, "current") == 0) {
		for (i = 0; i < current->n; i++)
			if (lin == NULL || lin[current->v[i]])
				idxlist_add(&out->revs, current->v[i]);
		out->base = out->revs.n == 0;
		return 0;
	}
	if ((s[0] == '+' || s[0] == '-') && s[1] != '\0') {
		if (parse_count(s + 1, &n) != 0)
			return mg_error_set(err, MG_EUSAGE, "invalid relative "
			    "revision '%s'", spec);
		if ((rc = single_current(&start, g, current, lin, spec,
		    err)) != 0)
			return rc;
		return walk(out, g, start, n, s[0] == '+', lin, spec, err);
	}
	sign = strpbrk(s, "+-");
	if (sign != NULL && sign != s && parse_count(sign + 1, &n) == 0) {
		id = xstrndup(s, (size_t)(sign - s));
		rc = 0;
		if (strcmp(id, "base") == 0)
			start = GRAPH_NONE;
		else if (strcmp(id, "head") == 0) {
			struct revspec h;

			memset(&h, 0, sizeof(h));
			if ((rc = add_heads(&h, g, lin, 1, spec, err)) == 0)
				start = h.revs.n ? h.revs.v[0] : GRAPH_NONE;
			idxlist_clear(&h.revs);
		} else
			rc = revspec_find(&start, g, id, err);
		free(id);
		if (rc != 0)
			return rc;
		return walk(out, g, start, n, *sign == '+', lin, spec, err);
	}
	if ((rc = revspec_find(&start, g, s, err)) != 0)
		return rc;
	if (lin != NULL && !lin[start])
		return mg_error_set(err, MG_ENOTFOUND, "revision '%s' is not "
		    "a member of branch '%s'", g->nodes[start].rev->id,
		    branch);
	idxlist_add(&out->revs, start);
	return 0;
}

int
revspec_resolve(struct revspec *out, const struct graph *g,
    const struct idxlist *current, const char *spec, struct mg_error *err)
{
	const char	*at;
	char		*name;
	unsigned char	*lin;
	size_t		 root;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((at = strchr(spec, '@')) == NULL)
		return resolve_in(out, g, current, spec, spec, NULL, NULL,
		    err);
	/* BRANCH@...: BRANCH is a branch label or a revision (its branch). */
	name = xstrndup(spec, (size_t)(at - spec));
	if ((root = graph_find_label(g, name)) == GRAPH_NONE &&
	    (*name == '\0' || revspec_find(&root, g, name, err) != 0)) {
		mg_error_clear(err);
		rc = mg_error_set(err, MG_ENOTFOUND, "no such branch '%s'",
		    name);
		free(name);
		return rc;
	}
	lin = xcalloc(g->n ? g->n : 1, 1);
	out->branch = xcalloc(g->n ? g->n : 1, 1);
	graph_mark_lineage(g, root, lin);
	graph_mark_branch(g, root, out->branch);
	rc = resolve_in(out, g, current, at + 1, spec, lin, name, err);
	free(lin);
	free(name);
	if (rc != 0)
		revspec_free(out);
	return rc;
}

void
revspec_free(struct revspec *rs)
{
	idxlist_clear(&rs->revs);
	free(rs->branch);
	rs->branch = NULL;
}
