# baton — one GNU Makefile.
#   make                 build ./baton
#   make test            install missing Debian packages, build, run every test (prove)
#   make SANITIZE=address,undefined test
#   make STATIC=0        a dynamic binary (the default is one static executable where
#                        every archive is installed; see "How the binary is linked")
#   make DEVELOPER=1     warnings are errors
#   make demo            the overview on an embedded demo store (README's first command)
#   make bench / fuzz / e2e   heavy runs, on demand
#   make install PREFIX=/usr/local

PREFIX  ?= /usr/local
CC      ?= cc
O       := build
PKGS    := sqlite3 libgit2 libpcre2-8 libzstd inih

# Install missing packages before anything needs pkg-config (skipped for clean/help).
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(BATON_SKIP_DEPS),1)
DEPS_STATUS := $(shell sh scripts/install-deps >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error scripts/install-deps failed; install the packages it named and run make again)
endif
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# How the binary is linked (both measured by `make bench`: `baton --version` and the
# hooks against the floor, a minimal C program's start):
# - STATIC=1, the default where every archive is installed (Debian's -dev packages
#   have them all): one static executable, libc and libgit2 included. Nothing is
#   mapped or relocated at start: `baton --version` 2.69-2.74 -> 2.35 ms here, an
#   ordinary prompt's hook 2.97-3.40 -> 2.52-2.74 ms (docs/hooks.md).
# - STATIC=0 (also under sanitizers, fuzzing, or when an archive is missing): libc is
#   shared; libgit2 is dlopen'ed on first use (src/lib/git/git.c: its shared dependency
#   tree costs ~5 ms at every start) and libm too (src/lib/core/libm_lazy.c), so the
#   binary needs libc alone (t0001). SQLite, PCRE2, zstd and inih link statically when
#   their archives are there; a PIE would relocate their tables at every start (0.26 ms),
#   hence -no-pie. JSON is baton's own (src/lib/core/cjson.c: Debian has no static
#   libcjson). Shared libraries, stack and heap stay randomised either way.
# libgit2's initialisation of TLS and SSH, which baton never uses, is skipped through
# three interposed functions (git.c): --wrap when linked, --dynamic-list when loaded.
STATIC_PKGS := sqlite3 libpcre2-8 libzstd inih
have_archives = $(shell for n in $$(pkg-config --static --libs-only-l $(1) | sed 's/-l//g') $(2); do \
                  [ -f "$$($(CC) -print-file-name=lib$$n.a)" ] || { echo no; exit; }; done; echo yes)
STATIC ?= auto
ifneq ($(SANITIZE)$(FUZZ),)
override STATIC := 0
endif
ifeq ($(STATIC),auto)
override STATIC := $(if $(filter yes,$(call have_archives,$(PKGS),c m)),1,0)
endif
ifeq ($(call have_archives,$(STATIC_PKGS)),yes)
STATIC_LIBS := -Wl,-Bstatic $(shell pkg-config --libs-only-l $(STATIC_PKGS)) -Wl,-Bdynamic
else
STATIC_LIBS := $(shell pkg-config --libs $(STATIC_PKGS))
endif
GIT_WRAP := -Wl,--wrap=mbedtls_x509_crt_parse_file,--wrap=mbedtls_x509_crt_parse_path
ifeq ($(STATIC),1)
GIT_DEFS    := -DBATON_GIT_LINKED
BIN_LDFLAGS ?= -static -no-pie
# libgit2.pc names -lssh2, which ssh_absent.o leaves unreferenced: dropped, and with it
# OpenSSL, which libssh2 needs
BIN_LIBS    := $(GIT_WRAP) $(filter-out -lssh2,$(shell pkg-config --static --libs $(PKGS))) -lm
# unit tests link the same objects against the shared libgit2 (cmocka has no archive)
PKG_LIBS    := $(GIT_WRAP) $(STATIC_LIBS) $(shell pkg-config --libs libgit2) -lmbedx509 -ldl -lpthread
# linked as an object: no archive member would be pulled for libgit2's references
LINK_FIRST   = $(O)/src/lib/git/gssapi_absent.o
# the binary only (unit tests load the shared libgit2, which has its own SSH)
BIN_FIRST    = $(O)/src/lib/git/ssh_absent.o
# The code the most frequent commands run, placed first (scripts/hot-text makes the
# list): each page fault on the text maps the 64 KiB around it, and an ordinary
# prompt's hook touched 19 such windows spread over 4 MB; now ~7 (docs/hooks.md).
# HOT_TEXT=0 links in the default order.
HOT_TEXT ?= 1
ifeq ($(HOT_TEXT),1)
BIN_LDFLAGS += -Wl,-T,scripts/hot-text.ld
BIN_DEPS    := scripts/hot-text.ld
endif
else
GIT_DEFS    :=
BIN_LDFLAGS ?= -no-pie
BIN_LDFLAGS += -Wl,--dynamic-list=src/lib/git/interpose.list
PKG_LIBS    := $(STATIC_LIBS) -ldl -lpthread
# Linked as an object, ahead of the archives, so that every math call (the static
# SQLite's too) binds to the lazy forwarders; test and fuzz binaries add -lm for
# whatever else they call.
LINK_FIRST   = $(O)/src/lib/core/libm_lazy.o
endif
BIN_LIBS ?= $(PKG_LIBS)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -fno-common -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

