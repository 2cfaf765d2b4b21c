# motcua - one non-recursive Makefile.
#   make          build build/motcua
#   make run      install missing Debian packages, build, init ./motcua.db, serve
#   make test     the whole suite: unit, integration (SQLite, and PostgreSQL
#                 when MOTCUA_TEST_PG is set), browser
#   make asan     the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz     libFuzzer targets for FUZZ_SECONDS each (clang)
#   make bench    benchmarks (wrk on loopback, core micro-benchmarks)
#   make check    style checks (layering of #includes, banned functions)

BUILD   ?= build
CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libqrencode libsodium libutf8proc xlsxwriter libpng libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmagic -lm -lpthread

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDFLAGS := $(SAN)

SRC      := $(sort $(wildcard src/*/*.c))
MAIN_SRC := src/cli/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embed_data.o $(BUILD)/obj/gen/embed_index.o
LIB      := $(BUILD)/libmotcua.a
BIN      := $(BUILD)/motcua

EMBED_FILES := $(sort $(shell find assets migrations data -type f ! -name '.*' 2>/dev/null))

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BIN)

$(BIN): $(BUILD)/obj/$(MAIN_SRC:.c=.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c | $(BUILD)/gen/embed_index.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Embedded files: an assembler file that .incbin's each file, and an index.
$(BUILD)/gen/embed_index.c $(BUILD)/gen/embed_data.S &: tools/embed.sh $(EMBED_FILES)
	@mkdir -p $(BUILD)/gen
	sh tools/embed.sh $(BUILD)/gen $(EMBED_FILES)

$(BUILD)/obj/gen/embed_data.o: $(BUILD)/gen/embed_data.S
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -c -o $@ $<

$(BUILD)/obj/gen/embed_index.o: $(BUILD)/gen/embed_index.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

integ: $(BIN)
	@MOTCUA_BIN=$(BIN) sh tests/integ/run.sh

e2e: $(BIN)
	@MOTCUA_BIN=$(BIN) sh tests/e2e/run.sh

test: $(BIN) $(UNIT_BIN)
	@MOTCUA_BIN=$(BIN) sh tests/run-all.sh $(UNIT_BIN)

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		MOTCUA_SKIP_E2E=1 test

FUZZ_SECONDS ?= 30
fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: $(BIN)
	@if [ -f bench/run-core.sh ]; then sh bench/run-core.sh; fi
	@sh bench/run.sh $(BIN)
	@sh bench/run-dossier.sh $(BIN)
	@sh bench/run-citizen.sh $(BIN)

check:
	@sh tools/check.sh

deps:
	@sh tools/deps.sh

run: deps
	$(MAKE) $(BIN)
	$(BIN) init --db sqlite:motcua.db
	$(BIN) demo --db sqlite:motcua.db --url http://127.0.0.1:8080
	$(BIN) serve --db sqlite:motcua.db --listen 127.0.0.1:8080

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all unit integ e2e test asan fuzz bench check deps run clean

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
