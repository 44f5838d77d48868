#pragma once
// The PETSc reference solver of steady Darcy flow (physics/darcy.hpp), -∇·(a∇u) = f on [0,1]^2,
// u = 0 on the boundary, for a sequence of coefficient fields a: conservative 5-point finite
// volumes on the vertex-centred grid (x_i = i h, h = 1/(n-1)) with harmonic face averages of a,
// solved by CG preconditioned with geometric multigrid whose coarse operators are Galerkin
// products P^T A P (so a coarse level sees the fine coefficient's averages without rediscretising);
// the deck may choose another preconditioner (-dataset_pc_type gamg or hypre), which any grid size
// suits, where geometric multigrid needs 2^k + 1 points. The harmonic face average makes the flux
// through a face between two half-cells of constant a exact, which is what a piecewise-constant
// (threshold) coefficient with its 4x jumps needs: an arithmetic mean would overstate the
// conductance of every face across a jump.
// PETSc's own options carry the prefix "dataset_" (-dataset_ksp_monitor, -dataset_pc_mg_levels).
//
// Sequences of related solves reuse what earlier solves found, by the InitialGuess chosen at
// construction; set_smoother_omega() is the parameter a bandit tunes across the sequence.
#include <petscdmda.h>
#include <petscksp.h>

#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "solvers/krylov.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

/// Where a solve in a sequence starts.
enum class InitialGuess {
  zero,       // from scratch
  previous,   // from the previous solution (KSPSetInitialGuessNonzero)
  fischer,    // PETSc's KSPGuess Fischer (model 2: A-orthonormal basis of earlier solutions)
  projection  // A-norm best combination of the last m solutions under the current operator
};
/// Not collective. "zero", "previous", "fischer", "projection".
const char* initial_guess_name(InitialGuess guess);

struct DarcyReferenceConfig {
  int points = 65;                     // per direction, boundary included; 2^k + 1 for pc mg
  KrylovTolerances krylov{1e-8, 200};  // -dataset_rtol, -dataset_max_iterations
  int guess_space = 8;                 // m: solutions kept by the fischer and projection guesses

  /// Declares and reads -dataset_points, -dataset_rtol, -dataset_max_iterations and
  /// -dataset_guess_space; problems go to options.report(), among them points that are not
  /// 2^k + 1 while the preconditioner is geometric multigrid. Not collective.
  static DarcyReferenceConfig from_options(Options& options);
};

/// An index box of grid nodes: [i0, i0 + ni) x [j0, j0 + nj).
struct NodeBox {
  int i0 = 0, ni = 0, j0 = 0, nj = 0;
};

class DarcyReference {
public:
  /// Collective over decomp.comm(). decomp must be 2D with config.points points per direction.
  /// Assembles the a = 1 operator, reads every PETSc option under "dataset_" and sets the solver
  /// up, so that unused-option checks made afterwards see its options as used.
  DarcyReference(const Decomposition& decomp, const DarcyReferenceConfig& config,
                 InitialGuess guess = InitialGuess::zero);
  ~DarcyReference();
  DarcyReference(const DarcyReference&) = delete;
  DarcyReference& operator=(const DarcyReference&) = delete;

  /// Not collective. The nodes whose coefficient set_coefficient() needs on this rank: the
  /// rank's block and one layer of neighbours around it (the far sides of its faces), clipped.
  NodeBox coefficient_box() const { return box_; }

  /// Collective. Assembles the operator for a coefficient given at the nodes of
  /// coefficient_box() (x fastest). Values must be positive (checked on every rank together).
  void set_coefficient(const std::vector<double>& box_values);
  /// Not collective. The coefficient of the current operator on coefficient_box() (x fastest),
  /// as set_coefficient() received it.
  const std::vector<double>& coefficient() const { return coefficient_; }
  /// Collective. Tabulates a on coefficient_box() and calls the overload above.
  void set_coefficient(const std::function<double(double, double)>& a);
  /// Collective. Sets the right-hand side from f at the nodes (zero on the boundary).
  void set_source(const std::function<double(double, double)>& f);

  /// Collective. Sets the relaxation factor of the SOR preconditioner inside every multigrid
  /// level smoother (PCMG's default Chebyshev/SOR smoother); throws tessera::Error if a level
  /// smoother's preconditioner is not SOR.
  void set_smoother_omega(double omega);

  /// Collective. With keep, later solves keep the preconditioner built for an earlier operator
  /// (no multigrid set-up, stale coarse operators and smoother bounds) until called with false,
  /// after which the next solve builds it for the current operator.
  void set_reuse_preconditioner(bool keep);

  /// Collective. Solves with the current operator and right-hand side, starting as the
  /// InitialGuess says; throws tessera::Error (on every rank) if the solver does not converge,
  /// tessera::DivergenceError if its residual is not finite (a coefficient that is not), the
  /// message starting with `what`.
  void solve(const std::string& what = "the Darcy solve");

  /// Not collective. Outcome of the last solve: iterations, final residual norm (in the KSP's
  /// convergence-test norm) and wall seconds of the solve, including the preconditioner's set-up
  /// for a new operator and the forming of the initial guess.
  int iterations() const { return iterations_; }
  /// Not collective. The Krylov method and preconditioner the options chose, e.g. "cg + mg".
  std::string solver_name() const;
  double residual_norm() const { return residual_norm_; }
  double seconds() const { return seconds_; }
  double h() const { return h_; }
  InitialGuess initial_guess() const { return guess_; }

  /// Not collective. This rank's block of the last solution, x fastest (FieldFile layout);
  /// throws before the first successful solve().
  std::vector<double> local_solution() const;

private:
  void form_projection_guess();
  void remember_solution();
  void destroy() noexcept;

  InitialGuess guess_;
  int guess_space_;
  double h_;
  NodeBox box_;
  std::vector<double> coefficient_;  // on box_
  DM dm_ = nullptr;
  Mat a_ = nullptr;
  Vec b_ = nullptr, x_ = nullptr;
  KSP ksp_ = nullptr;
  std::vector<Vec> history_;  // projection guess: the last solutions, oldest first
  bool solved_ = false;
  int iterations_ = 0;
  double residual_norm_ = 0, seconds_ = 0;
};

}  // namespace tessera::solvers
