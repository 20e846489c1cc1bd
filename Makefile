# chatd build.
#
#   make              build ./chatd (poller chosen for this OS: epoll or kqueue)
#   make POLLER=poll  build ./chatd on the portable poll(2) backend
#   make test         build and run every test suite; non-zero exit on any failure
#   make clean        remove build products
#
# Objects live in build/<poller>/ so that the epoll and poll builds used by
# `make test` never overwrite each other.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Isrc -MMD -MP
LDFLAGS  ?=
GTEST_LIBS ?= -lgtest -lgtest_main -pthread

UNAME := $(shell uname -s)
ifeq ($(UNAME),Linux)
POLLER ?= epoll
else
POLLER ?= kqueue
endif

BUILD := build/$(POLLER)

# Every src/*.cpp except the entry point and the poller backends not chosen.
CORE_SRC := $(filter-out src/main.cpp src/poller_%.cpp,$(wildcard src/*.cpp)) src/poller_$(POLLER).cpp
CORE_OBJ := $(CORE_SRC:src/%.cpp=$(BUILD)/%.o) $(BUILD)/demo_page.o
UNIT_SRC := $(wildcard tests/unit/*.cpp)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.cpp=$(BUILD)/unit/%.o)
INTEGRATION_SRC := $(wildcard tests/integration/*.cpp)
INTEGRATION_OBJ := $(INTEGRATION_SRC:tests/integration/%.cpp=$(BUILD)/integration/%.o)

.PHONY: all test unit integration clean
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

unit: $(BUILD)/unit_tests
integration: $(BUILD)/chatd $(BUILD)/integration_tests

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

-include $(wildcard build/*/*.d build/*/*/*.d)

# ===== Benchmarks (tests/bench): not part of `make test` ======================
#
#   make bench        build the load generator (and the websocketpp peer when
#                     its headers are installed), check it, then run the five
#                     scenarios against chatd and the peer servers; prints the
#                     table, writes tests/bench/results/ (about 20 minutes)
#   make bench-quick  the same with small counts and 2-second runs
#   make bench-plot   docs/bench_fanout.svg from tests/bench/results/results.json
#
# The load generator links the few chatd modules a client needs (SHA-1, base64,
# the Accept key, the frame writer), compiled as for chatd itself.
BENCH_BUILD := build/bench
BENCH_SRC := $(filter-out %_test.cpp,$(wildcard tests/bench/loadgen_*.cpp))
BENCH_OBJ := $(BENCH_SRC:tests/bench/%.cpp=$(BENCH_BUILD)/%.o)
BENCH_CORE_OBJ := $(addprefix $(BUILD)/,sha1.o base64.o handshake.o http_request.o frame_writer.o websocket.o)
BENCH_WEBSOCKETPP := $(if $(wildcard /usr/include/websocketpp/server.hpp),$(BENCH_BUILD)/websocketpp_broadcast)

.PHONY: bench bench-quick bench-plot bench-tools
$(BENCH_BUILD)/%.o: tests/bench/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(BENCH_BUILD)/loadgen: $(BENCH_OBJ) $(BENCH_CORE_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDFLAGS)

$(BENCH_BUILD)/loadgen_test: $(BENCH_BUILD)/loadgen_test.o $(BENCH_BUILD)/loadgen_client.o \
		$(BENCH_BUILD)/loadgen_stats.o $(BENCH_CORE_OBJ)
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

bench-plot:
	sh tests/bench/plot.sh tests/bench/results/results.json docs/bench_fanout.svg
