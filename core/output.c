#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "output.h"
#include "strbuf.h"

void
output_init(struct output *o, int quiet, int verbose, int json)
{
	o->quiet = quiet;
	o->verbose = verbose;
	o->json = json;
	o->secret = NULL;
}

static void
vemit(const struct output *o, FILE *fp, const char *fmt, va_list ap)
{
	struct strbuf	sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	mg_fputs_masked(sb.buf, fp, o->secret);
	strbuf_release(&sb);
}

void
out_print(const struct output *o, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vemit(o, stdout, fmt, ap);
	va_end(ap);
}

void
out_info(const struct output *o, const char *fmt, ...)
{
	va_list	ap;

	if (o->quiet)
		return;
	fflush(stdout);
	va_start(ap, fmt);
	vemit(o, stderr, fmt, ap);
	va_end(ap);
}

void
out_debug(const struct output *o, const char *fmt, ...)
{
	va_list	ap;

	if (!o->verbose || o->quiet)
		return;
	va_start(ap, fmt);
	vemit(o, stderr, fmt, ap);
	va_end(ap);
}

void
json_str(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c == '\t')
			strbuf_addstr(sb, "\\t");
		else if (c < 0x20)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}
