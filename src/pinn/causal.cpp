#include "pinn/causal.hpp"

#include <cmath>

#include "core/options.hpp"

namespace tessera::pinn {

CausalConfig CausalConfig::from_options(Options& options) {
  CausalConfig c;
  c.time_slabs = options.integer("pinn_causal_slabs", c.time_slabs, 1, 4096,
                                 "time slabs of causal training (time-dependent PDEs)");
  c.epsilon = options.real("pinn_causal_epsilon", c.epsilon, 0.0, 1e9,
                           "causality epsilon: slab i weighs exp(-epsilon sum_{j<i} L_j); 0: off");
  return c;
}

std::vector<double> causal_weights(const std::vector<double>& slab_losses, double epsilon) {
  std::vector<double> w(slab_losses.size());
  double preceding = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = std::exp(-epsilon * preceding);
    preceding += slab_losses[i];
  }
  return w;
}

}  // namespace tessera::pinn
