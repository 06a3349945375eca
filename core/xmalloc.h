/*
 * Allocation wrappers that never return NULL: on exhaustion they print one
 * line and abort, so callers need no NULL checks (tmux xmalloc.c).
 * Everything they return is owned by the caller and freed with free().
 */
#ifndef MG_XMALLOC_H
#define MG_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* xreallocarray: like reallocarray(3), checking nmemb * size for overflow. */
void	*xreallocarray(void *, size_t nmemb, size_t size);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* Report a broken invariant and abort: never for user errors. */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void	bug_fl(const char *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

#endif
