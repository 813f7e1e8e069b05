# baton — one GNU Makefile.
#   make                 build ./baton
#   make test            install missing Debian packages, build, run every test (prove)
#   make SANITIZE=address,undefined test
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
# libgit2 is dlopen'ed on first use (src/lib/git/git.c): its dependency tree costs ~5 ms
# at every start. SQLite, PCRE2, zstd and inih link statically when their archives are
# there, for the same reason (a hook's whole budget is a few milliseconds). JSON is
# baton's own (src/lib/core/cjson.c: Debian has no static libcjson) and libm is opened
# on first use (src/lib/core/libm_lazy.c), so the binary needs libc alone (t0001).
STATIC_PKGS := sqlite3 libpcre2-8 libzstd inih
STATIC_OK   := $(shell for n in $$(pkg-config --libs-only-l $(STATIC_PKGS) | sed 's/-l//g'); do \
                 [ -f "$$($(CC) -print-file-name=lib$$n.a)" ] || { echo no; exit; }; done; echo yes)
ifeq ($(STATIC_OK),yes)
PKG_LIBS := -Wl,-Bstatic $(shell pkg-config --libs-only-l $(STATIC_PKGS)) -Wl,-Bdynamic \
            -ldl -lpthread
else
PKG_LIBS := $(shell pkg-config --libs $(filter-out libgit2,$(PKGS))) -ldl -lpthread
endif
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# The binary is a fixed-position executable: starting a PIE relocates the statically
# linked SQLite's and PCRE2's tables and copies the pages they sit on, 0.26 ms of a
# hook's ~3 ms (bench: `baton --version` against the floor). Shared libraries, stack
# and heap stay randomised; baton only reads its own store and the agents' files.
BIN_LDFLAGS ?= -no-pie
BIN_LDFLAGS += -Wl,--dynamic-list=src/lib/git/interpose.list

WARN := -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla -fno-common -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif

OPT ?= -O2 -g
CFLAGS ?=
ALL_CFLAGS := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Isrc/lib -Isrc \
              -include src/lib/compat.h $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS := $(PKG_LIBS)
# Linked as an object, ahead of the archives, so that every math call (the static
# SQLite's too) binds to the lazy forwarders; test and fuzz binaries add -lm for
# whatever else they call.
LIBM_LAZY = $(O)/src/lib/core/libm_lazy.o

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
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o)
UNIT_BIN := $(UNIT_SRC:t/unit/%.c=$(O)/t/%)
TLIB_OBJ := $(TLIB_SRC:%.c=$(O)/%.o)
LIB      := $(O)/libbaton.a
BIN      := $(O)/baton

.PHONY: all test unit cli demo bench fuzz fuzz-readers e2e install clean
all: $(BIN) baton

baton: $(BIN)
	@ln -sf $(BIN) baton

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBM_LAZY): ALL_CFLAGS += -fno-builtin

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(BIN_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBM_LAZY) $(LIB) $(LDLIBS)

$(O)/t/%: t/unit/%.c $(LIB) $(TLIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(TLIB_OBJ) $(LIBM_LAZY) $(LIB) $(LDLIBS) $(CMOCKA_LIBS) -lm

# Tests: cmocka binaries speak TAP; CLI scripts are TAP too; prove runs them all and
# closes with its one summary line.
PROVE ?= prove
PROVE_JOBS ?= 2
# Under sanitizers every process starts far slower: the stress tests scale down
# (BATON_TEST_SANITIZED) while checking the same properties.
test: $(BIN) $(UNIT_BIN)
	@BATON_BIN=$(abspath $(BIN)) BATON_TEST_BUILD=$(abspath $(O)) CMOCKA_MESSAGE_OUTPUT=TAP \
		BATON_TEST_SANITIZED=$(if $(SANITIZE),1,0) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(PROVE) -j$(PROVE_JOBS) --exec '' $(UNIT_BIN) $(sort $(wildcard t/cli/t*.sh))

unit: $(UNIT_BIN)
	@CMOCKA_MESSAGE_OUTPUT=TAP $(PROVE) --exec '' $(UNIT_BIN)

cli: $(BIN)
	@BATON_BIN=$(abspath $(BIN)) $(PROVE) -j$(PROVE_JOBS) --exec '' $(sort $(wildcard t/cli/t*.sh))

# The overview on an embedded demo store: sample transcripts and a scripted day.
demo: $(BIN)
	@sh scripts/demo $(abspath $(BIN))

fuzz-readers:
	@$(MAKE) --no-print-directory FUZZ=1 CC=clang build/fuzz/libbaton.a
	@for r in $(FUZZ_READERS); do \
		clang $(filter-out -MMD -MP,$(ALL_CFLAGS)) -fsanitize=fuzzer,address,undefined -DREADER=baton_source_$$r \
			-o build/fuzz/fuzz_$$r t/fuzz/fuzz_reader.c build/fuzz/libbaton.a $(LDLIBS) -lm || exit 1; \
	done
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
