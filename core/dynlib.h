/*
 * dynlib: load a shared library on first use and fill a table of its
 * functions. libpq and libcrypto are loaded this way rather than linked:
 * together they cost every process start ~5 ms, which `migrate heads` and
 * SQLite users would pay for nothing.
 *
 * Ownership: *handle stays open for the life of the process.
 */
#ifndef MG_DYNLIB_H
#define MG_DYNLIB_H

struct mg_error;

/*
 * If *handle is NULL, dlopen(soname) and store the address of names[i]
 * (a NULL-terminated list) through slots[i], which points at a function
 * pointer of the right type. A missing library or symbol is MG_ECONFIG,
 * with hint as the error's hint; *handle is then left NULL.
 */
int	dynlib_load(void **handle, const char *soname,
	    const char *const *names, void **const *slots, const char *hint,
	    struct mg_error *err);

#endif