OPT ?= -O2 -g
CFLAGS ?=
# -ffunction-sections: each function its own section, so that the linker can place
# the ones every start runs together (scripts/hot-text.ld); -fno-merge-constants:
# baton's string literals stay with its code's data instead of being merged with the
# libraries' (a start touched 5 windows of them; now 1)
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -ffunction-sections -fno-merge-constants -Iinclude -Isrc/lib -Isrc \
              -include src/lib/compat.h $(PKG_CFLAGS) $(GIT_DEFS) $(CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS)

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
O := build/san
endif

# make fuzz: libFuzzer targets, one per transcript reader, built with clang into
# build/fuzz and run FUZZ_TIME seconds each over t/fuzz/corpus/<reader>.
ifneq ($(FUZZ),)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=fuzzer,address,undefined
O := build/fuzz
endif
FUZZ_TIME ?= 60
FUZZ_READERS := claude codex gemini opencode

LIB_SRC  := $(sort $(wildcard src/lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard t/unit/test_*.c))
TLIB_SRC := $(sort $(wildcard t/lib/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o)
ifeq ($(STATIC),1)
LIB_OBJ  := $(filter-out %/libm_lazy.o,$(LIB_OBJ))
endif
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o)
UNIT_BIN := $(UNIT_SRC:t/unit/%.c=$(O)/t/%)
TLIB_OBJ := $(TLIB_SRC:%.c=$(O)/%.o)
LIB      := $(O)/libbaton.a
BIN      := $(O)/baton

.PHONY: all test unit cli demo bench fuzz fuzz-readers e2e install clean FORCE
all: $(BIN) baton

baton: $(BIN)
	@ln -sf $(BIN) baton

# Everything is rebuilt when the flags change (an edit here, CFLAGS, SANITIZE or
# HOT_TEXT on the command line): the stamp holds them and is rewritten only when they
# differ, so its date says when they last changed.
FLAGS_STAMP := $(O)/flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(O)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(BIN_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(BIN_LDFLAGS)' >$@
FORCE:

$(O)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/src/lib/core/libm_lazy.o: ALL_CFLAGS += -fno-builtin

$(BIN): $(CLI_OBJ) $(LIB) $(BIN_DEPS) $(FLAGS_STAMP)
	@rm -f $@ $@.ld
	$(CC) $(LDFLAGS) $(BIN_LDFLAGS) -o $@ $(CLI_OBJ) $(LINK_FIRST) $(BIN_FIRST) $(LIB) $(BIN_LIBS) 2>$@.ld || { cat $@.ld >&2; exit 1; }
	@# a static glibc warns about its NSS functions (getpwuid_r in libgit2): not for baton's use
	@grep -v -e 'statically linked applications requires at runtime' -e 'in function' $@.ld >&2 || true; rm -f $@.ld
ifeq ($(STATIC),1)
	@# debug information in $@.debug (gdb finds it through the debug link): an
	@# executable carrying it starts ~0.15 ms slower here (bench: baton --version)
	objcopy --only-keep-debug $@ $@.debug && objcopy --strip-debug --add-gnu-debuglink=$@.debug $@
endif

$(O)/t/%: t/unit/%.c $(LIB) $(TLIB_OBJ) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TLIB_OBJ) $(LINK_FIRST) $(LIB) $(LDLIBS) $(CMOCKA_LIBS) -lm

