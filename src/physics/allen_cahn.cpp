#include "physics/allen_cahn.hpp"

#include "core/options.hpp"

namespace tessera::physics {

AllenCahn1D AllenCahn1D::from_options(Options& options) {
  AllenCahn1D p;
  p.diffusion = options.real("allen_cahn_diffusion", p.diffusion, 1e-8, 10.0,
                             "D in u_t - D u_xx + r u^3 - r u = 0 (the benchmark: 1e-4)");
  p.reaction = options.real("allen_cahn_reaction", p.reaction, 0.0, 1e3,
                            "r in u_t - D u_xx + r u^3 - r u = 0 (the benchmark: 5)");
  return p;
}

}  // namespace tessera::physics
