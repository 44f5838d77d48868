#pragma once
// The PETSc reference solution of the 3D Poisson problem in physics/poisson3d.hpp: -Δu = f on
// [0,1]^3, u = g on the boundary, second-order 7-point finite differences on a vertex-centred grid
// (x_i = i h, h = 1/(n-1)), solved by CG preconditioned with geometric multigrid on the DMDA
// hierarchy (Galerkin coarse operators).
//
// The DMDA is built from the 3D Decomposition's ownership ranges, so this rank's block of the
// solution is exactly its Decomposition block. PETSc's own solver options use the prefix
// "poisson3d_reference_" (deck `poisson3d: {reference: {ksp_type: gmres}}`).
#include <vector>

#include "core/decomposition.hpp"
#include "physics/poisson3d.hpp"
#include "solvers/dmda_grid.hpp"
#include "solvers/krylov.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct Poisson3DReferenceConfig {
  int points = 33;                      // grid points per direction, boundary included; 2^k + 1
  KrylovTolerances krylov{1e-10, 200};  // -poisson3d_reference_rtol, _max_iterations

  /// Declares and reads the poisson3d_reference_* options; problems go to options.report(), so
  /// call options.check() afterwards. Not collective, but every rank must call it.
  static Poisson3DReferenceConfig from_options(Options& options);
};

class Poisson3DReference {
public:
  /// Collective over decomp.comm(). decomp must be 3D with config.points points per direction
  /// (throws tessera::Error otherwise). Assembles the operator and right-hand side, reads the PETSc
  /// options under the prefix "poisson3d_reference_" and sets the solver up (every level).
  Poisson3DReference(const Decomposition& decomp, const physics::Poisson3D& problem,
                     const Poisson3DReferenceConfig& config);

  /// Collective. Solves from a zero initial guess; throws tessera::Error (on every rank) if the
  /// solver does not converge.
  void solve();

  /// Iterations of the last solve (0 before the first). Not collective.
  int iterations() const { return iterations_; }
  /// Grid spacing 1/(n-1). Not collective.
  double h() const { return h_; }

  /// This rank's block of the last solution, x fastest: u(i, j, k) is at
  /// ((k - zs) * ym + (j - ys)) * xm + (i - xs) with decomp's local_start()/local_count().
  /// Not collective; throws before the first successful solve().
  std::vector<double> local_solution() const;

private:
  void assemble(const physics::Poisson3D& problem);

  double h_;
  DmdaSystem system_;
  bool solved_ = false;
  int iterations_ = 0;
};

}  // namespace tessera::solvers
