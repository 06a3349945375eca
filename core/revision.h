/*
 * revision: find revision files in script_location and read their headers.
 *
 * A revision file is <id>_<slug>.sql (or .c, a plugin). Its header is the
 * block of "-- key: value" lines (or, for .c, lines of a leading comment)
 * before the first "-- migrate:" line; reading stops there, so scanning
 * 10,000 files reads a few hundred bytes of each (DESIGN.md "Revision
 * files"). Known keys: revision, down_revision, branch_labels, depends_on,
 * message, create_date. Other comment lines in the header are free text.
 *
 * Ownership: a revision_set owns its revisions and all their strings.
 */
#ifndef MG_REVISION_H
#define MG_REVISION_H

#include <stddef.h>

struct mg_error;

struct strlist {
	char	**v;
	size_t	  n;
};

struct revision {
	char		*id;
	char		*path;		/* script_location/file, for messages */
	char		*filename;	/* file name only */
	struct strlist	 down;		/* parents (down_revision) */
	struct strlist	 depends;	/* depends_on */
	struct strlist	 labels;	/* branch_labels */
	char		*message;
	char		*create_date;
	int		 is_c;		/* a C plugin revision */
	int		 id_line;	/* header line of 'revision:' */
	int		 down_line;	/* ... of 'down_revision:' */
	int		 depends_line;	/* ... of 'depends_on:' */
	size_t		 index;		/* position in the graph (graph.c) */
	unsigned	 pooled;	/* REV_POOL_*: what the set's pool holds */
};

/*
 * revision_scan puts what it can in one pool per set (10,000 revisions
 * would otherwise cost 100,000 malloc/free pairs); revision_free frees
 * only what the bits say is not pooled. Revisions built by hand have 0.
 */
#define REV_POOL_SELF	0x1	/* the struct revision itself */
#define REV_POOL_NAMES	0x2	/* path and filename */
#define REV_POOL_HEADER	0x4	/* id, lists, message, create_date */

struct revision_set {
	struct revision	**v;
	size_t		  n;
	void		 *pool;		/* chunks, freed with the set */
};

/*
 * Scan dir (not recursive) for revision files, in file-name order, and parse
 * each header. Files whose names don't look like revisions (no '_', other
 * extensions, dot files) are skipped; README files and the like may live
 * there. Errors (MG_EREVISION, naming the file and line): empty file,
 * NUL bytes, no 'revision:' key, an invalid id, an unknown key, a file name
 * that does not start with "<id>_", no '-- migrate:upgrade' section line.
 * A missing directory is MG_ECONFIG.
 */
int	revision_scan(struct revision_set *out, const char *dir,
	    struct mg_error *err);

/*
 * Parse the header in buf (the start of a file; need not be the whole
 * file). Returns 0 and fills rev, or an error as above; *complete is set
 * to 1 when the header ended (a "-- migrate:" line was seen), 0 when buf
 * ran out first (the caller reads more and tries again). PURE.
 */
int	revision_parse_header(struct revision *rev, const char *buf,
	    size_t len, const char *path, int *complete, struct mg_error *err);

/* Check an id: 1-64 of [A-Za-z0-9_.]. Returns 1 when valid. */
int	revision_id_valid(const char *id);

void	revision_free(struct revision *);
void	revision_set_free(struct revision_set *);

void	strlist_add(struct strlist *, const char *);
void	strlist_clear(struct strlist *);
/* Split a comma/space separated list into l (empty items dropped). */
void	strlist_split(struct strlist *l, const char *s);

#endif
