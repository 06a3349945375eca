/*
 * template: find and render the templates directory for 'init' and 'revision'.
 *
 * A template is text with ${name} placeholders; template_render replaces
 * each with its value from vars (NULL-terminated name/value pairs); an
 * unknown name is left as it is, and blanks at the end of a line are dropped. Templates are looked up in
 * $MIGRATE_TEMPLATE_DIR, <config dir>/templates, the directory of the
 * migrate binary + /templates (a build tree), the binary's
 * ../share/migrate/templates (a relocated install), then the installed
 * MIGRATE_DATADIR/templates.
 */
#ifndef MG_TEMPLATE_H
#define MG_TEMPLATE_H

struct strbuf;
struct mg_error;

/* Read template name (e.g. "revision.sql.tmpl") into out. */
int	template_load(struct strbuf *out, const char *name,
	    const char *config_dir, struct mg_error *err);

void	template_render(struct strbuf *out, const char *tmpl,
	    const char *const *vars);

#endif
