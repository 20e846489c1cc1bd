// histogram.h: a histogram with fixed upper bounds, as Prometheus exposes
// them (server/server_metrics.h writes them out): a count per bucket, a sum
// and a count. Observing is a short scan over a dozen bounds, with no
// allocation, so it can sit on a path that runs once per loop turn or per
// broadcast.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

// Upper bounds in rising order; one more bucket, +Inf, catches the rest.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  const std::vector<uint64_t>& counts() const { return counts_; }  // per bucket, not cumulative; last is +Inf
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  double sum_ = 0;
  uint64_t count_ = 0;
};

inline Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

inline void Histogram::observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}
