#pragma once
// A sequence of related Darcy solves, the work of a data-set run: sample s of a correlated
// permeability sequence (physics/darcy.hpp) with f = 1, solved one after the other by one solver
// that reuses what the earlier solves found, by one of these strategies:
//   none        zero initial guess every time (the baseline)
//   previous    the previous solution as initial guess
//   fischer     PETSc's KSPGuess Fischer (model 2); PETSc restarts its space whenever the
//               operator changes, which here is every solve, so it is measured, not assumed
//   projection  the A-norm best combination of the last m solutions under the current operator
//   bandit      projection guesses, plus the SOR relaxation factor of the multigrid smoothers
//               chosen per solve by UCB1 from the iteration counts (core/bandit.hpp)
//   multigrid   projection guesses, and the multigrid preconditioner of an earlier operator
//               kept (its set-up, Galerkin products and smoother eigenvalue estimates, costs
//               more than the 4 to 7 iterations of a solve) until a solve needs half as many
//               iterations again as the first solve after the last rebuild
#include <functional>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "physics/darcy.hpp"
#include "solvers/darcy_reference.hpp"

namespace tessera::run {

enum class ReuseStrategy { none, previous, fischer, projection, bandit, multigrid };

/// Not collective. The strategies' names, in the order above, and the strategy of a name
/// (throws tessera::Error for an unknown one).
const std::vector<std::string>& reuse_strategy_names();
const char* reuse_strategy_name(ReuseStrategy strategy);
ReuseStrategy reuse_strategy(const std::string& name);

/// The SOR relaxation factors the bandit chooses from.
const std::vector<double>& bandit_omegas();

struct SequenceConfig {
  int samples = 32;
  physics::PermeabilityFieldConfig field;
  solvers::DarcyReferenceConfig solver;
  double bandit_exploration = 0.5;  // c of UCB1; short sequences want less than sqrt(2)
};

/// One solve of a sequence.
struct SolveRecord {
  int sample = 0;
  int iterations = 0;
  double seconds = 0;  // the solve's wall time on rank 0 (preconditioner set-up and guess included)
  double residual_norm = 0;
  double omega = 1.0;                // the smoothers' SOR relaxation factor
  bool preconditioner_built = true;  // false where an earlier operator's multigrid was kept
};

struct SequenceResult {
  ReuseStrategy strategy = ReuseStrategy::none;
  std::vector<SolveRecord> solves;
  std::vector<int> arm_pulls;  // bandit only: how often each of bandit_omegas() was chosen
  std::string solver;          // Krylov method + preconditioner, e.g. "cg + mg"
  int total_iterations() const;
  double total_seconds() const;
  int preconditioner_builds() const;
};

/// Called after each solve with its record, the solver (holding the solution) and the field
/// sequence (at the solve's sample).
using SolveObserver = std::function<void(const SolveRecord&, const solvers::DarcyReference&,
                                         const physics::PermeabilitySequence&)>;

/// Collective over decomp.comm(). Solves samples first .. end - 1 (end < 0: config.samples) with a
/// fresh solver that uses `strategy`, calling observe (if given) after each solve. A sequence
/// resumed at first > 0 has no earlier solves to reuse: with the `none` strategy its solves equal
/// those of the whole sequence bit for bit, with the others to the solver's tolerance.
SequenceResult solve_sequence(const Decomposition& decomp, const SequenceConfig& config,
                              ReuseStrategy strategy, const SolveObserver& observe = {},
                              int first = 0, int end = -1);

/// Not collective. The comparison table: per strategy its total iterations, total solve seconds,
/// and the speed-ups in iterations and in time over the `none` strategy (if it was run); then the
/// bandit's choices, if it was run.
std::string reuse_table(const std::vector<SequenceResult>& results);

}  // namespace tessera::run
