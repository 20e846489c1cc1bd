// utf8.h: incremental UTF-8 validation (RFC 3629), chatd's one validator:
// WebSocket text messages and close reasons (RFC 6455 section 8.1) and raw
// bytes in JSON strings (RFC 8259 section 8.1) both use it. It sits in base/
// because it is a text utility that two layers need, not a part of either.
//
// The validator keeps one byte of state, so a text message can be checked as
// its bytes arrive, across frame fragments and across reads, and rejected at
// the first byte that makes it invalid rather than only at its end. It rejects
// overlong forms, UTF-16 surrogates (U+D800-U+DFFF) and code points above
// U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

class Utf8Validator {
 public:
  // Feeds more bytes. Returns false as soon as the bytes so far cannot begin
  // any valid UTF-8 string; once false, it stays false until reset().
  bool feed(const uint8_t* data, size_t length);
  bool feed(std::string_view data) {
    return feed(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  // True when everything fed so far is valid and ends on a code point boundary.
  bool complete() const { return state_ == kAccept; }
  bool failed() const { return state_ == kReject; }
  void reset() { state_ = kAccept; }

 private:
  static constexpr uint8_t kAccept = 0;
  static constexpr uint8_t kReject = 1;
  uint8_t state_ = kAccept;
};

// One-shot helper: the whole string is valid UTF-8.
bool is_valid_utf8(std::string_view data);
