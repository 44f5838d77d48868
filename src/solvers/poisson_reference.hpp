#pragma once
// The PETSc reference solution of the 2D Poisson problem in physics/poisson.hpp:
// -Δu = f on [0,1]^2, u = g on the boundary, second-order 5-point finite differences on a
// vertex-centred grid (x_i = i h, h = 1/(n-1)), solved by CG preconditioned with geometric
// multigrid on the DMDA hierarchy.
//
// The DMDA is built from the Decomposition's ownership ranges, so this rank's slice of the
// solution is exactly its Decomposition block. PETSc's own solver options use the prefix
// "reference_" (deck `reference: {ksp_type: gmres, pc_mg_levels: 4}`, or -reference_ksp_monitor).
#include <petscdmda.h>
#include <petscksp.h>

#include <vector>

#include "core/decomposition.hpp"
#include "core/options.hpp"
#include "physics/poisson.hpp"
#include "solvers/krylov.hpp"

namespace tessera::solvers {

struct PoissonReferenceConfig {
  int points = 129;                     // grid points per direction, boundary included; 2^k + 1
  KrylovTolerances krylov{1e-10, 200};  // -reference_rtol, -reference_max_iterations

  /// Declares and reads the reference_* options; problems go to options.report(), so call
  /// options.check() afterwards. Not collective, but every rank must call it (same database).
  static PoissonReferenceConfig from_options(Options& options);
};

class PoissonReference {
public:
  /// Collective over decomp.comm(). decomp must be 2D with config.points points per direction.
  /// Creates the grid and the solver, reads every PETSc option under the prefix "reference_" and
  /// sets the solver up (operators on every multigrid level), so that unused-option checks made
  /// after construction see the solver's options as used.
  PoissonReference(const Decomposition& decomp, const physics::Poisson2D& problem,
                   const PoissonReferenceConfig& config);
  ~PoissonReference();
  PoissonReference(const PoissonReference&) = delete;
  PoissonReference& operator=(const PoissonReference&) = delete;

  /// Collective. Solves from a zero initial guess; throws tessera::Error (on every rank) if the
  /// solver does not converge.
  void solve();

  /// Iterations of the last solve (0 before the first). Not collective.
  int iterations() const { return iterations_; }
  /// Final residual norm of the last solve, in the norm the KSP's convergence test used
  /// (preconditioned 2-norm for CG), of the system scaled by h^2. Not collective.
  double residual_norm() const { return residual_norm_; }
  /// Grid spacing 1/(n-1). Not collective.
  double h() const { return h_; }

  /// This rank's block of the last solution, x fastest: u(i, j) is at (j - ys) * xm + (i - xs),
  /// with (xs, ys) = decomp.local_start() and (xm, ym) = decomp.local_count(). Not collective;
  /// throws before the first successful solve().
  std::vector<double> local_solution() const;

private:
  // The addresses of problem_ and h_ are handed to PETSc's callbacks: the class is not movable.
  physics::Poisson2D problem_;
  double h_;
  DM dm_ = nullptr;
  KSP ksp_ = nullptr;
  bool solved_ = false;
  int iterations_ = 0;
  double residual_norm_ = 0;
};

}  // namespace tessera::solvers
