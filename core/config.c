#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"
#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

#define CONFIG_MAX_SIZE	(1024 * 1024)	/* a larger migrate.ini is a mistake */
#define IDENT_MAX	63		/* PostgreSQL's NAMEDATALEN - 1 */
#define ENVNAME_MAX	64
/* PostgreSQL's lock_timeout and statement_timeout are int milliseconds. */
#define DURATION_MAX_MS	((long)INT_MAX)

enum key {
	KEY_SCRIPT_LOCATION,
	KEY_URL,
	KEY_VERSION_TABLE,
	KEY_REVISION_ID,
	KEY_TRANSACTION,
	KEY_LOCK_WAIT,
	KEY_LOCK_TIMEOUT,
	KEY_STATEMENT_TIMEOUT,
	KEY_TEMPLATE,
	KEY_CONFIRM,
	KEY_BACKUP,
	NKEYS
};

static const char *const key_names[NKEYS] = {
	[KEY_SCRIPT_LOCATION] = "script_location",
	[KEY_URL] = "url",
	[KEY_VERSION_TABLE] = "version_table",
	[KEY_REVISION_ID] = "revision_id",
	[KEY_TRANSACTION] = "transaction",
	[KEY_LOCK_WAIT] = "lock_wait",
	[KEY_LOCK_TIMEOUT] = "lock_timeout",
	[KEY_STATEMENT_TIMEOUT] = "statement_timeout",
	[KEY_TEMPLATE] = "template",
	[KEY_CONFIRM] = "confirm",
	[KEY_BACKUP] = "backup",
};

struct choice {
	const char	*name;
	int		 value;
};

static const struct choice revid_choices[] = {
	{ "sequence", REVID_SEQUENCE },
	{ "hex", REVID_HEX },
	{ "timestamp", REVID_TIMESTAMP },
	{ NULL, 0 }
};

static const struct choice txn_choices[] = {
	{ "per-revision", TXN_PER_REVISION },
	{ "all", TXN_ALL },
	{ "none", TXN_NONE },
	{ NULL, 0 }
};

static const struct choice template_choices[] = {
	{ "sql", 0 },
	{ "c", 1 },
	{ NULL, 0 }
};

static const struct choice bool_choices[] = {
	{ "yes", 1 }, { "no", 0 },
	{ "true", 1 }, { "false", 0 },
	{ "on", 1 }, { "off", 0 },
	{ "1", 1 }, { "0", 0 },
	{ NULL, 0 }
};

/* One value as written in the file, inline comment removed. */
struct value {
	char	*raw;		/* NULL when the key is absent */
	int	 line;
};

struct section {
	char		*env;		/* [env:NAME]'s NAME; NULL: [migrate] */
	int		 line;
	struct value	 v[NKEYS];
};

/* State shared by the line reader and the inih handler. */
struct parse {
	const char	*path;
	const char	*buf;		/* the whole file */
	size_t		 len, pos;
	int		 lineno;	/* line last handed to inih */
	struct section	*sec;
	size_t		 nsec, alloc;
	long		 cur;		/* index into sec, -1 before any */
	int		 prev_key;	/* inih's prev_name is set */
	int		 failed;	/* line of our first error, or 0 */
	struct mg_error	*err;
};

static const char *
section_prefix(const struct section *s)
{
	return s->env ? "env:" : "";
}

static const char *
section_name(const struct section *s)
{
	return s->env ? s->env : "migrate";
}

static void
add_choices_hint(struct mg_error *err, const struct choice *c)
{
	strbuf_addstr(&err->hint, "Accepted values: ");
	for (; c->name; c++)
		strbuf_addf(&err->hint, "%s%s", c->name,
		    c[1].name ? ", " : ".");
}

static int
bad_value(struct mg_error *err, const char *file, int line, enum key k,
    const char *val)
{
	return mg_error_set_at(err, MG_ECONFIG, file, line, 0,
	    "invalid value '%s' for '%s'", val, key_names[k]);
}

static int
set_choice(int *out, const struct choice *choices, int nocase, enum key k,
    const char *val, const char *file, int line, struct mg_error *err)
{
	const struct choice	*c;

	for (c = choices; c->name; c++)
		if ((nocase ? strcasecmp(c->name, val) :
		    strcmp(c->name, val)) == 0) {
			*out = c->value;
			return 0;
		}
	bad_value(err, file, line, k, val);
	add_choices_hint(err, choices);
	return MG_ECONFIG;
}