# Tests: cmocka binaries speak TAP; CLI scripts are TAP too; prove runs them all and
# closes with its one summary line.
PROVE ?= prove
PROVE_JOBS ?= 2
# Under sanitizers every process starts far slower: the stress tests scale down
# (BATON_TEST_SANITIZED) while checking the same properties.
test: $(BIN) $(UNIT_BIN)
	@BATON_BIN=$(abspath $(BIN)) BATON_TEST_BUILD=$(abspath $(O)) CMOCKA_MESSAGE_OUTPUT=TAP \
		BATON_TEST_SANITIZED=$(if $(SANITIZE),1,0) BATON_TEST_HOT_TEXT=$(HOT_TEXT) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(PROVE) -j$(PROVE_JOBS) --exec '' $(UNIT_BIN) $(sort $(wildcard t/cli/t*.sh))

unit: $(UNIT_BIN)
	@CMOCKA_MESSAGE_OUTPUT=TAP $(PROVE) --exec '' $(UNIT_BIN)

cli: $(BIN)
	@BATON_BIN=$(abspath $(BIN)) $(PROVE) -j$(PROVE_JOBS) --exec '' $(sort $(wildcard t/cli/t*.sh))

# The overview on an embedded demo store: sample transcripts and a scripted day.
demo: $(BIN)
	@sh scripts/demo $(abspath $(BIN))

# built by a FUZZ=1 make, whose flags and libraries are the dynamic build's
fuzz-readers:
	@$(MAKE) --no-print-directory FUZZ=1 CC=$(FUZZ_CC) $(FUZZ_READERS:%=build/fuzz/fuzz_%)
	@for r in $(FUZZ_READERS); do \
		mkdir -p build/fuzz/corpus/$$r; \
		echo "fuzz $$r ($(FUZZ_TIME)s)"; \
		build/fuzz/fuzz_$$r -max_total_time=$(FUZZ_TIME) -max_len=65536 -print_final_stats=1 \
			build/fuzz/corpus/$$r t/fuzz/corpus/$$r 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' || exit 1; \
	done

bench: $(BIN)
	@sh bench/run $(abspath $(BIN))

# Fuzzing: every t/fuzz/fuzz_NAME.c is a libFuzzer target over the library.
#   make fuzz-NAME [FUZZ_TIME=180]   one target; corpus in t/fuzz/corpus-NAME (seeds: t/fuzz/seeds/NAME)
#   make fuzz                        every target, FUZZ_TIME seconds each
FUZZ_CC ?= clang
FUZZ_NAMES := $(filter-out reader,$(patsubst t/fuzz/fuzz_%.c,%,$(wildcard t/fuzz/fuzz_*.c)))
fuzz: fuzz-readers $(addprefix fuzz-,$(FUZZ_NAMES))
fuzz-%: t/fuzz/fuzz_%.c
	@$(MAKE) --no-print-directory FUZZ=1 CC=$(FUZZ_CC) build/fuzz/fuzz_$*
	@mkdir -p t/fuzz/corpus-$* t/fuzz/seeds/$*
	$(CURDIR)/build/fuzz/fuzz_$* -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
		$(CURDIR)/t/fuzz/corpus-$* $(CURDIR)/t/fuzz/seeds/$*

build/fuzz/fuzz_%: t/fuzz/fuzz_%.c $(LIB)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB) $(LDLIBS) -lm

# one libFuzzer binary per transcript reader, from t/fuzz/fuzz_reader.c
$(FUZZ_READERS:%=build/fuzz/fuzz_%): build/fuzz/fuzz_%: t/fuzz/fuzz_reader.c $(LIB)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fsanitize=fuzzer,address,undefined -DREADER=baton_source_$* \
		-o $@ $< $(LIB) $(LDLIBS) -lm

# End to end against the real clients (npm packages, Node 22, loopback only).
E2E_CACHE ?= $(HOME)/.cache/baton-e2e
e2e: $(BIN)
	@BATON_BIN=$(abspath $(BIN)) E2E_CACHE=$(E2E_CACHE) sh t/e2e/run && \
		BATON_BIN=$(abspath $(BIN)) E2E_CACHE=$(E2E_CACHE) sh t/e2e/hooks

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/baton
	install -m 0644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build baton

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TLIB_OBJ:.o=.d)
