#pragma once
// Accumulates AttentionProfiles over examples and gold positions into the
// document × gold-position matrix (AttentionMassMatrix), per layer (mean over
// heads) and averaged over layers and heads. Sums in double; only means leave.
#include "core/attention/AttentionMassMatrix.h"
#include "core/attention/AttentionProfile.h"

#include <cstddef>
#include <vector>

namespace poslab {

class AttentionAggregator {
public:
  // positions: the number of gold positions (columns), usually the document count.
  explicit AttentionAggregator(size_t positions) : positions_(positions) {}

  // One (example, gold position) profile. The first sets the shape; every later
  // one must have the same layers, heads, documents and query kind.
  void add(const AttentionProfile& profile, size_t goldPosition);

  AttentionMassMatrix result() const;
  size_t added() const { return added_; }

private:
  size_t positions_;
  size_t added_ = 0;
  std::string query_;
  size_t layers_ = 0, heads_ = 0, documents_ = 0;
  std::vector<double> mass_;    // [layers][documents][positions], sums over examples of head means
  std::vector<double> outside_; // [layers][positions]
  std::vector<double> sink_;    // [layers][positions]
  std::vector<size_t> counts_;  // [positions]
};

} // namespace poslab
