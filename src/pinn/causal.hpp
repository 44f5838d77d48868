#pragma once
// Causal training (Wang, Sankaran & Perdikaris 2022): the residual loss of a time-dependent PINN
// is split over time slabs t_0 < t_1 < ... and slab i is weighted by
//   w_i = exp(-epsilon sum_{j<i} L_j),
// so later slabs count only once the earlier ones are resolved: the network cannot fit a late
// time to a wrong early history. The weights are treated as constants in the gradient.
#include <vector>

namespace tessera {
class Options;
}

namespace tessera::pinn {

/// The time slabs and epsilon of causal training; epsilon = 0 turns it off.
struct CausalConfig {
  int time_slabs = 16;
  double epsilon = 0.0;  // 0: no causal weighting

  /// Reads -pinn_causal_slabs and -pinn_causal_epsilon.
  static CausalConfig from_options(Options& options);
};

/// w_i = exp(-epsilon sum_{j<i} slab_losses[j]): non-increasing, w_0 = 1. Not collective.
std::vector<double> causal_weights(const std::vector<double>& slab_losses, double epsilon);

/// The slab of time t in [0, 1] among `slabs` equal ones.
inline int time_slab(double t, int slabs) {
  const int s = static_cast<int>(t * slabs);
  return s < 0 ? 0 : s >= slabs ? slabs - 1 : s;
}

}  // namespace tessera::pinn
