#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "strbuf.h"
#include "template.h"
#include "xmalloc.h"

#ifndef MIGRATE_DATADIR
#define MIGRATE_DATADIR "/usr/local/share/migrate"
#endif

static void
exe_dir(struct strbuf *out)
{
	char	buf[PATH_MAX];
	ssize_t	n;
	char	*slash;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
	strbuf_addstr(out, buf);
}

int
template_load(struct strbuf *out, const char *name, const char *config_dir,
    struct mg_error *err)
{
	struct strbuf	 dir = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf	 tried = STRBUF_INIT;
	const char	*env = getenv("MIGRATE_TEMPLATE_DIR");
	int		 i;

	for (i = 0; i < 5; i++) {
		strbuf_reset(&dir);
		if (i == 0 && env && *env)
			strbuf_addstr(&dir, env);
		else if (i == 1 && config_dir)
			strbuf_addf(&dir, "%s/templates", config_dir);
		else if (i == 2) {
			exe_dir(&dir);
			if (dir.len)
				strbuf_addstr(&dir, "/templates");
		} else if (i == 3) {
			/* A relocated install: PREFIX/bin/../share/migrate */
			exe_dir(&dir);
			if (dir.len)
				strbuf_addstr(&dir,
				    "/../share/migrate/templates");
		} else if (i == 4)
			strbuf_addstr(&dir, MIGRATE_DATADIR "/templates");
		if (dir.len == 0)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir.buf, name);
		if (strbuf_read_file(out, path.buf, 1u << 20) == 0) {
			strbuf_release(&dir);
			strbuf_release(&path);
			strbuf_release(&tried);
			return 0;
		}
		strbuf_addf(&tried, "%s%s", tried.len ? ", " : "", path.buf);
	}
	mg_error_set(err, MG_ECONFIG, "cannot find template '%s'", name);
	strbuf_addf(&err->detail, "tried %s", tried.buf);
	strbuf_addstr(&err->hint, "Set MIGRATE_TEMPLATE_DIR, or reinstall "
	    "migrate with 'make install'.");
	strbuf_release(&dir);
	strbuf_release(&path);
	strbuf_release(&tried);
	return MG_ECONFIG;
}

void
template_render(struct strbuf *out, const char *tmpl, const char *const *vars)
{
	const char	*p = tmpl, *end;
	size_t		 i, len;

	while (*p) {
		if (p[0] == '$' && p[1] == '{' &&
		    (end = strchr(p + 2, '}')) != NULL) {
			len = (size_t)(end - (p + 2));
			for (i = 0; vars[i] != NULL; i += 2)
				if (strlen(vars[i]) == len &&
				    strncmp(vars[i], p + 2, len) == 0)
					break;
			if (vars[i] != NULL) {
				strbuf_addstr(out, vars[i + 1]);
				p = end + 1;
				continue;
			}
		}
		/* An empty value leaves "key: " behind: drop trailing blanks. */
		if (*p == '\n')
			while (out->len > 0 && (out->buf[out->len - 1] == ' ' ||
			    out->buf[out->len - 1] == '\t'))
				strbuf_setlen(out, out->len - 1);
		strbuf_addch(out, *p++);
	}
}
