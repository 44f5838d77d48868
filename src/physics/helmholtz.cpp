#include "physics/helmholtz.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Helmholtz2D Helmholtz2D::from_options(Options& options) {
  Helmholtz2D p;
  p.wavenumber =
      options.real("helmholtz_wavenumber", p.wavenumber, 0.0, 1e4, "k in -Laplace(u) - k^2 u = f");
  p.mode_x = options.integer("helmholtz_mode_x", p.mode_x, 1, 256,
                             "a1 in the manufactured solution sin(a1 pi x) sin(a2 pi y)");
  p.mode_y = options.integer("helmholtz_mode_y", p.mode_y, 1, 256,
                             "a2 in the manufactured solution sin(a1 pi x) sin(a2 pi y)");
  return p;
}

}  // namespace tessera::physics
