// token_bucket.h: the per-client message rate limit.
//
// A bucket holds up to `burst` tokens and refills at `rate` tokens per
// second; each chat message takes one. A client may send a burst of messages
// at once, but its long-run rate cannot exceed `rate`. Refilling is computed
// from the time since the last message, so idle clients cost nothing: no
// timer, no periodic scan.
#pragma once

#include <cstdint>

class TokenBucket {
 public:
  // Takes a token if one is available at now_ms; false means "over the limit".
  bool take(int64_t now_ms, double rate_per_second, double burst) {
    // The last time is kept as 32 bits of milliseconds (8 bytes per client
    // instead of 16, which matters at 20,000 clients). Unsigned subtraction
    // gives the right gap across the wrap, for any gap under 49 days; a
    // client silent longer than that has a full bucket anyway.
    uint32_t now = static_cast<uint32_t>(now_ms);
    if (tokens_ < 0) {
      tokens_ = static_cast<float>(burst);  // first message: a full bucket
    } else {
      double refill = static_cast<double>(now - last_ms_) * rate_per_second / 1000.0;
      double tokens = tokens_ + refill;
      tokens_ = static_cast<float>(tokens > burst ? burst : tokens);
    }
    last_ms_ = now;
    if (tokens_ < 1.0f) return false;
    tokens_ -= 1.0f;
    return true;
  }

 private:
  uint32_t last_ms_ = 0;
  float tokens_ = -1;  // negative: no message yet
};
