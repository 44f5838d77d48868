#include "physics/heat.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Heat3D Heat3D::from_options(Options& options) {
  Heat3D p;
  p.diffusivity =
      options.real("heat_diffusivity", p.diffusivity, 1e-8, 1e3, "kappa in u_t = kappa Laplace(u)");
  p.mode = options.integer("heat_mode", p.mode, 1, 64,
                           "m in the exact solution exp(-3 m^2 pi^2 kappa t) sin(m pi x) "
                           "sin(m pi y) sin(m pi z)");
  return p;
}

}  // namespace tessera::physics
