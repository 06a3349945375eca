#include <string.h>

#include <openssl/evp.h>

#include "checksum.h"
#include "dynlib.h"
#include "error.h"
#include "strbuf.h"
#include "xmalloc.h"

#ifndef LIBCRYPTO_SONAME
#define LIBCRYPTO_SONAME "libcrypto.so.3"
#endif

#define EVP_FUNCS(X) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_sha256) \
	X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

static struct {
#define X(f) __typeof__(&f) f;
	EVP_FUNCS(X)
#undef X
} evp;

static void	*evp_handle;

static int
evp_load(struct mg_error *err)
{
	static const char *const names[] = {
#define X(f) #f,
		EVP_FUNCS(X)
#undef X
		NULL
	};
	void **const slots[] = {
#define X(f) (void **)&evp.f,
		EVP_FUNCS(X)
#undef X
	};

	return dynlib_load(&evp_handle, LIBCRYPTO_SONAME, names, slots,
	    "Install OpenSSL's libcrypto (Debian: libssl3).", err);
}

int
checksum_text(char hex[CHECKSUM_HEX_LEN + 1], const char *buf, size_t len,
    struct mg_error *err)
{
	struct strbuf	 norm = STRBUF_INIT;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	size_t		 p = 0, line_end;
	EVP_MD_CTX	*ctx;
	int		 rc;

	if ((rc = evp_load(err)) != 0)
		return rc;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p = 3;
	strbuf_grow(&norm, len);
	while (p < len) {
		line_end = p;
		while (line_end < len && buf[line_end] != '\n' &&
		    buf[line_end] != '\r')
			line_end++;
		while (line_end > p && (buf[line_end - 1] == ' ' ||
		    buf[line_end - 1] == '\t'))
			line_end--;
		strbuf_add(&norm, buf + p, line_end - p);
		while (line_end < len && buf[line_end] != '\n' &&
		    buf[line_end] != '\r')
			line_end++;
		strbuf_addch(&norm, '\n');
		if (line_end + 1 < len && buf[line_end] == '\r' &&
		    buf[line_end + 1] == '\n')
			line_end++;
		p = line_end + 1;
	}
	/* Drop blank lines at the end, then end with exactly one LF. */
	strbuf_rtrim(&norm);
	if (norm.len)
		strbuf_addch(&norm, '\n');
	if ((ctx = evp.EVP_MD_CTX_new()) == NULL ||
	    evp.EVP_DigestInit_ex(ctx, evp.EVP_sha256(), NULL) != 1 ||
	    evp.EVP_DigestUpdate(ctx, norm.buf, norm.len) != 1 ||
	    evp.EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		BUG("SHA-256 failed");
	evp.EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen && i * 2 < CHECKSUM_HEX_LEN; i++) {
		hex[i * 2] = "0123456789abcdef"[md[i] >> 4];
		hex[i * 2 + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[CHECKSUM_HEX_LEN] = '\0';
	strbuf_release(&norm);
	return 0;
}
