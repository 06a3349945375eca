/*
 * config: migrate.ini (DESIGN.md "migrate.ini"), read with inih.
 *
 * File: -c/--config, else $MIGRATE_CONFIG, else ./migrate.ini.
 * Sections: [migrate] holds the defaults; [env:NAME], selected with -e NAME,
 * overrides any key of [migrate]. Values may contain ${VAR}, replaced from
 * the environment; an unset variable is MG_ECONFIG naming it and the line.
 * URL precedence: --url > [env:NAME] url > $DATABASE_URL > [migrate] url.
 * Unknown keys and sections, bad values and a missing file are MG_ECONFIG
 * with file:line.
 *
 * Ownership: config_load allocates *out; config_free releases everything.
 */
#ifndef MG_CONFIG_H
#define MG_CONFIG_H

struct strbuf;
struct mg_error;

enum txn_mode {
	TXN_PER_REVISION,
	TXN_ALL,
	TXN_NONE
};

enum revid_kind {
	REVID_SEQUENCE,		/* 0001, 0002, ... */
	REVID_HEX,		/* 12 random hex digits */
	REVID_TIMESTAMP		/* 20261122013000 */
};

enum url_origin {
	URL_FROM_FLAG,		/* --url */
	URL_FROM_ENV_SECTION,	/* [env:NAME] url */
	URL_FROM_ENVIRONMENT,	/* $DATABASE_URL */
	URL_FROM_FILE,		/* [migrate] url */
	URL_FROM_NONE
};

struct config {
	char		*path;		/* the ini file, as given */
	char		*dir;		/* its directory ("." for a bare name) */
	char		*script_location; /* resolved against dir */
	char		*url;		/* after precedence; NULL if none */
	enum url_origin	 url_origin;
	char		*env;		/* -e NAME or NULL */
	char		*version_table;	/* default migrate_version */
	enum revid_kind	 revision_id;
	enum txn_mode	 transaction;
	long		 lock_wait_ms;	/* default 60000 */
	long		 lock_timeout_ms; /* default 10000 */
	long		 statement_timeout_ms; /* default 0 = none */
	char		*template;	/* "sql" (default) or "c" */
	int		 confirm;	/* yes/no */
	int		 backup;	/* yes/no */
};

struct config_opts {
	const char	*path;		/* -c, or NULL */
	const char	*env;		/* -e, or NULL */
	const char	*url;		/* --url, or NULL */
};

int	config_load(struct config **out, const struct config_opts *opts,
	    struct mg_error *err);
void	config_free(struct config *);

/* The directory a relative sqlite path in the URL is relative to, or NULL. */
const char *config_url_base(const struct config *);

/*
 * Expand ${VAR} in in, appending to out. A '$' not followed by '{' is
 * literal, "$${" is a literal "${". Errors (MG_ECONFIG, with file and line
 * when given): an unset variable (named), an unterminated ${, an empty or
 * invalid name.
 */
int	config_expand(struct strbuf *out, const char *in, const char *file,
	    int line, struct mg_error *err);

/*
 * Parse a duration: "60s", "500ms", "2m", "1h", or a bare number of
 * seconds; "0" means none. Returns 0 and sets *ms, or -1.
 */
int	config_parse_duration(const char *s, long *ms);

#endif
