/*
 * migrate: the command table, global options, setup by CMD_* flags, and the
 * only place that prints an mg_error and turns it into an exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "exec.h"
#include "graph.h"
#include "strbuf.h"
#include "url.h"

#define MIGRATE_VERSION "0.1.0"

/* Alphabetical, so that lookup can become a bsearch (STYLE.md 4). */
static const struct cmd_entry commands[] = {
	{ "branches", cmd_branches, "branches",
	    "show the branch points and the branches they start",
	    CMD_CONFIG | CMD_GRAPH },
	{ "check", cmd_check, "check [--files-only] [--json]",
	    "fail (exit 1) on several heads, a broken graph, an edited or "
	    "half-applied revision", CMD_CONFIG | CMD_JSON },
	{ "compile", cmd_compile, "compile [--out DIR]",
	    "compile the C revisions into script_location/.migrate-plugins",
	    CMD_CONFIG | CMD_GRAPH },
	{ "current", cmd_current, "current [--json]",
	    "show the revisions the database is at",
	    CMD_CONFIG | CMD_GRAPH | CMD_DB | CMD_JSON },
	{ "downgrade", cmd_downgrade, "downgrade [--sql] TARGET | --sql FROM:TO",
	    "revert revisions down to TARGET (-N, base, an id)",
	    CMD_CONFIG | CMD_GRAPH },
	{ "heads", cmd_heads, "heads [--resolve-dependencies] [--json]",
	    "show the head revisions of the revision files",
	    CMD_CONFIG | CMD_GRAPH | CMD_JSON },
	{ "history", cmd_history, "history [-r RANGE] [-i] [-v] [--json]",
	    "list revisions, newest first",
	    CMD_CONFIG | CMD_GRAPH | CMD_JSON },
	{ "init", cmd_init, "init [--dir DIR] [--url URL]",
	    "create migrate.ini and the revision directory", 0 },
	{ "lint", cmd_lint, "lint [--json] [REV...]",
	    "report PostgreSQL locking hazards in the SQL revisions",
	    CMD_CONFIG | CMD_GRAPH | CMD_JSON },
	{ "merge", cmd_merge, "merge [-m MESSAGE] [--rev-id ID] "
	    "[--branch-label L] REV... | heads",
	    "create a revision that joins several heads",
	    CMD_CONFIG | CMD_GRAPH },
	{ "resolve", cmd_resolve, "resolve REV --applied|--rolled-back",
	    "settle a partially applied revision by hand",
	    CMD_CONFIG | CMD_GRAPH | CMD_DB },
	{ "revision", cmd_revision, "revision -m MESSAGE [--c] [--rev-id ID] "
	    "[--head REV [--splice]] [--branch-label L] [--depends-on REV]",
	    "create a new revision file", CMD_CONFIG | CMD_GRAPH },
	{ "show", cmd_show, "show REV",
	    "show one revision", CMD_CONFIG | CMD_GRAPH },
	{ "snapshot", cmd_snapshot, "snapshot [--json]",
	    "print the database's schema, normalized, one fact a line",
	    CMD_CONFIG | CMD_DB | CMD_JSON },
	{ "stamp", cmd_stamp, "stamp [--purge] [--sql] REV...",
	    "set the version table without running revisions",
	    CMD_CONFIG | CMD_GRAPH },
	{ "status", cmd_status, "status [--exit-code] [--json]",
	    "list applied and pending revisions",
	    CMD_CONFIG | CMD_GRAPH | CMD_DB | CMD_JSON },
	{ "test", cmd_test, "test [--from REV] [--to REV] [--url URL] "
	    "[--strict] [--json]",
	    "upgrade, downgrade and upgrade again each revision, comparing "
	    "schemas", CMD_CONFIG | CMD_GRAPH | CMD_JSON },
	{ "upgrade", cmd_upgrade, "upgrade [--sql] [[FROM:]TARGET]",
	    "apply revisions up to TARGET (default head)",
	    CMD_CONFIG | CMD_GRAPH },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cmd_entry *
cmd_lookup(const char *name)
{
	size_t	i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
cmd_print_usage(const struct cmd_entry *c, FILE *fp)
{
	fprintf(fp, "usage: migrate [global options] %s\n\n%s\n", c->usage,
	    c->summary);
}

static void
usage(FILE *fp)
{
	size_t	i;

	fputs("usage: migrate [-c FILE] [-e ENV] [--url URL] [-q] [-v] "
	    "[--json] [--yes] COMMAND [ARGS]\n\ncommands:\n", fp);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fputs("\nglobal options:\n"
	    "  -c, --config FILE  configuration file (default migrate.ini, "
	    "or $MIGRATE_CONFIG)\n"
	    "  -e, --env NAME     use the [env:NAME] section\n"
	    "      --url URL      database URL (overrides everything)\n"
	    "  -q, --quiet        no progress output\n"
	    "  -v, --verbose      show statements as they run\n"
	    "      --json         machine-readable output (current, heads, "
	    "history, snapshot, status, check, lint, test)\n"
	    "      --yes          don't ask before touching a protected "
	    "environment\n"
	    "      --version      print the version\n\n"
	    "Run 'migrate COMMAND --help' for a command's options.\n"
	    "Exit status: 0 ok, 1 database or migration failure, 2 bad "
	    "usage, configuration or revision files, 3 refused (lock "
	    "timeout, protected environment).\n", fp);
}

static int
wants_help(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static int
setup(struct cmd_ctx *ctx, const struct cmd_entry *c, struct strbuf *secret,
    struct mg_error *err)
{
	int	rc;

	if (!(c->flags & CMD_CONFIG))
		return 0;
	if ((rc = config_load(&ctx->cfg, &ctx->opts, err)) != 0)
		return rc;
	if (ctx->cfg->url)
		url_password(secret, ctx->cfg->url);
	ctx->out.secret = secret->buf;
	if ((c->flags & CMD_GRAPH) && (rc = cmd_load_graph(ctx, err)) != 0)
		return rc;
	if ((c->flags & CMD_DB) &&
	    (rc = exec_open(&ctx->ex, ctx->cfg, &ctx->out, err)) != 0)
		return rc;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "env", required_argument, NULL, 'e' },
		{ "url", required_argument, NULL, 'u' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "yes", no_argument, NULL, 'y' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx		 ctx;
	struct mg_error		 err = MG_ERROR_INIT;
	struct strbuf		 secret = STRBUF_INIT;
	const struct cmd_entry	*c;
	int			 ch, rc = 0, quiet = 0, verbose = 0, json = 0;

	memset(&ctx, 0, sizeof(ctx));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:e:qvh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': ctx.opts.path = optarg; break;
		case 'e': ctx.opts.env = optarg; break;
		case 'u': ctx.opts.url = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'j': json = 1; break;
		case 'y': ctx.yes = 1; break;
		case 'V':
			printf("migrate %s\n", MIGRATE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "migrate: error: unknown option "
			    "'%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return 2;
	}
	if ((c = cmd_lookup(argv[0])) == NULL) {
		fprintf(stderr, "migrate: error: unknown command '%s'\n",
		    argv[0]);
		usage(stderr);
		return 2;
	}
	if (wants_help(argc, argv)) {
		cmd_print_usage(c, stdout);
		return 0;
	}
	if (json && !(c->flags & CMD_JSON)) {
		fprintf(stderr, "migrate: error: '%s' has no --json output\n",
		    c->name);
		return 2;
	}
	output_init(&ctx.out, quiet, verbose, json);
	if ((rc = setup(&ctx, c, &secret, &err)) == 0) {
		optind = 0;	/* let the command's getopt start afresh */
		rc = c->fn(&ctx, argc, argv, &err);
	}
	if (rc != 0 && err.msg.len > 0)
		mg_error_print(&err, stderr, secret.len ? secret.buf : NULL);
	rc = mg_exit_status(rc);
	exec_close(ctx.ex);
	graph_free(ctx.g);
	revision_set_free(&ctx.set);
	config_free(ctx.cfg);
	mg_error_clear(&err);
	strbuf_release(&secret);
	return rc;
}
