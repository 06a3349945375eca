#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "revspec.h"
#include "strbuf.h"
#include "template.h"
#include "xmalloc.h"

/* Next sequence id: one past the largest all-digit id, at least 4 wide. */
static char *
next_sequence(const struct graph *g)
{
	unsigned long long	 max = 0, v;
	size_t			 i, width = 4, len;
	const char		*id;

	for (i = 0; i < g->n; i++) {
		id = g->nodes[i].rev->id;
		len = strlen(id);
		if (len == 0 || len > 18 || strspn(id, "0123456789") != len)
			continue;
		v = strtoull(id, NULL, 10);
		if (v > max)
			max = v;
		if (len > width)
			width = len;
	}
	return xasprintf("%0*llu", (int)width, max + 1);
}

static char *
new_id(const struct cmd_ctx *ctx)
{
	unsigned char	 rnd[6];
	char		 buf[32];
	time_t		 now = time(NULL);
	int		 fd, i;

	switch (ctx->cfg->revision_id) {
	case REVID_HEX:
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd == -1 || read(fd, rnd, sizeof(rnd)) != sizeof(rnd))
			BUG("cannot read /dev/urandom");
		close(fd);
		for (i = 0; i < 6; i++)
			snprintf(buf + 2 * i, 3, "%02x", rnd[i]);
		return xstrdup(buf);
	case REVID_TIMESTAMP:
		strftime(buf, sizeof(buf), "%Y%m%d%H%M%S", gmtime(&now));
		return xstrdup(buf);
	case REVID_SEQUENCE:
		break;
	}
	return next_sequence(ctx->g);
}

/*
 * --depends-on REV: any identifier naming one revision (an id, a prefix,
 * LABEL@head), written as its full id.
 */
static int
add_dependency(struct cmd_ctx *ctx, struct strbuf *deps, const char *spec,
    struct mg_error *err)
{
	struct revspec	rs;
	int		rc;

	if ((rc = revspec_resolve(&rs, ctx->g, &ctx->g->heads, spec,
	    err)) != 0)
		return rc;
	if (rs.revs.n != 1)
		rc = mg_error_set(err, MG_EUSAGE, "--depends-on '%s' is not "
		    "one revision", spec);
	else
		strbuf_addf(deps, "%s%s", deps->len ? ", " : "",
		    ctx->g->nodes[rs.revs.v[0]].rev->id);
	revspec_free(&rs);
	return rc;
}

static void
slugify(struct strbuf *sb, const char *msg)
{
	size_t	start = sb->len;

	for (; *msg && sb->len - start < 40; msg++) {
		if ((*msg >= 'a' && *msg <= 'z') || (*msg >= '0' && *msg <= '9'))
			strbuf_addch(sb, *msg);
		else if (*msg >= 'A' && *msg <= 'Z')
			strbuf_addch(sb, *msg - 'A' + 'a');
		else if (sb->len > start && sb->buf[sb->len - 1] != '_')
			strbuf_addch(sb, '_');
	}
	while (sb->len > start && sb->buf[sb->len - 1] == '_')
		strbuf_setlen(sb, sb->len - 1);
	if (sb->len == start)
		strbuf_addstr(sb, "revision");
}

/*
 * The parent: the single head, or --head (a head, or with --splice any
 * revision: a new branch from it, as Alembic's --splice).
 */
static int
pick_parent(struct cmd_ctx *ctx, const char *head, int splice,
    struct strbuf *out, struct mg_error *err)
{
	struct revspec	rs;
	int		rc;

	if (head == NULL) {
		if (ctx->g->heads.n > 1) {
			mg_error_set(err, MG_EMULTIHEADS, "multiple heads are "
			    "present; please specify the head revision on "
			    "which the new revision should be based, or "
			    "perform a merge");
			strbuf_addstr(&err->detail, "heads:");
			for (size_t i = 0; i < ctx->g->heads.n; i++)
				strbuf_addf(&err->detail, " %s", ctx->g->nodes[
				    ctx->g->heads.v[i]].rev->id);
			strbuf_addstr(&err->hint, "Pass --head REV, or join "
			    "them with 'migrate merge heads'.");
			return MG_EMULTIHEADS;
		}
		if (ctx->g->heads.n == 1)
			strbuf_addstr(out,
			    ctx->g->nodes[ctx->g->heads.v[0]].rev->id);
		return 0;
	}
	if (strcmp(head, "base") == 0)
		return 0;	/* a new root: a second base */
	if ((rc = revspec_resolve(&rs, ctx->g, &ctx->g->heads, head,
	    err)) != 0)
		return rc;
	if (rs.revs.n != 1)
		rc = mg_error_set(err, MG_EUSAGE, "--head '%s' is not one "
		    "revision", head);
	else if (ctx->g->nodes[rs.revs.v[0]].children.n != 0 && !splice) {
		rc = mg_error_set(err, MG_EUSAGE, "revision '%s' is not a "
		    "head revision; pass --splice to start a new branch from "
		    "it", ctx->g->nodes[rs.revs.v[0]].rev->id);
		strbuf_addstr(&err->hint, "A new revision continues a head; "
		    "see 'migrate heads'.");
	} else
		strbuf_addstr(out, ctx->g->nodes[rs.revs.v[0]].rev->id);
	revspec_free(&rs);
	return rc;
}

