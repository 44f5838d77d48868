#include "physics/poisson.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Poisson2D Poisson2D::from_options(Options& options) {
  Poisson2D p;
  p.frequency = options.integer("poisson_frequency", 1, 1, 64,
                                "k in the manufactured solution sin(k pi x) sin(k pi y); "
                                "k > 1 is the harder, higher-frequency case");
  return p;
}

}  // namespace tessera::physics
