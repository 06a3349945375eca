#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xmalloc.h"

/* DESIGN.md "Exit codes", as a table so that adding a code forces a choice. */
static const int exit_status[MG_NCODES] = {
	[MG_OK] = 0,
	[MG_EUSAGE] = 2,
	[MG_ECONFIG] = 2,
	[MG_EREVISION] = 2,
	[MG_EGRAPH] = 2,
	[MG_ENOTFOUND] = 2,
	[MG_EAMBIGUOUS] = 2,
	[MG_EMULTIHEADS] = 2,
	[MG_EDB] = 1,
	[MG_EPENDING] = 1,
	[MG_ELOCK] = 3,
	[MG_EREFUSED] = 3,
	[MG_EIO] = 1,
	[MG_ECHECK] = 1,
};

static void
reset(struct mg_error *err)
{
	free(err->file);
	err->file = NULL;
	err->line = err->col = 0;
	err->sqlstate[0] = '\0';
	strbuf_reset(&err->msg);
	strbuf_reset(&err->detail);
	strbuf_reset(&err->hint);
	strbuf_reset(&err->context);
}

int
mg_error_set(struct mg_error *err, int code, const char *fmt, ...)
{
	va_list	ap;

	reset(err);
	err->code = code;
	va_start(ap, fmt);
	strbuf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return code;
}

int
mg_error_set_at(struct mg_error *err, int code, const char *file, int line,
    int col, const char *fmt, ...)
{
	va_list	ap;

	reset(err);
	err->code = code;
	err->file = file ? xstrdup(file) : NULL;
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	strbuf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	return code;
}

int
mg_error_prefix(struct mg_error *err, const char *fmt, ...)
{
	struct strbuf	sb = STRBUF_INIT;
	va_list		ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addstr(&sb, ": ");
	strbuf_add(&sb, err->msg.buf, err->msg.len);
	strbuf_release(&err->msg);
	err->msg = sb;
	return err->code;
}

void
mg_error_clear(struct mg_error *err)
{
	reset(err);
	strbuf_release(&err->msg);
	strbuf_release(&err->detail);
	strbuf_release(&err->hint);
	strbuf_release(&err->context);
	err->code = MG_OK;
}

int
mg_exit_status(int code)
{
	if (code < 0 || code >= MG_NCODES)
		return 1;
	return exit_status[code];
}

void
mg_fputs_masked(const char *s, FILE *fp, const char *secret)
{
	size_t		 n;
	const char	*hit;

	if (secret == NULL || *secret == '\0') {
		fputs(s, fp);
		return;
	}
	n = strlen(secret);
	while ((hit = strstr(s, secret)) != NULL) {
		fwrite(s, 1, (size_t)(hit - s), fp);
		fputs("***", fp);
		s = hit + n;
	}
	fputs(s, fp);
}

void
mg_error_print(const struct mg_error *err, FILE *fp, const char *secret)
{
	struct strbuf	sb = STRBUF_INIT;

	strbuf_addstr(&sb, "migrate: error: ");
	if (err->file) {
		strbuf_addstr(&sb, err->file);
		if (err->line > 0) {
			strbuf_addf(&sb, ":%d", err->line);
			if (err->col > 0)
				strbuf_addf(&sb, ":%d", err->col);
		}
		strbuf_addstr(&sb, ": ");
	}
	strbuf_add(&sb, err->msg.buf, err->msg.len);
	if (err->sqlstate[0])
		strbuf_addf(&sb, " (SQLSTATE %s)", err->sqlstate);
	strbuf_addch(&sb, '\n');
	if (err->context.len)
		strbuf_addf(&sb, "%s\n", err->context.buf);
	if (err->detail.len)
		strbuf_addf(&sb, "detail: %s\n", err->detail.buf);
	if (err->hint.len)
		strbuf_addf(&sb, "hint: %s\n", err->hint.buf);
	mg_fputs_masked(sb.buf, fp, secret);
	strbuf_release(&sb);
}
