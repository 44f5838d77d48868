#pragma once
// The 3D heat equation with the single learner (-pinn_problem heat3d): one data-parallel network on
// (x, y, z, t) over the unit cube and [0, T], trained on PdeLoss with Heat3DResidual, and compared
// on the 3D Decomposition of the PETSc reference's grid with that reference (Crank–Nicolson, solved
// on the same decomposition, so each rank compares its own block) and with the exact solution, at
// half the final time and at the final time, the reference advanced to each.
#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "physics/heat.hpp"
#include "solvers/heat_reference.hpp"

namespace tessera {
class Options;
}

namespace tessera::run {

struct PdeRunConfig;
struct PinnOutcome;
class SingleLearner;

struct Heat3DConfig {
  physics::Heat3D heat3d;
  double heat_final_time = 1.0;  // T: the network's time input spans [0, T]
  solvers::HeatReferenceConfig heat_reference;

  /// Declares and reads heat_* and heat_reference_*. Not collective.
  static Heat3DConfig from_options(Options& options);
};

class Heat3DRun {
public:
  /// Collective over decomp.comm(). decomp must be the 3D decomposition of the reference grid
  /// (config.heat.heat_reference.points per direction); builds the PETSc reference (reading its
  /// PETSc options), throws tessera::Error if the grid does not suit it; touches no file. decomp
  /// and config must outlive this object (PdeRun owns all three).
  Heat3DRun(const Decomposition& decomp, const PdeRunConfig& config);
  ~Heat3DRun();

  /// Collective. Trains the learner's network (checkpointed, continuing from its restart), solves
  /// the reference, compares, writes the result file and its XDMF, prints the summary on rank 0.
  /// The summary's errors are those at the final time.
  PinnOutcome execute(const std::string& options_text, SingleLearner& learner);

private:
  const Decomposition& decomp_;
  const PdeRunConfig& config_;
  std::unique_ptr<solvers::HeatReference> heat_reference_;
};

}  // namespace tessera::run
