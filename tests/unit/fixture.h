/*
 * Shared fixtures for the unit tests of the pure graph modules (revision,
 * graph, plan, revspec, version): revision graphs built in memory from a
 * compact spec, and helpers that turn index lists into id strings so that
 * tests compare with cr_assert_str_eq.
 *
 * Spec grammar: items separated by ';', each
 *
 *	ID[:PARENT[,PARENT...]] [dep=ID[,ID...]] [label=NAME[,NAME...]]
 *
 * for example "a; b:a; c:a; m:b,c; d:m dep=x". The k-th item (1-based)
 * gets path "versions/<ID>_<k>.sql" and filename "<ID>_<k>.sql", so two
 * items with the same id still have different files (error messages must
 * name both).
 *
 * Everything a fixture allocates is registered: fx_free() releases one
 * fixture, fx_cleanup() (install it as the suite's .fini) releases whatever
 * a test left behind, including after a failed assertion, so the tests stay
 * clean under LeakSanitizer.
 */
#ifndef MG_TEST_FIXTURE_H
#define MG_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

/* Criterion's assertion macros declare variables after statements. */
#pragma GCC diagnostic ignored "-Wdeclaration-after-statement"

#include "error.h"
#include "graph.h"
#include "plan.h"
#include "revision.h"
#include "strbuf.h"
#include "xmalloc.h"

struct fx {
	struct revision_set	 set;
	struct graph		*g;
	struct mg_error		 err;
	int			 rc;	/* graph_build's result */
	size_t			 nitems;
};

static struct fx	**fx_live;
static size_t		  fx_nlive;
static void		**fx_mem;
static size_t		  fx_nmem;

/* Keep p until fx_cleanup() (or fx_release(p)); returns p. */
static inline void *
fx_keep(void *p)
{
	fx_mem = xreallocarray(fx_mem, fx_nmem + 1, sizeof(*fx_mem));
	fx_mem[fx_nmem++] = p;
	return p;
}

/* Free a pointer obtained from fx_keep() (or a helper that keeps). */
static inline void
fx_release(void *p)
{
	size_t	i;

	for (i = 0; i < fx_nmem; i++)
		if (fx_mem[i] == p) {
			fx_mem[i] = fx_mem[--fx_nmem];
			break;
		}
	free(p);
}

static inline struct fx *
fx_new(void)
{
	struct fx		*f = xcalloc(1, sizeof(*f));
	const struct mg_error	 init = MG_ERROR_INIT;

	f->err = init;
	fx_live = xreallocarray(fx_live, fx_nlive + 1, sizeof(*fx_live));
	fx_live[fx_nlive++] = f;
	return f;
}

static inline void
fx_destroy(struct fx *f)
{
	graph_free(f->g);
	f->g = NULL;
	revision_set_free(&f->set);
	mg_error_clear(&f->err);
	free(f);
}

static inline void
fx_free(struct fx *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < fx_nlive; i++)
		if (fx_live[i] == f) {
			fx_live[i] = fx_live[--fx_nlive];
			break;
		}
	fx_destroy(f);
}

/* The suite's .fini: free every fixture and kept pointer still alive. */
static inline void
fx_cleanup(void)
{
	size_t	i;

	for (i = 0; i < fx_nlive; i++)
		fx_destroy(fx_live[i]);
	free(fx_live);
	fx_live = NULL;
	fx_nlive = 0;
	for (i = 0; i < fx_nmem; i++)
		free(fx_mem[i]);
	free(fx_mem);
	fx_mem = NULL;
	fx_nmem = 0;
}

/*
 * Add one revision. down, deps and labels are comma/space separated lists
 * (NULL or "" for none). Returns the revision (owned by f->set).
 */
static inline struct revision *
fx_add(struct fx *f, const char *id, const char *down, const char *deps,
    const char *labels)
{
	struct revision	*rev = xcalloc(1, sizeof(*rev));

	f->nitems++;
	rev->id = xstrdup(id);
	rev->filename = xasprintf("%s_%zu.sql", id, f->nitems);
	rev->path = xasprintf("versions/%s", rev->filename);
	rev->id_line = 1;
	if (down != NULL)
		strlist_split(&rev->down, down);
	if (deps != NULL)
		strlist_split(&rev->depends, deps);
	if (labels != NULL)
		strlist_split(&rev->labels, labels);
	f->set.v = xreallocarray(f->set.v, f->set.n + 1, sizeof(*f->set.v));
	f->set.v[f->set.n++] = rev;
	return rev;
}

/* Parse a spec (see the top of this file) into f->set; no graph yet. */
static inline struct fx *
fx_parse(const char *spec)
{
	struct fx	*f = fx_new();
	char		*copy = xstrdup(spec), *item, *save_item, *tok, *save_tok;
	char		*colon;
	const char	*down, *deps, *labels;

	for (item = strtok_r(copy, ";", &save_item); item != NULL;
	    item = strtok_r(NULL, ";", &save_item)) {
		tok = strtok_r(item, " \t\n", &save_tok);
		if (tok == NULL)
			continue;
		down = deps = labels = NULL;
		if ((colon = strchr(tok, ':')) != NULL) {
			*colon = '\0';
			down = colon + 1;
		}
		{
			const char	*id = tok;

			while ((tok = strtok_r(NULL, " \t\n",
			    &save_tok)) != NULL) {
				if (strncmp(tok, "dep=", 4) == 0)
					deps = tok + 4;
				else if (strncmp(tok, "label=", 6) == 0)
					labels = tok + 6;
				else
					cr_assert_fail("fixture: bad token "
					    "'%s' in spec '%s'", tok, spec);
			}
			fx_add(f, id, down, deps, labels);
		}
	}
	free(copy);
	return f;
}

