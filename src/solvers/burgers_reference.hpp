#pragma once
// The reference solution of the viscous Burgers benchmark (physics/burgers.hpp) on a space-time
// decomposition over x ∈ [-1, 1], t ∈ [0, 1]: the exact Cole–Hopf solution by Gauss–Hermite
// quadrature, evaluated at this rank's block only (no PDE solve, no communication).
#include <vector>

#include "core/decomposition.hpp"
#include "physics/burgers.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct BurgersReferenceConfig {
  // Gauss–Hermite points: 200 give |u| to ~1e-12 at the shock for ν = 0.01/π (see the test).
  int quadrature_points = 200;

  /// Declares and reads -burgers_reference_quadrature_points. Not collective.
  static BurgersReferenceConfig from_options(Options& options);
};

class BurgersReference {
public:
  /// Not collective. decomp must be 2D over (x, t) with at least 2 points per direction (throws
  /// tessera::Error otherwise); builds the quadrature rule.
  /// decomp is kept by reference and must outlive this object.
  BurgersReference(const Decomposition& decomp, const physics::Burgers1D& problem,
                   const BurgersReferenceConfig& config);

  /// Not collective. This rank's block of u on the (x, t) grid, x fastest (space_time_block.hpp).
  std::vector<double> local_solution() const;
  /// Not collective. The exact solution at one point.
  double operator()(double x, double t) const { return exact_(x, t); }

  static constexpr SpaceTimeBox box{-1.0, 1.0, 0.0, 1.0};

private:
  const Decomposition& decomp_;
  physics::ColeHopfBurgers exact_;
};

}  // namespace tessera::solvers
