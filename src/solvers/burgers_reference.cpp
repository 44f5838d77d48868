#include "solvers/burgers_reference.hpp"

#include "core/options.hpp"
#include "core/profiling.hpp"

namespace tessera::solvers {

BurgersReferenceConfig BurgersReferenceConfig::from_options(Options& options) {
  BurgersReferenceConfig c;
  c.quadrature_points =
      options.integer("burgers_reference_quadrature_points", c.quadrature_points, 8, 600,
                      "Gauss-Hermite points of the exact Cole-Hopf Burgers solution");
  return c;
}

BurgersReference::BurgersReference(const Decomposition& decomp, const physics::Burgers1D& problem,
                                   const BurgersReferenceConfig& config)
    : decomp_(decomp), exact_(problem, config.quadrature_points) {
  check_space_time_decomposition(decomp, "BurgersReference");
}

std::vector<double> BurgersReference::local_solution() const {
  ProfilingRegion stage(Stage::ReferenceSolve);
  return sample_space_time_block(decomp_, box, [this](double x, double t) { return exact_(x, t); });
}

}  // namespace tessera::solvers