static int
ident_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > IDENT_MAX ||
	    !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* table or schema.table, each an unquoted SQL identifier. */
static int
table_name_ok(const char *s)
{
	const char	*dot;

	if ((dot = strchr(s, '.')) == NULL)
		return ident_ok(s, strlen(s));
	return ident_ok(s, (size_t)(dot - s)) &&
	    ident_ok(dot + 1, strlen(dot + 1));
}

static void
set_string(char **dst, const char *val)
{
	free(*dst);
	*dst = xstrdup(val);
}

/*
 * Check val for key k and, when c is not NULL, store it in c. Called with
 * c == NULL to check a value as soon as it is read, so that a mistake in
 * any section is reported even when that section is not in use.
 */
static int
set_key(struct config *c, enum key k, const char *val, const char *file,
    int line, struct mg_error *err)
{
	struct config	 dummy;
	long		 ms;
	int		 n;

	if (c == NULL) {
		memset(&dummy, 0, sizeof(dummy));
		c = &dummy;
	}
	switch (k) {
	case KEY_SCRIPT_LOCATION:
		if (*val == '\0')
			return mg_error_set_at(err, MG_ECONFIG, file, line, 0,
			    "empty value for 'script_location'");
		if (c != &dummy)
			set_string(&c->script_location, val);
		return 0;
	case KEY_URL:
		/* Stored by the caller: the URL goes through precedence. */
		return 0;
	case KEY_VERSION_TABLE:
		if (!table_name_ok(val)) {
			bad_value(err, file, line, k, val);
			strbuf_addf(&err->hint, "Use a name of letters, "
			    "digits and '_' (at most %d characters), "
			    "optionally qualified as schema.table.",
			    IDENT_MAX);
			return MG_ECONFIG;
		}
		if (c != &dummy)
			set_string(&c->version_table, val);
		return 0;
	case KEY_REVISION_ID:
		if (set_choice(&n, revid_choices, 0, k, val, file, line, err))
			return MG_ECONFIG;
		c->revision_id = (enum revid_kind)n;
		return 0;
	case KEY_TRANSACTION:
		if (set_choice(&n, txn_choices, 0, k, val, file, line, err))
			return MG_ECONFIG;
		c->transaction = (enum txn_mode)n;
		return 0;
	case KEY_LOCK_WAIT:
	case KEY_LOCK_TIMEOUT:
	case KEY_STATEMENT_TIMEOUT:
		if (config_parse_duration(val, &ms) != 0) {
			bad_value(err, file, line, k, val);
			strbuf_addstr(&err->hint, "Use a number of seconds, or "
			    "a number followed by ms, s, m or h (such as "
			    "500ms or 60s); 0 means none.");
			return MG_ECONFIG;
		}
		if (k == KEY_LOCK_WAIT)
			c->lock_wait_ms = ms;
		else if (k == KEY_LOCK_TIMEOUT)
			c->lock_timeout_ms = ms;
		else
			c->statement_timeout_ms = ms;
		return 0;
	case KEY_TEMPLATE:
		if (set_choice(&n, template_choices, 0, k, val, file, line,
		    err))
			return MG_ECONFIG;
		if (c != &dummy)
			set_string(&c->template, val);
		return 0;
	case KEY_CONFIRM:
	case KEY_BACKUP:
		if (set_choice(&n, bool_choices, 1, k, val, file, line, err))
			return MG_ECONFIG;
		if (k == KEY_CONFIRM)
			c->confirm = n;
		else
			c->backup = n;
		return 0;
	case NKEYS:
		break;
	}
	BUG("set_key: key %d", (int)k);
}

