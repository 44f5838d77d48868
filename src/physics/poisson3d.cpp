#include "physics/poisson3d.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Poisson3D Poisson3D::from_options(Options& options) {
  Poisson3D p;
  p.multiscale_amplitude = options.real(
      "poisson3d_multiscale_amplitude", p.multiscale_amplitude, 0.0, 100.0,
      "a in u = sin(pi x) sin(pi y) sin(pi z) + a sin(m pi x) sin(m pi y) sin(m pi z); 0: smooth");
  p.multiscale_frequency = options.integer("poisson3d_multiscale_frequency", p.multiscale_frequency,
                                           1, 64, "m, the frequency of the fine-scale mode");
  return p;
}

}  // namespace tessera::physics
