#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "strbuf.h"
#include "url.h"
#include "xmalloc.h"

#define SCHEME_MAX	32	/* longest scheme echoed in an error */

/* A secret inside a URL: [off, off + len) of the text. */
struct span {
	size_t	 off, len;
	int	 primary;	/* password, not sslpassword */
};

struct spans {
	struct span	*v;
	size_t		 n, alloc;
};

static const char supported_hint[] =
    "Use postgresql://, postgres:// or sqlite:///FILE, or a libpq "
    "'key=value' connection string.";

/*
 * Length of the scheme when url starts with "scheme://" (RFC 3986 scheme
 * characters), else 0.
 */
static size_t
scheme_len(const char *url)
{
	size_t	n = 0;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[n]) || url[n] == '+' ||
	    url[n] == '-' || url[n] == '.')
		n++;
	if (strncmp(url + n, "://", 3) != 0)
		return 0;
	return n;
}

/* A libpq conninfo string starts with "keyword =". */
static int
is_conninfo(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	while (isspace((unsigned char)*s))
		s++;
	return *s == '=';
}

int
url_kind(enum url_kind *out, const char *url, struct mg_error *err)
{
	size_t	n;

	if (url == NULL || *url == '\0') {
		mg_error_set(err, MG_ECONFIG, "empty database URL");
		strbuf_addstr(&err->hint, supported_hint);
		return MG_ECONFIG;
	}
	n = scheme_len(url);
	if (n == 0) {
		if (is_conninfo(url)) {
			*out = URL_POSTGRES;
			return 0;
		}
		/* Never echo the text: it may hold a password. */
		if (strncmp(url, "sqlite:", 7) == 0)
			mg_error_set(err, MG_ECONFIG, "malformed sqlite URL");
		else
			mg_error_set(err, MG_ECONFIG,
			    "database URL has no scheme");
		strbuf_addstr(&err->hint, supported_hint);
		return MG_ECONFIG;
	}
	if ((n == 10 && strncmp(url, "postgresql", n) == 0) ||
	    (n == 8 && strncmp(url, "postgres", n) == 0)) {
		*out = URL_POSTGRES;
		return 0;
	}
	if (n == 6 && strncmp(url, "sqlite", n) == 0) {
		*out = URL_SQLITE;
		return 0;
	}
	/* Only the scheme is printed; the rest may hold a password. */
	if (n > SCHEME_MAX)
		mg_error_set(err, MG_ECONFIG, "unknown URL scheme '%.*s...'",
		    SCHEME_MAX, url);
	else
		mg_error_set(err, MG_ECONFIG, "unknown URL scheme '%.*s'",
		    (int)n, url);
	strbuf_addstr(&err->hint, supported_hint);
	return MG_ECONFIG;
}

static int
sqlite_error(struct mg_error *err, const char *url, const char *what)
{
	/* A sqlite URL holds no password, so it can be shown. */
	mg_error_set(err, MG_ECONFIG, "%s in sqlite URL '%s'", what, url);
	strbuf_addstr(&err->hint, "Use sqlite:///relative.db (relative to "
	    "the configuration file), sqlite:////absolute/path.db or "
	    "sqlite://:memory:.");
	return MG_ECONFIG;
}

int
url_sqlite_path(struct strbuf *out, const char *url, const char *base_dir,
    struct mg_error *err)
{
	const char	*p;
	size_t		 len, blen;

	if (strncmp(url, "sqlite://", 9) != 0)
		return mg_error_set(err, MG_ECONFIG, "not a sqlite URL");
	p = url + 9;
	len = strcspn(p, "?");		/* sqlite://x.db?mode=ro */
	if (len == 8 && memcmp(p, ":memory:", 8) == 0) {
		strbuf_addstr(out, ":memory:");
		return 0;
	}
	if (len == 0)
		return sqlite_error(err, url, "empty path");
	if (*p != '/')
		return sqlite_error(err, url, "unexpected host");
	p++;
	len--;
	if (len == 8 && memcmp(p, ":memory:", 8) == 0) {
		strbuf_addstr(out, ":memory:");
		return 0;
	}
	if (len == 0 || (len == 1 && *p == '/'))
		return sqlite_error(err, url, "empty path");
	if (*p != '/' && base_dir != NULL && *base_dir != '\0' &&
	    strcmp(base_dir, ".") != 0) {
		blen = strlen(base_dir);
		strbuf_addstr(out, base_dir);
		if (base_dir[blen - 1] != '/')
			strbuf_addch(out, '/');
	}
	strbuf_add(out, p, len);
	return 0;
}

static void
spans_add(struct spans *sp, size_t off, size_t len, int primary)
{
	if (len == 0)
		return;
	if (sp->n == sp->alloc) {
		sp->alloc = sp->alloc ? sp->alloc * 2 : 4;
		sp->v = xreallocarray(sp->v, sp->alloc, sizeof(*sp->v));
	}
	sp->v[sp->n].off = off;
	sp->v[sp->n].len = len;
	sp->v[sp->n].primary = primary;
	sp->n++;
}

static int
is_secret_key(const char *k, size_t n, int *primary)
{
	*primary = (n == 8 && memcmp(k, "password", 8) == 0);
	return *primary || (n == 11 && memcmp(k, "sslpassword", 11) == 0);
}

static void	collect(struct spans *, const char *, size_t, size_t, int);

/*
 * scheme://user:password@host/db?k=v&password=x: the password of the
 * userinfo, and password= / sslpassword= query parameters.
 */
