#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "strbuf.h"
#include "template.h"
#include "xmalloc.h"

int
cmd_init(struct cmd_ctx *ctx, int argc, char **argv, struct mg_error *err)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct strbuf	 tmpl = STRBUF_INIT, text = STRBUF_INIT;
	const char	*path = ctx->opts.path, *dir = "versions";
	const char	*url = ctx->opts.url ? ctx->opts.url : "sqlite:///app.db";
	const char	*slash;
	char		*scripts = NULL;
	int		 ch, rc, fd = -1;

	while ((rc = cmd_getopt(ctx, argc, argv, "", longopts, &ch,
	    err)) == 0 && ch != -1) {
		if (ch == 'd')
			dir = optarg;
		else
			url = optarg;
	}
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cmd_usage_error("init", err, "takes no operands");
	if (path == NULL && (path = getenv("MIGRATE_CONFIG")) == NULL)
		path = "migrate.ini";
	if ((rc = template_load(&tmpl, "migrate.ini.tmpl", NULL, err)) != 0)
		return rc;
	{
		const char *vars[] = { "script_location", dir, "url", url,
		    NULL };

		template_render(&text, tmpl.buf, vars);
	}
	/* O_EXCL: init never overwrites a configuration. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		rc = mg_error_set(err, errno == EEXIST ? MG_EUSAGE : MG_EIO,
		    "cannot create '%s': %s", path, strerror(errno));
		goto done;
	}
	if (write(fd, text.buf, text.len) != (ssize_t)text.len) {
		rc = mg_error_set(err, MG_EIO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto done;
	}
	slash = strrchr(path, '/');
	scripts = dir[0] == '/' || slash == NULL ? xstrdup(dir) :
	    xasprintf("%.*s/%s", (int)(slash - path), path, dir);
	if (mkdir(scripts, 0755) == -1 && errno != EEXIST) {
		rc = mg_error_set(err, MG_EIO, "cannot create directory '%s': "
		    "%s", scripts, strerror(errno));
		goto done;
	}
	out_print(&ctx->out, "Created %s and %s/\n", path, scripts);
	out_info(&ctx->out, "Next: migrate revision -m \"first revision\"\n");
done:
	if (fd != -1)
		close(fd);
	free(scripts);
	strbuf_release(&tmpl);
	strbuf_release(&text);
	return rc;
}
