/*
 * revcache: a cache of parsed revision headers, so that a scan of 10,000
 * revisions costs one stat(2) per file instead of open/read/close and a
 * parse (DESIGN.md: start-up must stay cheap with thousands of revisions).
 *
 * An entry is trusted only when the file's inode, size, mtime and ctime
 * all match what was cached, and its mtime is not within RACY_NS of the
 * moment the cache was written (git's "racy clean" rule: an edit in the
 * same clock tick as the cache write would keep the old mtime). The cache
 * lives in $MIGRATE_CACHE_DIR, else $XDG_CACHE_HOME/migrate, else
 * ~/.cache/migrate, one file per script_location; MIGRATE_CACHE_DIR=""
 * turns it off. It is rewritten atomically (temporary file + rename) and
 * any failure to read or write it only costs speed.
 *
 * Ownership: the cache owns its entries; revcache_header's strings are
 * borrowed from it and live until revcache_free. revcache_find allocates nothing and is safe to call from
 * several threads at once.
 */
#ifndef MG_REVCACHE_H
#define MG_REVCACHE_H

#include <sys/stat.h>

struct revision;
struct revision_set;
struct revcache;

/*
 * The root of migrate's caches (this one, compiled plugins): as above,
 * xmalloc'd (the directory may not exist yet), or NULL when caching is
 * off or there is no home directory.
 */
char	*revcache_dir(void);

/* Load the cache of dir; never fails (no cache = an empty one). */
struct revcache *revcache_open(const char *dir);

/* The entry of file name when st matches it (a usable entry), else -1. */
long	revcache_find(const struct revcache *, const char *name,
	    const struct stat *st);
struct revcache_hdr {
	const char	*id;
	const char	*down, *depends, *labels;	/* comma-separated */
	const char	*message, *create_date;		/* NULL when absent */
	int		 id_line, down_line, depends_line;
};

/* The header of entry idx (from revcache_find). */
void	revcache_header(const struct revcache *, long idx,
	    struct revcache_hdr *out);

/* Write set (with the stat of each file, in set order) as the new cache. */
void	revcache_save(struct revcache *, const struct revision_set *set,
	    const struct stat *sts);

void	revcache_free(struct revcache *);

#endif