/* graph_build on f->set; returns its result (also in f->rc). */
static inline int
fx_link(struct fx *f)
{
	f->rc = graph_build(&f->g, &f->set, &f->err);
	return f->rc;
}

/* Parse and build, without asserting success (for graph errors). */
static inline struct fx *
fx_try(const char *spec)
{
	struct fx	*f = fx_parse(spec);

	fx_link(f);
	return f;
}

/* Parse and build; the graph must be valid. */
static inline struct fx *
fx_build(const char *spec)
{
	struct fx	*f = fx_try(spec);

	cr_assert_eq(f->rc, 0, "fixture '%s' does not build: %s", spec,
	    f->err.msg.buf);
	cr_assert_not_null(f->g);
	return f;
}

/* The index of id, which must exist. */
static inline size_t
fx_idx(const struct fx *f, const char *id)
{
	size_t	i = graph_find(f->g, id);

	cr_assert_neq(i, GRAPH_NONE, "no revision '%s' in the fixture", id);
	return i;
}

static inline const char *
fx_id(const struct fx *f, size_t i)
{
	cr_assert_lt(i, f->g->n, "index %zu out of range", i);
	return f->g->nodes[i].rev->id;
}

/* A flag array (g->n entries, kept) with the ids in list set. */
static inline unsigned char *
fx_mark(const struct fx *f, const char *list)
{
	unsigned char	*m = fx_keep(xcalloc(f->g->n ? f->g->n : 1, 1));
	struct strlist	 l = { NULL, 0 };
	size_t		 i;

	strlist_split(&l, list);
	for (i = 0; i < l.n; i++)
		m[fx_idx(f, l.v[i])] = 1;
	strlist_clear(&l);
	return m;
}

/* An index array (kept) for the ids in list; *n gets their count. */
static inline size_t *
fx_indices(const struct fx *f, const char *list, size_t *n)
{
	struct strlist	 l = { NULL, 0 };
	size_t		*v, i;

	strlist_split(&l, list);
	v = fx_keep(xcalloc(l.n ? l.n : 1, sizeof(*v)));
	for (i = 0; i < l.n; i++)
		v[i] = fx_idx(f, l.v[i]);
	*n = l.n;
	strlist_clear(&l);
	return v;
}

/* "a b c": the ids of v[0..n-1] in that order (kept). */
static inline const char *
fx_names(const struct fx *f, const size_t *v, size_t n)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	for (i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", fx_id(f, v[i]));
	return fx_keep(strbuf_detach(&sb, NULL));
}

static inline const char *
fx_list_names(const struct fx *f, const struct idxlist *l)
{
	return fx_names(f, l->v, l->n);
}

/* The ids of v[0..n-1] sorted by id (byte order): for sets (kept). */
static inline const char *
fx_sorted_names(const struct fx *f, const size_t *v, size_t n)
{
	size_t	*s = xcalloc(n ? n : 1, sizeof(*s)), i, j, t;
	const char *out;

	memcpy(s, v, n * sizeof(*s));
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(fx_id(f, s[j - 1]),
		    fx_id(f, s[j])) > 0; j--) {
			t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	out = fx_names(f, s, n);
	free(s);
	return out;
}

/* The ids with mark[i] set, sorted by id (kept). */
static inline const char *
fx_marked_names(const struct fx *f, const unsigned char *mark)
{
	size_t	*v = xcalloc(f->g->n ? f->g->n : 1, sizeof(*v)), n = 0, i;
	const char *out;

	for (i = 0; i < f->g->n; i++)
		if (mark[i])
			v[n++] = i;
	out = fx_sorted_names(f, v, n);
	free(v);
	return out;
}

/* "a b c" for the steps of a plan, in order (kept). */
static inline const char *
fx_plan_names(const struct fx *f, const struct plan *p)
{
	size_t	*v = xcalloc(p->n ? p->n : 1, sizeof(*v)), i;
	const char *out;

	for (i = 0; i < p->n; i++)
		v[i] = p->v[i].rev;
	out = fx_names(f, v, p->n);
	free(v);
	return out;
}

/* Everything an error says (file, message, detail, hint), kept. */
static inline const char *
fx_errtext(const struct mg_error *err)
{
	return fx_keep(xasprintf("%s:%d: %s\n%s\n%s",
	    err->file ? err->file : "", err->line, err->msg.buf,
	    err->detail.buf, err->hint.buf));
}

#define fx_assert_contains(haystack, needle) \
	cr_assert_not_null(strstr((haystack), (needle)), \
	    "'%s' not found in:\n%s", (needle), (haystack))

#endif
