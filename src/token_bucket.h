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
    if (!started_) {
      tokens_ = static_cast<float>(burst);
      started_ = true;
    } else {
      double refill = static_cast<double>(now_ms - last_ms_) * rate_per_second / 1000.0;
      double tokens = tokens_ + refill;
      tokens_ = static_cast<float>(tokens > burst ? burst : tokens);
    }
    last_ms_ = now_ms;
    if (tokens_ < 1.0f) return false;
    tokens_ -= 1.0f;
    return true;
  }

 private:
  int64_t last_ms_ = 0;
  float tokens_ = 0;
  bool started_ = false;
};
