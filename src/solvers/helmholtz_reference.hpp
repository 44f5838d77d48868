#pragma once
// The PETSc reference solution of the 2D Helmholtz problem in physics/helmholtz.hpp:
// -Δu - k²u = f on [-1,1]^2, u = g on the boundary, second-order 5-point finite differences on a
// vertex-centred grid (x_i = -1 + i h, h = 2/(n-1)). The operator is indefinite once k² exceeds
// the lowest Dirichlet eigenvalue, so the default solver is GMRES preconditioned by a parallel
// sparse LU (MUMPS), which on 2D grids of this size costs less than any iteration that would
// work; the deck may choose another under the prefix "helmholtz_reference_".
//
// The DMDA is built from the Decomposition's ownership ranges, so this rank's block of the
// solution is exactly its Decomposition block. Keep kh below ~0.5 (pollution error grows like
// k³h²).
#include <vector>

#include "core/decomposition.hpp"
#include "physics/helmholtz.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/krylov.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct HelmholtzReferenceConfig {
  int points = 129;                     // grid points per direction, boundary included
  KrylovTolerances krylov{1e-10, 200};  // -helmholtz_reference_rtol, _max_iterations

  /// Declares and reads the helmholtz_reference_* options. Not collective, but every rank must
  /// call it (same database).
  static HelmholtzReferenceConfig from_options(Options& options);
};

class HelmholtzReference {
public:
  /// Collective over decomp.comm(). decomp must be 2D with config.points points per direction
  /// (throws tessera::Error otherwise).
  /// Assembles the operator and right-hand side, reads the PETSc options under the prefix
  /// "helmholtz_reference_" and sets the solver up (the factorisation happens here).
  HelmholtzReference(const Decomposition& decomp, const physics::Helmholtz2D& problem,
                     const HelmholtzReferenceConfig& config);

  /// Collective. Throws tessera::Error (on every rank) if the solver does not converge.
  void solve();

  /// Iterations of the last solve. Not collective.
  int iterations() const { return iterations_; }
  /// Grid spacing 2/(n-1). Not collective.
  double h() const { return h_; }
  /// Not collective. Coordinate of global grid index i (either direction).
  double coordinate(int i) const { return -1.0 + 2.0 * i / (points_ - 1); }

  /// This rank's block of the last solution, x fastest: u(i, j) is at (j - ys) * xm + (i - xs).
  /// Not collective; throws before the first successful solve().
  std::vector<double> local_solution() const;

private:
  void assemble(const physics::Helmholtz2D& problem);

  int points_;
  double h_;
  DmdaSystem system_;
  bool solved_ = false;
  int iterations_ = 0;
};

}  // namespace tessera::solvers
