#pragma once
// The reference solution of the Allen–Cahn benchmark (physics/allen_cahn.hpp) on a space-time
// decomposition over x ∈ [-1, 1) (periodic) × t ∈ [0, 1]: the method of lines on a fine periodic
// 1D DMDA (3-point u_xx, second order) integrated by a PETSc TS (classical RK4 with a fixed step
// by default; any TS from the deck under the prefix "allen_cahn_reference_", e.g. ts_rk_type 3 or
// ts_type ssp).
//
// The 1D problem is small (a few thousand unknowns), so every rank integrates all of it on
// PETSC_COMM_SELF, without communication, and keeps the snapshots of its own time range at its own
// points. The solver grid refines the decomposition's x grid by an integer factor, so every output
// point is a solver point and nothing is interpolated.
#include <vector>

#include "core/decomposition.hpp"
#include "physics/allen_cahn.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct AllenCahnReferenceConfig {
  int points = 2048;          // solver points per period; a multiple of the output x points
  double time_step = 2.5e-4;  // largest step; each output interval is split into equal steps

  /// Declares and reads the allen_cahn_reference_* options. Not collective.
  static AllenCahnReferenceConfig from_options(Options& options);
};

/// Not collective (solves on PETSC_COMM_SELF). Integrates from u(x, 0) and returns the solution on
/// the solver grid x_i = -1 + 2 i / points at each of `times` (non-decreasing, >= 0), as
/// snapshots[k][i]. Throws tessera::Error if the TS fails or the inputs are unusable.
std::vector<std::vector<double>> allen_cahn_snapshots(const physics::AllenCahn1D& problem,
                                                      const AllenCahnReferenceConfig& config,
                                                      const std::vector<double>& times);

class AllenCahnReference {
public:
  static constexpr SpaceTimeBox box{-1.0, 1.0, 0.0, 1.0, true};

  /// Not collective. decomp must be 2D over (x, t) with config.points a multiple of its x points;
  /// throws tessera::Error naming -allen_cahn_reference_points otherwise.
  /// decomp is kept by reference and must outlive this object.
  AllenCahnReference(const Decomposition& decomp, const physics::AllenCahn1D& problem,
                     const AllenCahnReferenceConfig& config);

  /// Not collective. Integrates to the end of this rank's time range and returns its block on the
  /// (x, t) grid, x fastest (space_time_block.hpp).
  std::vector<double> local_solution() const;

private:
  const Decomposition& decomp_;
  physics::AllenCahn1D problem_;
  AllenCahnReferenceConfig config_;
};

}  // namespace tessera::solvers