static int	fail(struct parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Record an error at the current line; returns 0, inih's "stop". */
static int
fail(struct parse *p, const char *fmt, ...)
{
	struct strbuf	 msg = STRBUF_INIT;
	va_list		 ap;

	/* Keep the first error: inih goes on calling us after one. */
	if (p->failed)
		return 0;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	p->failed = p->lineno;
	mg_error_set_at(p->err, MG_ECONFIG, p->path, p->lineno, 0, "%s",
	    msg.buf);
	strbuf_release(&msg);
	return 0;
}

static int
env_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > ENVNAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

/*
 * A "[name]" line. The reader tracks sections itself: inih truncates
 * section names to 49 bytes and does not report a section without keys.
 */
static int
section_line(struct parse *p, const char *s, const char *e)
{
	struct section	*sec;
	const char	*close, *t;
	char		*name = NULL, *env = NULL;
	size_t		 i;

	s++;
	if ((close = memchr(s, ']', (size_t)(e - s))) == NULL)
		goto malformed;
	for (t = close + 1; t < e && isspace((unsigned char)*t); t++)
		continue;
	if (t < e && *t != ';' && *t != '#')
		goto malformed;
	while (s < close && isspace((unsigned char)*s))
		s++;
	while (close > s && isspace((unsigned char)close[-1]))
		close--;
	name = xstrndup(s, (size_t)(close - s));

	if (strncmp(name, "env:", 4) == 0) {
		if (!env_name_ok(name + 4, strlen(name + 4))) {
			fail(p, "invalid environment name in section [%s]",
			    name);
			strbuf_addf(&p->err->hint, "Use [env:NAME] with a NAME "
			    "of letters, digits, '_', '-' and '.' (at most "
			    "%d characters).", ENVNAME_MAX);
			goto out;
		}
		env = xstrdup(name + 4);
	} else if (strcmp(name, "migrate") != 0) {
		fail(p, "unknown section [%s]", name);
		strbuf_addstr(&p->err->hint,
		    "Sections are [migrate] and [env:NAME].");
		goto out;
	}
	for (i = 0; i < p->nsec; i++) {
		sec = &p->sec[i];
		if ((env == NULL) == (sec->env == NULL) &&
		    (env == NULL || strcmp(env, sec->env) == 0)) {
			fail(p, "duplicate section [%s]", name);
			strbuf_addf(&p->err->hint, "It was first opened on "
			    "line %d; merge the two.", sec->line);
			goto out;
		}
	}
	if (p->nsec == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 4;
		p->sec = xreallocarray(p->sec, p->alloc, sizeof(*p->sec));
	}
	sec = &p->sec[p->nsec];
	memset(sec, 0, sizeof(*sec));
	sec->env = env;
	sec->line = p->lineno;
	env = NULL;
	p->cur = (long)p->nsec++;
	p->prev_key = 0;
out:
	free(name);
	free(env);
	return p->failed ? -1 : 0;
malformed:
	fail(p, "malformed section line");
	strbuf_addstr(&p->err->hint, "Write [migrate] or [env:NAME] alone on "
	    "the line.");
	return -1;
}

/*
 * Look at a line before inih does, the way inih will read it, for what
 * inih would get wrong or not tell us: sections, and indented lines, which
 * inih would silently join to the previous value (Python configparser's
 * continuation lines) -- a surprise in a file of one-line values.
 */
static int
check_line(struct parse *p, const char *line, size_t len)
{
	const char	*s = line, *e = line + len;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (s == e || *s == ';' || *s == '#')
		return 0;
	if (s > line && p->prev_key) {
		fail(p, "unexpected indented line");
		strbuf_addstr(&p->err->hint, "A value cannot continue on "
		    "the next line; remove the leading whitespace.");
		return -1;
	}
	if (*s == '[')
		return section_line(p, s, e);
	return 0;
}

/*
 * inih's reader: hand out one line per call. inih calls the handler for a
 * line before it reads the next one, so p->lineno is the handler's line
 * (the installed inih is built without INI_HANDLER_LINENO). A line that
 * does not fit inih's buffer would be split in two by inih; refuse it.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	const char	*line, *nl;
	size_t		 n, len;

	if (p->failed || p->pos >= p->len)
		return NULL;
	line = p->buf + p->pos;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - line) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->lineno++;
	len = n;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL) {
		fail(p, "malformed line: NUL byte");
		return NULL;
	}
	if (num < 3 || len > (size_t)num - 2) {
		fail(p, "line too long (more than %d characters)", num - 2);
		strbuf_addstr(&p->err->hint, "Put a long value in an "
		    "environment variable and write ${NAME} instead.");
		return NULL;
	}
	if (check_line(p, line, len) != 0)
		return NULL;
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int
find_key(const char *name)
{
	int	k;

	for (k = 0; k < NKEYS; k++)
		if (strcmp(key_names[k], name) == 0)
			return k;
	return -1;
}

static int
on_value(void *user, const char *section, const char *name,
    const char *value)
{
	struct parse	*p = user;
	struct section	*sec;
	struct value	*v;
	char		*val;
	size_t		 i;
	int		 k;

	(void)section;		/* truncated by inih; see section_line() */
	if (p->failed)
		return 0;
	p->prev_key = (*name != '\0');
	if (*name == '\0')
		return fail(p, "malformed line: no key before '='");
	if (p->cur < 0) {
		fail(p, "key '%s' is outside any section", name);
		strbuf_addstr(&p->err->hint,
		    "Put it under [migrate] or [env:NAME].");
		return 0;
	}
	sec = &p->sec[p->cur];
	if ((k = find_key(name)) < 0) {
		fail(p, "unknown key '%s' in section [%s%s]", name,
		    section_prefix(sec), section_name(sec));
		strbuf_addstr(&p->err->hint, "Known keys: ");
		for (k = 0; k < NKEYS; k++)
			strbuf_addf(&p->err->hint, "%s%s", key_names[k],
			    k + 1 < NKEYS ? ", " : ".");
		return 0;
	}
	v = &sec->v[k];
	if (v->raw != NULL) {
		fail(p, "duplicate key '%s' in section [%s%s]", name,
		    section_prefix(sec), section_name(sec));
		strbuf_addf(&p->err->hint, "It is first set on line %d.",
		    v->line);
		return 0;
	}

	/*
	 * Debian's inih strips "value ; comment" itself
	 * (INI_ALLOW_INLINE_COMMENTS); do it again in case another build
	 * does not. A ';' after whitespace starts a comment, as in inih, so
	 * this is a no-op on a value inih already stripped.
	 */
	val = xstrdup(value);
	for (i = 1; val[0] != '\0' && val[i] != '\0'; i++)
		if (val[i] == ';' && isspace((unsigned char)val[i - 1])) {
			val[i] = '\0';
			break;
		}
	for (i = strlen(val); i > 0 && isspace((unsigned char)val[i - 1]); i--)
		val[i - 1] = '\0';

	/* A value with ${VAR} is checked once expanded, where it is used. */
	if (strchr(val, '$') == NULL &&
	    set_key(NULL, (enum key)k, val, p->path, p->lineno, p->err) != 0) {
		free(val);
		p->failed = p->lineno;
		return 0;
	}
	v->raw = val;
	v->line = p->lineno;
	return 1;
}

