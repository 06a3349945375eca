/*
 * checksum: SHA-256 of a revision file's text, normalized so that cosmetic
 * edits don't count: a UTF-8 BOM is dropped, CRLF and CR become LF,
 * trailing blanks are dropped from every line and blank lines from the end.
 * The only module that includes OpenSSL.
 */
#ifndef MG_CHECKSUM_H
#define MG_CHECKSUM_H

#include <stddef.h>

#define CHECKSUM_HEX_LEN 64

/* Write 64 lowercase hex digits and a NUL into hex[65]. */
void	checksum_text(char hex[CHECKSUM_HEX_LEN + 1], const char *buf,
	    size_t len);

#endif
