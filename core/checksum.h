/*
 * checksum: SHA-256 of a revision file's text, normalized so that cosmetic
 * edits don't count: a UTF-8 BOM is dropped, CRLF and CR become LF,
 * trailing blanks are dropped from every line and blank lines from the end.
 * The only module that includes OpenSSL. libcrypto is loaded on the first
 * checksum (dlopen), so commands that apply nothing don't pay its start-up.
 */
#ifndef MG_CHECKSUM_H
#define MG_CHECKSUM_H

#include <stddef.h>

#define CHECKSUM_HEX_LEN 64

struct mg_error;

/*
 * Write 64 lowercase hex digits and a NUL into hex[65]. Fails (MG_ECONFIG)
 * only when libcrypto cannot be loaded.
 */
int	checksum_text(char hex[CHECKSUM_HEX_LEN + 1], const char *buf,
	    size_t len, struct mg_error *err);

#endif