static void
collect_uri(struct spans *sp, const char *url, size_t base, size_t end,
    size_t start)
{
	size_t	 i, slash, at, colon, q, k, v;
	int	 primary, found = 0;

	/*
	 * libpq takes the userinfo up to the first '@' before the first '/'.
	 * A password should percent-encode '@' and '/', but when it does not
	 * we still hide it: take the last '@' before the host, and when no
	 * '@' precedes the first '/', the last '@' before the query.
	 */
	slash = start;
	while (slash < end && url[slash] != '/')
		slash++;
	at = start;
	for (i = start; i < slash; i++)
		if (url[i] == '@') {
			at = i;
			found = 1;
		}
	if (!found) {
		for (i = start; i < end && url[i] != '?'; i++)
			if (url[i] == '@') {
				at = i;
				found = 1;
			}
	}
	if (found) {
		for (colon = start; colon < at && url[colon] != ':'; colon++)
			continue;
		if (colon < at)
			spans_add(sp, base + colon + 1, at - colon - 1, 1);
		start = at + 1;
	}

	for (q = start; q < end && url[q] != '?'; q++)
		continue;
	for (k = q + 1; k < end; k = v + 1) {
		for (v = k; v < end && url[v] != '&' && url[v] != '='; v++)
			continue;
		if (v < end && url[v] == '=' &&
		    is_secret_key(url + k, v - k, &primary)) {
			i = ++v;
			while (v < end && url[v] != '&')
				v++;
			spans_add(sp, base + i, v - i, primary);
		} else {
			while (v < end && url[v] != '&')
				v++;
		}
	}
}

/* Skip a conninfo value at s[i]: quoted ('...' with \ escapes) or bare. */
static size_t
conninfo_value(const char *s, size_t i, size_t end, size_t *voff,
    size_t *vlen)
{
	size_t	 j;

	if (i < end && s[i] == '\'') {
		for (j = i + 1; j < end && s[j] != '\''; j++)
			if (s[j] == '\\' && j + 1 < end)
				j++;
		*voff = i + 1;
		*vlen = j - i - 1;
		return j < end ? j + 1 : end;
	}
	for (j = i; j < end && !isspace((unsigned char)s[j]); j++)
		if (s[j] == '\\' && j + 1 < end)
			j++;
	*voff = i;
	*vlen = j - i;
	return j;
}

/* keyword=value ... as libpq's conninfo_parse reads it. */
static void
collect_conninfo(struct spans *sp, const char *s, size_t base, size_t end,
    int depth)
{
	char	*sub;
	size_t	 i = 0, k, klen, voff, vlen;
	int	 primary, secret;

	while (i < end) {
		while (i < end && isspace((unsigned char)s[i]))
			i++;
		if (i == end)
			break;
		k = i;
		while (i < end && s[i] != '=' && !isspace((unsigned char)s[i]))
			i++;
		klen = i - k;
		secret = is_secret_key(s + k, klen, &primary);
		while (i < end && isspace((unsigned char)s[i]))
			i++;
		if (i < end && s[i] == '=') {
			i++;
			while (i < end && isspace((unsigned char)s[i]))
				i++;
		} else if (!secret) {
			/* libpq rejects this; keep looking for a password. */
			continue;
		}
		i = conninfo_value(s, i, end, &voff, &vlen);
		if (secret)
			spans_add(sp, base + voff, vlen, primary);
		else if (depth == 0 && klen == 6 &&
		    memcmp(s + k, "dbname", 6) == 0) {
			/*
			 * libpq expands a dbname that is itself a URL or a
			 * conninfo string, password included.
			 */
			sub = xstrndup(s + voff, vlen);
			collect(sp, sub, base + voff, vlen, depth + 1);
			free(sub);
		}
	}
}

static void
collect(struct spans *sp, const char *s, size_t base, size_t len, int depth)
{
	size_t	 n;

	n = scheme_len(s);
	if (n > 0 && n + 3 <= len)
		collect_uri(sp, s, base, len, n + 3);
	else if (is_conninfo(s))
		collect_conninfo(sp, s, base, len, depth);
}

void
url_redact(struct strbuf *out, const char *url)
{
	struct spans	 sp = { NULL, 0, 0 };
	size_t		 i, pos = 0;

	collect(&sp, url, 0, strlen(url), 0);
	for (i = 0; i < sp.n; i++) {
		if (sp.v[i].off < pos)	/* spans come in text order */
			continue;
		strbuf_add(out, url + pos, sp.v[i].off - pos);
		strbuf_addstr(out, "***");
		pos = sp.v[i].off + sp.v[i].len;
	}
	strbuf_addstr(out, url + pos);
	free(sp.v);
}

void
url_password(struct strbuf *out, const char *url)
{
	struct spans	 sp = { NULL, 0, 0 };
	size_t		 i;

	collect(&sp, url, 0, strlen(url), 0);
	for (i = 0; i < sp.n; i++)
		if (sp.v[i].primary) {
			strbuf_add(out, url + sp.v[i].off, sp.v[i].len);
			break;
		}
	free(sp.v);
}

void
url_with_dbname(struct strbuf *out, const char *url, const char *dbname)
{
	const char	*auth, *path, *end;
	size_t		 n = scheme_len(url);

	if (n == 0) {
		/* conninfo: a later keyword overrides an earlier one. */
		strbuf_addf(out, "%s dbname='%s'", url, dbname);
		return;
	}
	auth = url + n + 3;
	path = auth + strcspn(auth, "/?#");
	end = path;
	if (*path == '/')
		end = path + strcspn(path, "?#");
	strbuf_add(out, url, (size_t)(path - url));
	strbuf_addf(out, "/%s", dbname);
	strbuf_addstr(out, end);
}
