/*
 * plan_bench: the pure part of `migrate upgrade heads`, timed alone.
 *
 *   plan_bench DIR [RUNS]
 *
 * Scans DIR/versions once (as the CLI does, header cache and all), then
 * RUNS times: builds the graph, resolves "heads" and plans the upgrade
 * from an empty database, and again from a database at the middle of the
 * graph (rows = the heads of the first half in graph order, as
 * version_init would get them). Prints the median of each in ms, one
 * "name value" a line, for tests/bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "graph.h"
#include "plan.h"
#include "revision.h"
#include "revspec.h"
#include "version.h"
#include "xmalloc.h"

static long long
clock_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
die(struct mg_error *err)
{
	fprintf(stderr, "plan_bench: %s\n", err->msg.buf);
	exit(2);
}

/* Resolve "heads" against rows and plan the upgrade; returns the steps. */
static size_t
plan_heads(const struct graph *g, const struct strlist *rows)
{
	struct version_state	vs;
	struct revspec		rs;
	struct plan		p;
	struct mg_error		err = MG_ERROR_INIT;
	size_t			n;

	if (version_init(&vs, g, rows, &err) != 0 ||
	    revspec_resolve(&rs, g, &vs.rows, "heads", &err) != 0)
		die(&err);
	plan_upgrade(&p, g, vs.applied, rs.revs.v, rs.revs.n);
	n = p.n;
	plan_free(&p);
	revspec_free(&rs);
	version_free(&vs);
	return n;
}

int
main(int argc, char **argv)
{
	struct revision_set	 set;
	struct mg_error		 err = MG_ERROR_INIT;
	struct strlist		 none = { NULL, 0 }, half = { NULL, 0 };
	struct idxlist		 order, rows = { NULL, 0 };
	struct graph		*g;
	unsigned char		*in;
	char			 path[4096];
	double			*tb, *tf, *th;
	size_t			 i, nfull = 0, nhalf = 0;
	int			 runs = argc > 2 ? atoi(argv[2]) : 20, r;
	long long		 t0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: plan_bench DIR [RUNS]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/versions", argv[1]);
	if (revision_scan(&set, path, &err) != 0)
		die(&err);
	tb = xcalloc((size_t)runs, sizeof(*tb));
	tf = xcalloc((size_t)runs, sizeof(*tf));
	th = xcalloc((size_t)runs, sizeof(*th));
	for (r = 0; r < runs; r++) {
		t0 = clock_us();
		if (graph_build(&g, &set, &err) != 0)
			die(&err);
		tb[r] = (double)(clock_us() - t0) / 1000;
		if (r == 0) {
			/* The database "half way": the first half applied. */
			in = xcalloc(g->n + 1, 1);
			memset(in, 1, g->n);
			graph_order(g, in, &order);
			memset(in, 0, g->n);
			for (i = 0; i < order.n / 2; i++)
				in[order.v[i]] = 1;
			version_heads_of(g, in, &rows);
			for (i = 0; i < rows.n; i++)
				strlist_add(&half, g->nodes[rows.v[i]].rev->id);
			idxlist_clear(&order);
			idxlist_clear(&rows);
			free(in);
		}
		t0 = clock_us();
		nfull = plan_heads(g, &none);
		tf[r] = (double)(clock_us() - t0) / 1000;
		t0 = clock_us();
		nhalf = plan_heads(g, &half);
		th[r] = (double)(clock_us() - t0) / 1000;
		graph_free(g);
	}
	printf("revisions %zu\n", set.n);
	printf("half_rows %zu\n", half.n);
	printf("graph_build_ms %.3f\n", median(tb, runs));
	printf("plan_from_base_ms %.3f\nplan_from_base_steps %zu\n",
	    median(tf, runs), nfull);
	printf("plan_from_half_ms %.3f\nplan_from_half_steps %zu\n",
	    median(th, runs), nhalf);
	strlist_clear(&half);
	revision_set_free(&set);
	free(tb);
	free(tf);
	free(th);
	return 0;
}
