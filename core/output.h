/*
 * output: what migrate prints. Results go to stdout (out_print), progress
 * and notes to stderr (out_info, silenced by -q; out_debug needs -v).
 * Every line goes through the secret mask, so a password that reached a
 * message is printed as ***. --json output is built with json_str().
 *
 * Ownership: struct output borrows secret; it lives as long as main's
 * config.
 */
#ifndef MG_OUTPUT_H
#define MG_OUTPUT_H

struct strbuf;

struct output {
	int		 quiet;
	int		 verbose;
	int		 json;
	const char	*secret;	/* masked as *** in everything */
};

void	output_init(struct output *, int quiet, int verbose, int json);
void	out_print(const struct output *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void	out_info(const struct output *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void	out_debug(const struct output *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s as a JSON string literal (quotes and escapes); NULL is null. */
void	json_str(struct strbuf *, const char *s);

#endif
