/*
 * url: classify database URLs and redact them for display. PURE.
 *
 *   postgresql://... and postgres://...  handed to libpq as-is
 *   sqlite:///relative.db                relative to a base directory
 *   sqlite:////absolute.db               absolute path
 *   sqlite://:memory:                    an in-memory database
 * (SQLAlchemy's convention for sqlite.) libpq keyword/value conninfo strings
 * ("host=... dbname=...") are accepted as postgresql too.
 */
#ifndef MG_URL_H
#define MG_URL_H

struct strbuf;
struct mg_error;

enum url_kind {
	URL_SQLITE,
	URL_POSTGRES
};

/* Classify url; an unknown scheme is MG_ECONFIG naming the scheme. */
int	url_kind(enum url_kind *out, const char *url, struct mg_error *err);

/*
 * For a sqlite URL, append the file path to out: a relative path is joined
 * to base_dir (when base_dir is not NULL); ":memory:" stays as is. An empty
 * path is MG_ECONFIG.
 */
int	url_sqlite_path(struct strbuf *out, const char *url,
	    const char *base_dir, struct mg_error *err);

/*
 * Append url to out with its password replaced by ***: the password of
 * scheme://user:password@host, and password=... in a conninfo string or
 * a URL's ?password= query parameter.
 */
void	url_redact(struct strbuf *out, const char *url);

/*
 * Append url with its database replaced by dbname (a plain identifier):
 * the path of a postgresql:// URI, or a dbname keyword added to a
 * conninfo string (the last one wins).
 */
void	url_with_dbname(struct strbuf *out, const char *url,
	    const char *dbname);

/*
 * Append url's password (as it appears in the text) to out, or nothing
 * when it has none. Used to mask it in every line migrate prints.
 */
void	url_password(struct strbuf *out, const char *url);

#endif