#if INI_HANDLER_LINENO
static int
on_value_lineno(void *user, const char *section, const char *name,
    const char *value, int lineno)
{
	(void)lineno;		/* the reader counts lines already */
	return on_value(user, section, name, value);
}
#define ON_VALUE on_value_lineno
#else
#define ON_VALUE on_value
#endif

static void
parse_free(struct parse *p)
{
	size_t	 i;
	int	 k;

	for (i = 0; i < p->nsec; i++) {
		free(p->sec[i].env);
		for (k = 0; k < NKEYS; k++)
			free(p->sec[i].v[k].raw);
	}
	free(p->sec);
}

static char *
dir_of(const char *path)
{
	const char	*slash;
	size_t		 n;

	if ((slash = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	n = (size_t)(slash - path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return xstrdup("/");
	return xstrndup(path, n);
}

static int
read_config(struct strbuf *sb, const char *path, struct mg_error *err)
{
	if (strbuf_read_file(sb, path, CONFIG_MAX_SIZE) == 0)
		return 0;
	if (errno == EFBIG)
		return mg_error_set(err, MG_ECONFIG,
		    "cannot read '%s': larger than %d bytes", path,
		    CONFIG_MAX_SIZE);
	mg_error_set(err, MG_ECONFIG, "cannot open '%s': %s", path,
	    strerror(errno));
	if (errno == ENOENT)
		strbuf_addstr(&err->hint,
		    "Run 'migrate init' to create one, or pass -c FILE.");
	return MG_ECONFIG;
}

static const struct section *
find_section(const struct parse *p, const char *env)
{
	size_t	i;

	for (i = 0; i < p->nsec; i++)
		if (env == NULL ? p->sec[i].env == NULL :
		    p->sec[i].env != NULL && strcmp(p->sec[i].env, env) == 0)
			return &p->sec[i];
	return NULL;
}

static int
no_env_section(const struct parse *p, const char *env, struct mg_error *err)
{
	size_t	i;
	int	n = 0;

	mg_error_set(err, MG_ECONFIG, "no section [env:%s] in '%s'", env,
	    p->path);
	for (i = 0; i < p->nsec; i++) {
		if (p->sec[i].env == NULL)
			continue;
		strbuf_addf(&err->hint, "%s%s", n++ ? ", " : "Environments: ",
		    p->sec[i].env);
	}
	if (n > 0)
		strbuf_addch(&err->hint, '.');
	else
		strbuf_addf(&err->hint, "'%s' defines no [env:NAME] section.",
		    p->path);
	return MG_ECONFIG;
}

/* Expand a value from the file; *out is owned by the caller. */
static int
expand_value(char **out, const struct value *v, const char *path,
    struct mg_error *err)
{
	struct strbuf	sb = STRBUF_INIT;

	if (config_expand(&sb, v->raw, path, v->line, err) != 0) {
		strbuf_release(&sb);
		return MG_ECONFIG;
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

/*
 * The first non-empty URL of --url, [env:NAME] url, $DATABASE_URL and
 * [migrate] url. Only the URL in use is expanded: a ${VAR} in a URL that
 * something above overrides may stay unset.
 */
static int
resolve_url(struct config *c, const struct config_opts *opts,
    const struct section *mig, const struct section *env, const char *path,
    struct mg_error *err)
{
	const char	*s;
	char		*url;

	if (opts->url != NULL && *opts->url != '\0') {
		c->url = xstrdup(opts->url);
		c->url_origin = URL_FROM_FLAG;
		return 0;
	}
	if (env != NULL && env->v[KEY_URL].raw != NULL) {
		if (expand_value(&url, &env->v[KEY_URL], path, err) != 0)
			return MG_ECONFIG;
		if (*url != '\0') {
			c->url = url;
			c->url_origin = URL_FROM_ENV_SECTION;
			return 0;
		}
		free(url);
	}
	if ((s = getenv("DATABASE_URL")) != NULL && *s != '\0') {
		c->url = xstrdup(s);
		c->url_origin = URL_FROM_ENVIRONMENT;
		return 0;
	}
	if (mig != NULL && mig->v[KEY_URL].raw != NULL) {
		if (expand_value(&url, &mig->v[KEY_URL], path, err) != 0)
			return MG_ECONFIG;
		if (*url != '\0') {
			c->url = url;
			c->url_origin = URL_FROM_FILE;
			return 0;
		}
		free(url);
	}
	c->url = NULL;
	c->url_origin = URL_FROM_NONE;
	return 0;
}

int
config_load(struct config **out, const struct config_opts *opts,
    struct mg_error *err)
{
	static const struct config_opts	 no_opts = { NULL, NULL, NULL };
	struct parse			 p;
	struct strbuf			 file = STRBUF_INIT;
	struct config			*c = NULL;
	const struct section		*mig, *env = NULL;
	const struct value		*v;
	const char			*path, *s;
	char				*val;
	int				 k, rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	if (opts == NULL)
		opts = &no_opts;
	if ((path = opts->path) == NULL) {
		s = getenv("MIGRATE_CONFIG");
		path = (s != NULL && *s != '\0') ? s : "migrate.ini";
	}
	if ((rc = read_config(&file, path, err)) != 0)
		goto done;

	p.path = path;
	p.buf = file.buf;
	p.len = file.len;
	p.cur = -1;
	p.err = err;
	if (p.len >= 3 && memcmp(p.buf, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	rc = ini_parse_stream(read_line, &p, ON_VALUE, &p);
	if (rc > 0 && (p.failed == 0 || rc < p.failed)) {
		/* inih's own syntax error: a line with no '=' or ':' */
		mg_error_set_at(err, MG_ECONFIG, path, rc, 0,
		    "malformed line");
		strbuf_addstr(&err->hint, "Expected [section], key = value, "
		    "or a comment starting with ';' or '#'.");
		rc = MG_ECONFIG;
		goto done;
	} else if (rc < 0 && p.failed == 0) {
		rc = mg_error_set(err, MG_ECONFIG, "cannot parse '%s'", path);
		goto done;
	} else if (p.failed) {
		rc = MG_ECONFIG;
		goto done;
	}

	mig = find_section(&p, NULL);
	if (opts->env != NULL && (env = find_section(&p, opts->env)) == NULL) {
		rc = no_env_section(&p, opts->env, err);
		goto done;
	}

	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->dir = dir_of(path);
	c->env = opts->env ? xstrdup(opts->env) : NULL;
	c->script_location = xstrdup("versions");
	c->version_table = xstrdup("migrate_version");
	c->revision_id = REVID_SEQUENCE;
	c->transaction = TXN_PER_REVISION;
	c->lock_wait_ms = 60000;
	c->lock_timeout_ms = 10000;
	c->statement_timeout_ms = 0;
	c->template = xstrdup("sql");
	c->confirm = 0;
	c->backup = 0;

	/* [env:NAME] overrides [migrate]; only the value in use expands. */
	for (k = 0; k < NKEYS; k++) {
		if (k == KEY_URL)
			continue;
		v = NULL;
		if (env != NULL && env->v[k].raw != NULL)
			v = &env->v[k];
		else if (mig != NULL && mig->v[k].raw != NULL)
			v = &mig->v[k];
		if (v == NULL)
			continue;
		if ((rc = expand_value(&val, v, path, err)) != 0)
			goto done;
		rc = set_key(c, (enum key)k, val, path, v->line, err);
		free(val);
		if (rc != 0)
			goto done;
	}
	if ((rc = resolve_url(c, opts, mig, env, path, err)) != 0)
		goto done;

	if (c->script_location[0] != '/' && strcmp(c->dir, ".") != 0) {
		val = xasprintf("%s%s%s", c->dir,
		    strcmp(c->dir, "/") == 0 ? "" : "/", c->script_location);
		free(c->script_location);
		c->script_location = val;
	}
	*out = c;
	c = NULL;
	rc = 0;
done:
	parse_free(&p);
	config_free(c);
	strbuf_release(&file);
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->dir);
	free(c->script_location);
	free(c->url);
	free(c->env);
	free(c->version_table);
	free(c->template);
	free(c);
}

static int
var_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

int
config_expand(struct strbuf *out, const char *in, const char *file,
    int line, struct mg_error *err)
{
	const char	*p = in, *end, *val;
	char		*name;
	size_t		 n;

	for (;;) {
		n = strcspn(p, "$");
		strbuf_add(out, p, n);
		p += n;
		if (*p == '\0')
			return 0;
		if (p[1] == '$' && p[2] == '{') {
			strbuf_addstr(out, "${");
			p += 3;
			continue;
		}
		if (p[1] != '{') {
			strbuf_addch(out, '$');
			p++;
			continue;
		}
		p += 2;
		if ((end = strchr(p, '}')) == NULL) {
			mg_error_set_at(err, MG_ECONFIG, file, line, 0,
			    "unterminated '${' in value");
			strbuf_addstr(&err->hint, "Close it with '}', or write "
			    "$${ for a literal ${.");
			return MG_ECONFIG;
		}
		n = (size_t)(end - p);
		if (n == 0)
			return mg_error_set_at(err, MG_ECONFIG, file, line, 0,
			    "empty variable name in '${}'");
		if (!var_name_ok(p, n)) {
			mg_error_set_at(err, MG_ECONFIG, file, line, 0,
			    "invalid variable name '%.*s'",
			    n > 64 ? 64 : (int)n, p);
			strbuf_addstr(&err->hint, "A name is letters, digits "
			    "and '_', not starting with a digit; write $${ "
			    "for a literal ${.");
			return MG_ECONFIG;
		}
		name = xstrndup(p, n);
		if ((val = getenv(name)) == NULL) {
			mg_error_set_at(err, MG_ECONFIG, file, line, 0,
			    "environment variable '%s' is not set", name);
			strbuf_addf(&err->hint, "Export %s, or write $${ for a "
			    "literal ${.", name);
			free(name);
			return MG_ECONFIG;
		}
		strbuf_addstr(out, val);
		free(name);
		p = end + 1;
	}
}

int
config_parse_duration(const char *s, long *ms)
{
	const char	*p = s;
	long		 v = 0, mult;
	int		 d;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		d = *p - '0';
		if (v > (DURATION_MAX_MS - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p == '\0' || strcmp(p, "s") == 0)
		mult = 1000;
	else if (strcmp(p, "ms") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60 * 1000L;
	else if (strcmp(p, "h") == 0)
		mult = 60 * 60 * 1000L;
	else
		return -1;
	if (v > DURATION_MAX_MS / mult)
		return -1;
	*ms = v * mult;
	return 0;
}

const char *
config_url_base(const struct config *cfg)
{
	/* A URL written in migrate.ini is relative to that file. */
	return cfg->url_origin == URL_FROM_FILE ||
	    cfg->url_origin == URL_FROM_ENV_SECTION ? cfg->dir : NULL;
}
