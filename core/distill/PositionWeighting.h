#pragma once
// Pos2Distill's position-aware weighting (METHOD.md §2b), over the KL instances
// of one optimizer batch. Pure arithmetic on the instances' KLs, so it is
// tested against the Python reference by itself. The result is each instance's
// factor in L = Σ_i factor_i · KL_i (factors carry no gradient):
//   paper   α_i = s_p · KL_i / max_{j∈B_p} KL_j;  anchors λ / n_anchors
//   code    w_i = s_p · n_bins / |B_p| · KL_i / max_{j∈B_p} KL_j;  anchors λ each
//   uniform 1 / n_activation;  anchors λ / n_anchors
// with bins B_p of activation instances by gold position, m_p the mean KL of a
// bin and s = softmax over the bins present of m. A bin whose max KL is 0
// contributes 0; a batch without anchors has no anchor term.
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

enum class Weighting { Paper, Code, Uniform };

class PositionWeighting {
public:
  struct Row {
    bool anchor = false;
    int64_t bin = 0; // gold position (activation rows)
    double kl = 0;
  };

  static std::vector<double> factors(const std::vector<Row>& rows, Weighting weighting, double lambda);

  static Weighting parse(const std::string& name, const std::string& field); // paper | code | uniform
  static const char* name(Weighting weighting);
};

} // namespace poslab
