# migrate: one plain GNU Makefile (STYLE.md "Build").
#   make                 build ./migrate (objects under build/)
#   make DEVELOPER=1     adds -Werror
#   make SANITIZE=address,undefined test
#   make test            unit (Criterion) + cli (bats), one summary line
#   make bench           benchmarks (tests/bench), figures as ratios
#   make install PREFIX=/usr/local DESTDIR=
#   make deps            apt-get the Debian packages the build and tests need

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share/migrate
INCDIR	?= $(PREFIX)/include

PKGS	= libpq sqlite3 libpcre2-8 inih libcrypto
# libpq and libcrypto are not linked: dialects/postgres.c and
# core/checksum.c load them on first use (`migrate heads` shouldn't pay
# their start-up), by the sonames of the ones built against.
LINK_PKGS = sqlite3 libpcre2-8 inih
CC	?= cc
CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Wpedantic -Wstrict-prototypes \
	  -Wmissing-prototypes -Wshadow -Wformat=2 -Wwrite-strings -Wvla \
	  -Wdeclaration-after-statement
ifeq ($(DEVELOPER),1)
WARN	+= -Werror
endif
CPPFLAGS += -D_GNU_SOURCE -DMIGRATE_DATADIR='"$(DATADIR)"' -Icore -Idialects
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)
soname = $(shell objdump -p $$(pkg-config --variable=libdir $(1) 2>/dev/null)/$(2).so 2>/dev/null | awk '/SONAME/ { print $$2 }')
LIBPQ_SONAME := $(call soname,libpq,libpq)
LIBCRYPTO_SONAME := $(call soname,libcrypto,libcrypto)
ifneq ($(LIBPQ_SONAME),)
CPPFLAGS += -DLIBPQ_SONAME='"$(LIBPQ_SONAME)"'
endif
ifneq ($(LIBCRYPTO_SONAME),)
CPPFLAGS += -DLIBCRYPTO_SONAME='"$(LIBCRYPTO_SONAME)"'
endif
CPPFLAGS += $(PKG_CFLAGS)
LDLIBS	+= $(PKG_LIBS) -ldl -pthread
ifneq ($(SANITIZE),)
CFLAGS	+= -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=$(SANITIZE)
endif

BUILD	= build
CORE_SRC = $(wildcard core/*.c) $(wildcard dialects/*.c)
CMD_SRC	= $(wildcard cmd/*.c)
# The plugin header's text, embedded in the binary (core/plugin.c).
GEN_OBJ	= $(BUILD)/gen/plugin_h.o
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o) $(GEN_OBJ)
CMD_OBJ	= $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

DEBIAN_PKGS = build-essential pkg-config libpq-dev libsqlite3-dev \
	libpcre2-dev libinih-dev libssl-dev libcriterion-dev bats sqlite3 procps \
	postgresql

all: migrate

# Plugins resolve the mg_* functions against the binary, which exports
# them and nothing else (core/plugin.list).
EXPORTS	= -Wl,--dynamic-list=core/plugin.list

migrate: $(CMD_OBJ) $(CORE_OBJ) core/plugin.list
	$(CC) $(LDFLAGS) $(EXPORTS) -o $@ $(CMD_OBJ) $(CORE_OBJ) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

# core/migrate/plugin.h as a C array of its lines, escaped character by
# character (awk's gsub replacement escapes differ between awks); '?' is
# escaped too, against trigraphs.
$(BUILD)/gen/plugin_h.c: core/migrate/plugin.h
	@mkdir -p $(@D)
	awk 'BEGIN { print "/* Generated from core/migrate/plugin.h by the Makefile. */"; \
	    print "#include <stddef.h>"; print ""; \
	    print "#include \"plugin.h\""; print ""; \
	    print "const char *const plugin_header_lines[] = {" } \
	    { s = ""; for (i = 1; i <= length($$0); i++) { c = substr($$0, i, 1); \
	    if (c == "\\" || c == "\"" || c == "?") s = s "\\"; s = s c }; \
	    printf "\t\"%s\\n\",\n", s } \
	    END { print "\tNULL"; print "};" }' $< >$@.tmp && mv $@.tmp $@

$(GEN_OBJ): $(BUILD)/gen/plugin_h.c
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ) core/plugin.list
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) -Wno-missing-prototypes \
	    -Wno-declaration-after-statement $(CFLAGS) $(LDFLAGS) $(EXPORTS) \
	    -MMD -MP -o $@ $< $(CORE_OBJ) $(LDLIBS) -lcriterion

unit-bins: $(UNIT_BIN)

test check: migrate unit-bins
	@tests/check-src.sh
	@MIGRATE=$(CURDIR)/migrate tests/run-tests.sh $(UNIT_BIN)

unit: unit-bins
	@tests/run-tests.sh --unit-only $(UNIT_BIN)

cli: migrate
	@MIGRATE=$(CURDIR)/migrate tests/run-tests.sh --cli-only

$(BUILD)/bench/plan_bench: tests/bench/plan_bench.c $(CORE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) \
	    $(LDLIBS)

bench: migrate $(BUILD)/bench/plan_bench
	@MIGRATE=$(CURDIR)/migrate PLAN_BENCH=$(CURDIR)/$(BUILD)/bench/plan_bench \
	    tests/bench/run.sh

# libFuzzer targets (clang): make fuzz FUZZTIME=60 runs each for that long.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CORE = $(filter-out core/exec.c core/template.c core/plugin.c,$(wildcard core/*.c))
FUZZTIME ?= 30
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_CORE)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -o $@ \
	    $< $(FUZZ_CORE) $(PKG_LIBS)
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do echo "== $$f"; mkdir -p $(BUILD)/corpus/$$(basename $$f); \
	    $$f -max_total_time=$(FUZZTIME) -max_len=4096 $(BUILD)/corpus/$$(basename $$f) \
	    2>&1 | tail -n 3 || exit 1; done

# Layering rules of STYLE.md, enforced by grep (curl's checksrc idea).
check-src:
	@tests/check-src.sh

deps:
	@missing=""; for p in $(DEBIAN_PKGS); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	    echo "installing:$$missing"; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

MANDIR	?= $(PREFIX)/share/man

install: migrate
	install -D -m 755 migrate $(DESTDIR)$(BINDIR)/migrate
	install -D -m 644 cmd/migrate.1 $(DESTDIR)$(MANDIR)/man1/migrate.1
	install -D -m 644 templates/revision.sql.tmpl $(DESTDIR)$(DATADIR)/templates/revision.sql.tmpl
	install -D -m 644 templates/migrate.ini.tmpl $(DESTDIR)$(DATADIR)/templates/migrate.ini.tmpl
	install -D -m 644 templates/revision.c.tmpl $(DESTDIR)$(DATADIR)/templates/revision.c.tmpl
	install -D -m 644 core/migrate/plugin.h $(DESTDIR)$(INCDIR)/migrate/plugin.h

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/migrate $(DESTDIR)$(MANDIR)/man1/migrate.1
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(INCDIR)/migrate/plugin.h
	-rmdir $(DESTDIR)$(INCDIR)/migrate 2>/dev/null

clean:
	rm -rf $(BUILD) migrate

.PHONY: all test check unit unit-bins cli bench fuzz check-src deps install uninstall clean
-include $(CORE_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(UNIT_BIN:=.d)
