/*
 * strbuf: a growable, always NUL-terminated string (a subset of git's API).
 *
 * Rules: initialise with STRBUF_INIT or strbuf_init(); buf is never NULL
 * (an empty strbuf points at a shared static ""), so it can be printed at
 * any time. The strbuf owns buf; strbuf_detach() hands it to the caller and
 * leaves the strbuf empty. Growth aborts on OOM (xmalloc).
 */
#ifndef MG_STRBUF_H
#define MG_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t	 alloc;
	size_t	 len;
	char	*buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void	strbuf_init(struct strbuf *, size_t hint);
void	strbuf_release(struct strbuf *);
/* Return the buffer (caller frees) and reset the strbuf to empty. */
char	*strbuf_detach(struct strbuf *, size_t *len);
void	strbuf_grow(struct strbuf *, size_t extra);
void	strbuf_setlen(struct strbuf *, size_t);
#define strbuf_reset(sb) strbuf_setlen(sb, 0)

void	strbuf_add(struct strbuf *, const void *, size_t);
void	strbuf_addstr(struct strbuf *, const char *);
void	strbuf_addch(struct strbuf *, int);
void	strbuf_addf(struct strbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void	strbuf_vaddf(struct strbuf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
/* Append s with every ' doubled, between single quotes (SQL literal). */
void	strbuf_addquoted(struct strbuf *, const char *s);
void	strbuf_rtrim(struct strbuf *);

/* FNV-1a hash of a NUL-terminated string, for open-addressing tables. */
size_t	strhash(const char *s);

/*
 * Append the contents of path, refusing files larger than max bytes.
 * Returns 0, or -1 with errno set (EFBIG when over max).
 */
int	strbuf_read_file(struct strbuf *, const char *path, size_t max);

#endif