int
cmd_write_revision(struct cmd_ctx *ctx, const struct new_revision *nr,
    struct mg_error *err)
{
	struct strbuf	 path = STRBUF_INIT, tmpl = STRBUF_INIT;
	struct strbuf	 text = STRBUF_INIT;
	char		*id = nr->id ? xstrdup(nr->id) : new_id(ctx), date[32];
	time_t		 now = time(NULL);
	int		 rc, fd = -1;

	/* The message lives on one header line (of a C comment). */
	if (strpbrk(nr->message, "\r\n") != NULL) {
		rc = mg_error_set(err, MG_EUSAGE, "the message must be one "
		    "line");
		goto done;
	}
	if (nr->is_c && strstr(nr->message, "*/") != NULL) {
		rc = mg_error_set(err, MG_EUSAGE, "the message of a C "
		    "revision cannot contain '*/'");
		goto done;
	}
	if (!revision_id_valid(id)) {
		rc = mg_error_set(err, MG_EUSAGE, "invalid revision id '%s' "
		    "(1 to 64 letters, digits, '_' and '.')", id);
		goto done;
	}
	if (graph_find(ctx->g, id) != GRAPH_NONE) {
		rc = mg_error_set(err, MG_EUSAGE, "revision id '%s' is "
		    "already used", id);
		goto done;
	}
	if (*nr->label && graph_find_label(ctx->g, nr->label) != GRAPH_NONE) {
		rc = mg_error_set(err, MG_EUSAGE, "branch label '%s' is "
		    "already used", nr->label);
		goto done;
	}
	if ((rc = template_load(&tmpl, nr->is_c ? "revision.c.tmpl" :
	    "revision.sql.tmpl", ctx->cfg->dir, err)) != 0)
		goto done;
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", gmtime(&now));
	{
		const char *vars[] = { "revision", id, "down_revision",
		    nr->parents, "branch_labels", nr->label, "depends_on",
		    nr->depends_on, "message", nr->message, "create_date",
		    date, NULL };

		template_render(&text, tmpl.buf, vars);
	}
	strbuf_addf(&path, "%s/%s_", ctx->cfg->script_location, id);
	slugify(&path, nr->message);
	strbuf_addstr(&path, nr->is_c ? ".c" : ".sql");
	if ((fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 ||
	    write(fd, text.buf, text.len) != (ssize_t)text.len) {
		rc = mg_error_set(err, MG_EIO, "cannot write '%s': %s",
		    path.buf, strerror(errno));
		goto done;
	}
	out_print(&ctx->out, "Created %s\n", path.buf);
done:
	if (fd != -1)
		close(fd);
	free(id);
	strbuf_release(&path);
	strbuf_release(&tmpl);
	strbuf_release(&text);
	return rc;
}

int
cmd_revision(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "rev-id", required_argument, NULL, 'r' },
		{ "head", required_argument, NULL, 'H' },
		{ "splice", no_argument, NULL, 's' },
		{ "branch-label", required_argument, NULL, 'b' },
		{ "depends-on", required_argument, NULL, 'd' },
		{ "c", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct new_revision	 nr = { NULL, "", "", "", NULL, 0 };
	struct strbuf		 parent = STRBUF_INIT, deps = STRBUF_INIT;
	const char		*head = NULL;
	int			 ch, rc, splice = 0;

	/* migrate.ini's template = c makes C revisions the default. */
	nr.is_c = strcmp(ctx->cfg->template, "c") == 0;
	while ((rc = cmd_getopt(ctx, argc, argv, "m:", longopts, &ch,
	    err)) == 0 && ch != -1) {
		switch (ch) {
		case 'm': nr.message = optarg; break;
		case 'r': nr.id = optarg; break;
		case 'H': head = optarg; break;
		case 's': splice = 1; break;
		case 'b': nr.label = optarg; break;
		case 'C': nr.is_c = 1; break;
		case 'd':
			if ((rc = add_dependency(ctx, &deps, optarg, err)))
				goto done;
			break;
		}
	}
	if (rc != 0)
		goto done;
	if (nr.message == NULL || optind < argc) {
		rc = cmd_usage_error("revision", err, "needs -m MESSAGE and "
		    "no operands");
		goto done;
	}
	if (splice && head == NULL) {
		rc = cmd_usage_error("revision", err, "--splice needs --head "
		    "REV");
		goto done;
	}
	if ((rc = pick_parent(ctx, head, splice, &parent, err)) != 0)
		goto done;
	nr.parents = parent.buf;
	nr.depends_on = deps.buf;
	rc = cmd_write_revision(ctx, &nr, err);
done:
	strbuf_release(&parent);
	strbuf_release(&deps);
	return rc;
}
