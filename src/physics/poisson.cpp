#include "physics/poisson.hpp"

#include "core/options.hpp"

namespace tessera::physics {

Poisson2D Poisson2D::from_options(Options& options) {
  Poisson2D p;
  p.frequency = options.integer("poisson_frequency", 1, 1, 64,
                                "k in the manufactured solution sin(k pi x) sin(k pi y); "
                                "k > 1 is the harder, higher-frequency case");
  p.peak_width = options.real("poisson_peak_width", 0.0, 0.0, 0.5,
                              "width w of the Gaussian peak solution exp(-|x-c|^2/(2w^2)), "
                              "c = (1/2, 1/2); 0 for the sine solution");
  p.multiscale_amplitude =
      options.real("poisson_multiscale_amplitude", p.multiscale_amplitude, 0.0, 100.0,
                   "a in u = sin(k pi x) sin(k pi y) + a sin(m pi x) sin(m pi y); 0: one scale");
  p.multiscale_frequency = options.integer("poisson_multiscale_frequency", 8, 1, 64,
                                           "m, the frequency of the fine-scale mode");
  return p;
}

}  // namespace tessera::physics
