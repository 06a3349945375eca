/*
 * Errors: a function that can fail returns 0 or an enum mg_code and fills
 * the struct mg_error passed as its last argument. Callers pass the code up
 * unchanged or add context with mg_error_prefix(). Only cmd/main.c prints an
 * error (mg_error_print) and turns its code into an exit status
 * (mg_exit_status, DESIGN.md: 0 ok, 1 database/migration, 2 usage/config/
 * files, 3 refused).
 *
 * Ownership: the mg_error owns file and its strbufs; mg_error_clear() frees
 * them and makes it reusable. Initialise with MG_ERROR_INIT.
 */
#ifndef MG_ERROR_H
#define MG_ERROR_H

#include <stdio.h>

#include "strbuf.h"

enum mg_code {
	MG_OK = 0,
	MG_EUSAGE,		/* bad command line */
	MG_ECONFIG,		/* migrate.ini, environment, URL */
	MG_EREVISION,		/* a revision file is malformed */
	MG_EGRAPH,		/* cycle, missing parent, duplicate id */
	MG_ENOTFOUND,		/* unknown revision or target */
	MG_EAMBIGUOUS,		/* prefix matches several ids */
	MG_EMULTIHEADS,		/* 'head' with several heads */
	MG_EDB,			/* connection or statement failed */
	MG_EPENDING,		/* status --exit-code: work is pending */
	MG_ELOCK,		/* migration lock not acquired in time */
	MG_EREFUSED,		/* protected environment, no confirmation */
	MG_EIO,			/* local file system failure */
	MG_ECHECK,		/* 'check' found a problem */
	MG_NCODES
};

struct mg_error {
	int		 code;
	char		 sqlstate[6];
	char		*file;		/* file the error is in, or NULL */
	int		 line, col;	/* 1-based; 0 when unknown */
	struct strbuf	 msg, detail, hint;
	struct strbuf	 context;	/* offending line + caret, or empty */
};

#define MG_ERROR_INIT { 0, "", NULL, 0, 0, STRBUF_INIT, STRBUF_INIT, \
	STRBUF_INIT, STRBUF_INIT }

/* Set code and message (replacing any previous error); returns code. */
int	mg_error_set(struct mg_error *, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a location: file (copied), line and column (0 = unknown). */
int	mg_error_set_at(struct mg_error *, int code, const char *file,
	    int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Put "prefix: " in front of the message; returns the current code. */
int	mg_error_prefix(struct mg_error *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void	mg_error_clear(struct mg_error *);

/* DESIGN.md's exit status for a code. */
int	mg_exit_status(int code);

/*
 * Print "migrate: error: FILE:LINE:COL: msg" and the detail, hint and
 * context lines. secret, when not NULL or empty, is replaced by *** in
 * everything printed (passwords never reach the terminal).
 */
void	mg_error_print(const struct mg_error *, FILE *, const char *secret);

/* Write s to fp with every occurrence of secret replaced by ***. */
void	mg_fputs_masked(const char *s, FILE *fp, const char *secret);

#endif
