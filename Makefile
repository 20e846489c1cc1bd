# chatd build.
#
#   make              build ./chatd (poller chosen for this OS: epoll or kqueue)
#   make POLLER=poll  build ./chatd on the portable poll(2) backend
#   make test         build and run every test suite; non-zero exit on any failure
#   make clean        remove build products
#   make install      the binary, the systemd units and the proxy examples where
#                     a package would put them: PREFIX (default /usr/local),
#                     DESTDIR for staging; make uninstall removes them
#
# Objects live in build/<poller>/ so that the epoll and poll builds used by
# `make test` never overwrite each other.

CXX      ?= g++
# CXXFLAGS given on the command line (say, an include path on macOS) are kept,
# and the flags chatd needs are appended to them.
CXXFLAGS ?= -O2 -g
override CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Isrc -MMD -MP
LDFLAGS  ?=
GTEST_LIBS ?= -lgtest -lgtest_main -pthread

UNAME := $(shell uname -s)
ifeq ($(UNAME),Linux)
POLLER ?= epoll
else
POLLER ?= kqueue
endif

BUILD := build/$(POLLER)

# src/ is one folder per layer (docs/00-overview.md); every .cpp in them, the
# command line's options.cpp and the --workers supervisor.cpp, except the
# poller backends not chosen. The entry point, main.cpp, is linked into chatd only.
SRC_FOLDERS := base loop http websocket json redis chat bus server
CORE_SRC := $(filter-out src/loop/poller_%.cpp,$(wildcard $(SRC_FOLDERS:%=src/%/*.cpp))) \
            src/loop/poller_$(POLLER).cpp src/options.cpp src/supervisor.cpp
CORE_OBJ := $(CORE_SRC:src/%.cpp=$(BUILD)/%.o) $(BUILD)/demo_page.o
# Unit tests mirror src/: tests/unit/<folder>/ for each layer, tests/unit/ itself
# for the top (options_test.cpp).
UNIT_SRC := $(wildcard tests/unit/*.cpp tests/unit/*/*.cpp)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.cpp=$(BUILD)/unit/%.o)
INTEGRATION_SRC := $(wildcard tests/integration/*.cpp)
INTEGRATION_OBJ := $(INTEGRATION_SRC:tests/integration/%.cpp=$(BUILD)/integration/%.o)

.PHONY: all test unit integration clean install uninstall
all: chatd

chatd: $(BUILD)/chatd
	cp $< $@

$(BUILD)/chatd: $(BUILD)/main.o $(CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDFLAGS)

$(BUILD)/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

# The demo page is compiled into the binary so ./chatd works from any directory.
$(BUILD)/demo_page.cpp: demo/index.html tools/embed_file.sh
	@mkdir -p $(dir $@)
	sh tools/embed_file.sh demo/index.html kDemoPage > $@

$(BUILD)/demo_page.o: $(BUILD)/demo_page.cpp
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/unit/%.o: tests/unit/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/integration/%.o: tests/integration/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/unit_tests: $(UNIT_OBJ) $(CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(GTEST_LIBS) $(LDFLAGS)

$(BUILD)/integration_tests: $(INTEGRATION_OBJ) $(CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(GTEST_LIBS) $(LDFLAGS)

# Preloaded into chatd by one integration test to step the wall clock back
# (tests/integration/chat_clock_test.cpp); plain C, no sanitizer flags.
$(BUILD)/wall_clock_step.so: tests/integration/wall_clock_step.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -shared -fPIC -o $@ $<

unit: $(BUILD)/unit_tests
integration: $(BUILD)/chatd $(BUILD)/integration_tests $(BUILD)/wall_clock_step.so

# `make test` builds both Linux backends and hands the rest to tests/run_all.sh,
# which runs each suite and prints one summary line.
test: chatd
	$(MAKE) POLLER=$(POLLER) unit integration
ifeq ($(UNAME),Linux)
	$(MAKE) POLLER=poll unit integration
endif
	sh tests/run_all.sh $(POLLER) $(if $(filter Linux,$(UNAME)),poll,)

clean:
	rm -rf build chatd

# Where a package would put each file (the GNU directory variables). The
# units' ExecStart= and Documentation= name the installed paths, so an
# install under another PREFIX still starts the right binary.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DOCDIR     ?= $(PREFIX)/share/doc/chatd
INSTALLED_DOCS := docs/08-running.md README.md
install: chatd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)/nginx $(DESTDIR)$(DOCDIR)/caddy
	install -m 755 chatd $(DESTDIR)$(BINDIR)/chatd
	for unit in chatd.service chatd.socket; do \
	  sed -e 's|/usr/local/bin/chatd|$(BINDIR)/chatd|' -e 's|/usr/local/share/doc/chatd|$(DOCDIR)|' \
	    deploy/systemd/$$unit > $(DESTDIR)$(UNITDIR)/$$unit && chmod 644 $(DESTDIR)$(UNITDIR)/$$unit; \
	done
	install -m 644 deploy/nginx/chatd.conf $(DESTDIR)$(DOCDIR)/nginx/chatd.conf
	install -m 644 deploy/caddy/Caddyfile $(DESTDIR)$(DOCDIR)/caddy/Caddyfile
	install -m 644 $(INSTALLED_DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/chatd $(DESTDIR)$(UNITDIR)/chatd.service $(DESTDIR)$(UNITDIR)/chatd.socket
	rm -rf $(DESTDIR)$(DOCDIR)

-include $(wildcard build/*/*.d build/*/*/*.d build/*/*/*/*.d)

# ===== Benchmarks (tests/bench): not part of `make test` ======================
#
#   make bench        build the load generator (and the websocketpp peer when
#                     its headers are installed), check it, then run the five
#                     scenarios against chatd and the peer servers, then the
#                     bus part (chatd nodes sharing a room through a Redis of
#                     its own, when redis-server is installed); prints the
#                     tables, writes tests/bench/results/ (about 20 minutes;
#                     BENCH_PARTS=bus bash tests/bench/run.sh for the bus only)
#   make bench-quick  the same with small counts and 2-second runs
#   make bench-plot   docs/bench_fanout.svg from tests/bench/results/results.json
#   make bench-scale  the scale benchmark (tests/bench/scale.sh): 1,000,000 connections
#                     through `chatd --workers N --redis`; bench-scale-quick: 20,000
#
# The load generator links the few chatd modules a client needs (SHA-1, base64,
# the Accept key, the frame writer), compiled as for chatd itself.
BENCH_BUILD := build/bench
BENCH_SRC := $(filter-out %_test.cpp,$(wildcard tests/bench/loadgen_*.cpp))
BENCH_OBJ := $(BENCH_SRC:tests/bench/%.cpp=$(BENCH_BUILD)/%.o)
BENCH_CORE_OBJ := $(addprefix $(BUILD)/,http/sha1.o http/base64.o http/handshake.o http/http_responses.o http/http_request.o http/http_target.o \
                    websocket/frame_writer.o websocket/websocket.o)
BENCH_WEBSOCKETPP := $(if $(wildcard /usr/include/websocketpp/server.hpp),$(BENCH_BUILD)/websocketpp_broadcast)

.PHONY: bench bench-quick bench-plot bench-tools bench-scale bench-scale-quick
$(BENCH_BUILD)/%.o: tests/bench/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BENCH_BUILD)/loadgen: $(BENCH_OBJ) $(BENCH_CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDFLAGS)

$(BENCH_BUILD)/loadgen_test: $(BENCH_BUILD)/loadgen_test.o $(BENCH_BUILD)/loadgen_client.o \
		$(BENCH_BUILD)/loadgen_stats.o $(BENCH_BUILD)/loadgen_options.o $(BENCH_CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(GTEST_LIBS) $(LDFLAGS)

# A peer, not chatd code: built with its own flags (no -Werror, so that a
# newer Boost's deprecation warnings cannot break the benchmark build).
$(BENCH_BUILD)/websocketpp_broadcast: tests/bench/peers/websocketpp_broadcast.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -Wall -Wextra -o $@ $< -pthread

bench-tools: $(BUILD)/chatd $(BENCH_BUILD)/loadgen $(BENCH_BUILD)/loadgen_test $(BENCH_WEBSOCKETPP)
	$(BENCH_BUILD)/loadgen_test --gtest_brief=1

bench: bench-tools
	CHATD=$(BUILD)/chatd bash tests/bench/run.sh

bench-quick: bench-tools
	CHATD=$(BUILD)/chatd bash tests/bench/run.sh --quick

# The scale benchmark (tests/bench/scale.sh): a million connections in a
# private network namespace; by hand, about 15 minutes and most of 24 GiB.
bench-scale: $(BUILD)/chatd $(BENCH_BUILD)/loadgen
	CHATD=$(BUILD)/chatd bash tests/bench/scale.sh

bench-scale-quick: $(BUILD)/chatd $(BENCH_BUILD)/loadgen
	CHATD=$(BUILD)/chatd bash tests/bench/scale.sh --quick

bench-plot:
	sh tests/bench/plot.sh tests/bench/results/results.json docs/bench_fanout.svg

# ===== Fuzzing and sanitizers (tests/fuzz): not part of `make test` ===========
#
#   make fuzz                       build the libFuzzer targets into build/fuzz/
#                                   (needs clang and libclang-rt-<version>-dev)
#   make fuzz-run FUZZ_SECONDS=60   run each target that long on a working copy of
#                                   its seed corpus; fails on any crash or leak
#   make asan                       build chatd and both test suites with
#                                   AddressSanitizer + UndefinedBehaviorSanitizer
#                                   in build/asan-<poller>/ and run them; fails on
#                                   any test failure or any sanitizer report,
#                                   leaks at chatd's exit included
#
# Nothing here changes the normal build: the fuzzers compile src/ again into
# build/fuzz/obj/, and `make asan` runs this Makefile again with BUILD pointing
# at its own directory.
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_TARGETS := http_request frames utf8 json resp chat
FUZZ_FLAGS := -std=c++17 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -Isrc -MMD -MP \
              -fsanitize=address,undefined -fno-sanitize-recover=all
# The protocol core only: the targets drive parsers and Chat, never sockets,
# so neither the loop's nor the server's folder is linked in (nor the two
# files above them that need the loop: the output queue, the Redis
# connection), except the one
# pure parser of the server folder that fuzz_http_request drives (client
# addresses, CIDR ranges, X-Forwarded-For).
FUZZ_FOLDERS := base http websocket json redis chat
FUZZ_CORE_SRC := $(filter-out src/websocket/output_queue.cpp src/redis/redis_connection.cpp,$(wildcard $(FUZZ_FOLDERS:%=src/%/*.cpp))) \
                 src/server/client_address.cpp
FUZZ_CORE_OBJ := $(FUZZ_CORE_SRC:src/%.cpp=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINARIES := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-run asan
fuzz: $(FUZZ_BINARIES)

# Library code gets coverage instrumentation; only the link adds libFuzzer's main.
$(FUZZ_BUILD)/obj/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BINARIES): $(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.cpp $(FUZZ_CORE_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_OBJ)

fuzz-run: fuzz
	sh tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

ASAN_CXX ?= clang++
ASAN_BUILD := build/asan-$(POLLER)
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# Reports go to files rather than stderr, so that one from a chatd process an
# integration test started cannot pass unnoticed: any file is a failure.
# CHATD_SANITIZED=1 tells tests that bound memory (RSS) that redzones and
# ASan's quarantine inflate it, so they can scale their bounds.
ASAN_LOGS := $(ASAN_BUILD)/sanitizer-logs
ASAN_ENV := CHATD_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(CURDIR)/$(ASAN_LOGS)/asan \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(CURDIR)/$(ASAN_LOGS)/ubsan

# BUILD goes on the command line (it must beat the := above); CXXFLAGS goes in
# the environment, so that the `+=` above still adds the standard flags.
asan:
	CXXFLAGS="$(ASAN_FLAGS)" $(MAKE) POLLER=$(POLLER) BUILD=$(ASAN_BUILD) CXX=$(ASAN_CXX) unit integration
	rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	$(ASAN_ENV) sh tests/run_all.sh asan-$(POLLER); status=$$?; \
	if [ -n "$$(ls $(ASAN_LOGS))" ]; then \
	  echo "sanitizer reports:"; cat $(ASAN_LOGS)/*; status=1; \
	else echo "sanitizers: no reports"; fi; exit $$status

# ===== Soak test (tests/soak): not part of `make test` ========================
#
#   make soak                       2,000 clients in 10 rooms, 20 senders at
#                                   10 messages/s, 5 reconnects/s, for
#                                   SOAK_SECONDS (default 120); exits non-zero
#                                   on any message lost or out of order, any
#                                   unexpected close, or server RSS growing more
#                                   than 20% + 10 MiB after the warm-up
#   make soak SOAK_SECONDS=3600     the same for an hour
#   make soak SOAK_ARGS="--clients 5000 --rooms 5"   see build/soak/soak --help
#
# The soak client reuses the integration harness (to start chatd and read its
# /proc figures) and the chatd modules a client needs.
SOAK_BUILD := build/soak
SOAK_SECONDS ?= 120
SOAK_ARGS ?=
SOAK_SRC := $(wildcard tests/soak/*.cpp)
SOAK_OBJ := $(SOAK_SRC:tests/soak/%.cpp=$(SOAK_BUILD)/%.o) $(BUILD)/integration/harness.o
SOAK_CORE_OBJ := $(addprefix $(BUILD)/,json/json_reader.o json/json_string.o json/json_writer.o \
                   websocket/frame_writer.o http/base64.o http/sha1.o http/handshake.o http/http_responses.o http/http_request.o \
                   http/http_target.o websocket/websocket.o base/utf8.o)

.PHONY: soak
$(SOAK_BUILD)/%.o: tests/soak/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Itests/integration -c -o $@ $<

$(SOAK_BUILD)/soak: $(SOAK_OBJ) $(SOAK_CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDFLAGS)

soak: $(BUILD)/chatd $(SOAK_BUILD)/soak
	CHATD_BIN=$(BUILD)/chatd $(SOAK_BUILD)/soak --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

# ===== Parser micro-benchmarks (Google Benchmark): not part of `make test` =====
#
#   make parse-bench   throughput of the frame reader (64-byte and 64 KiB masked
#                      frames) and of parsing a browser's handshake request
PARSE_BENCH_LIBS ?= -lbenchmark -pthread
$(BENCH_BUILD)/frame_bench: tests/bench/frame_bench.cpp \
		$(addprefix $(BUILD)/,websocket/message_reader.o websocket/frame_parser.o base/utf8.o \
		  websocket/websocket.o websocket/frame_writer.o)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(PARSE_BENCH_LIBS)

$(BENCH_BUILD)/handshake_bench: tests/bench/handshake_bench.cpp \
		$(addprefix $(BUILD)/,http/http_request.o http/http_target.o http/handshake.o http/http_responses.o http/sha1.o http/base64.o)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(PARSE_BENCH_LIBS)

.PHONY: parse-bench
parse-bench: $(BENCH_BUILD)/frame_bench $(BENCH_BUILD)/handshake_bench
	$(BENCH_BUILD)/frame_bench
	$(BENCH_BUILD)/handshake_bench
