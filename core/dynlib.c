#include <dlfcn.h>
#include <stddef.h>

#include "dynlib.h"
#include "error.h"
#include "strbuf.h"

int
dynlib_load(void **handle, const char *soname, const char *const *names,
    void **const *slots, const char *hint, struct mg_error *err)
{
	size_t	i;

	if (*handle != NULL)
		return 0;
	if ((*handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		mg_error_set(err, MG_ECONFIG, "cannot load '%s': %s", soname,
		    dlerror());
		strbuf_addstr(&err->hint, hint);
		return MG_ECONFIG;
	}
	/* POSIX's way to store a dlsym() result in a function pointer. */
	for (i = 0; names[i] != NULL; i++)
		if ((*slots[i] = dlsym(*handle, names[i])) == NULL) {
			mg_error_set(err, MG_ECONFIG, "'%s' has no '%s'",
			    soname, names[i]);
			strbuf_addstr(&err->hint, hint);
			dlclose(*handle);
			*handle = NULL;
			return MG_ECONFIG;
		}
	return 0;
}
