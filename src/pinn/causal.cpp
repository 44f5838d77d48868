#include "pinn/causal.hpp"

#include <cmath>

namespace tessera::pinn {

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
