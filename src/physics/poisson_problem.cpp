#include "physics/poisson_problem.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Poisson1D Poisson1D::from_options(Options& options) {
  Poisson1D p;
  p.frequency = options.integer("poisson_frequency", 1, 1, 64,
                                "k in the manufactured solution sin(k pi x) (1D); "
                                "k > 1 is the harder, higher-frequency case");
  return p;
}

const char* PoissonProblem::name() const {
  return dim == 1 ? "poisson1d" : dim == 2 ? "poisson2d" : "poisson3d";
}

}  // namespace tessera::physics
