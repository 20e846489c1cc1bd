// handshake_bench.cpp: how fast chatd turns a browser's upgrade request into
// a 101 response (RFC 6455 section 4.2), measured with Google Benchmark.
//
// Build and run from the repository root (not part of `make`), one line:
//   g++ -std=c++17 -O2 -Wall -Wextra -Werror -Isrc tests/bench/handshake_bench.cpp src/http/http_request.cpp src/http/http_target.cpp src/http/handshake.cpp src/http/sha1.cpp src/http/base64.cpp -lbenchmark -pthread -o /tmp/handshake_bench && /tmp/handshake_bench
//
// The input is the 494-byte Chrome request the unit tests verify. Bytes/s
// counts request bytes; items/s is handshakes (or parses) per second. What it
// leaves out: sockets and the event loop, so this is the ceiling the handshake
// code sets, not the server's connection rate.
#include <benchmark/benchmark.h>

#include "../unit/http/http_test_support.h"
#include "http/handshake.h"
#include "http/http_request.h"

namespace {

using http_test_support::kChromeUpgradeRequest;

// Parsing alone, reusing one parser the way a keep-alive server would.
void BM_ParseRequestHead(benchmark::State& state) {
  HttpRequestParser parser;
  for (auto _ : state) {
    parser.reset();
    size_t consumed = parser.feed(kChromeUpgradeRequest.data(), kChromeUpgradeRequest.size());
    benchmark::DoNotOptimize(consumed);
    benchmark::DoNotOptimize(parser.request().header_count);
  }
  if (parser.status() != HttpParseStatus::Complete) state.SkipWithError("request did not parse");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChromeUpgradeRequest.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ParseRequestHead);

// SHA-1 plus base64 of one key: the cryptographic part of the handshake.
void BM_AcceptKey(benchmark::State& state) {
  for (auto _ : state) {
    std::string accept = websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ==");
    benchmark::DoNotOptimize(accept.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_AcceptKey);

// What the server does per WebSocket connection: a fresh parser, the
// request, every RFC 6455 4.2.1 check, and the 101 response bytes.
void BM_FullHandshake(benchmark::State& state) {
  const OriginPolicy origins({"http://localhost:8080"});
  int status = 0;
  for (auto _ : state) {
    HttpRequestParser parser;
    parser.feed(kChromeUpgradeRequest.data(), kChromeUpgradeRequest.size());
    HandshakeResult result = validate_websocket_upgrade(parser.request(), origins);
    status = result.status;
    benchmark::DoNotOptimize(result.response.data());
  }
  if (status != 101) state.SkipWithError("handshake was refused");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kChromeUpgradeRequest.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FullHandshake);

}  // namespace

BENCHMARK_MAIN();
