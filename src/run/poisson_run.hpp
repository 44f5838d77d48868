#pragma once
// The 2D Poisson slice end to end: a PETSc reference solve and a data-parallel PINN on the same
// decomposition, compared on the reference grid against each other and the exact solution, and
// written to one parallel HDF5 file with XDMF.
#include <mpi.h>

#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "dd/checkpoint.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "physics/poisson.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/output_config.hpp"
#include "run/pinn_result.hpp"
#include "solvers/poisson_reference.hpp"

namespace tessera::run {

struct PoissonRunConfig {
  problems::PinnSelection selection;  // poisson2d, single, as the deck named them
  physics::Poisson2D problem;
  nn::MlpShape network;
  pinn::PointSetConfig points;
  pinn::TrainingConfig training;
  solvers::PoissonReferenceConfig reference;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // -dd_checkpoint_every, -dd_restart: a 1 x 1 tiling's

  /// Declares and reads every option of the run; problems are reported to options.
  static PoissonRunConfig from_options(Options& options, const problems::PinnSelection& selection);
};

class PoissonRun {
public:
  using Config = PoissonRunConfig;

  /// Collective. Builds the decomposition, sets up the reference solver (reading its PETSc
  /// options) and reads the restart checkpoint if one is given, but touches no file.
  PoissonRun(MPI_Comm comm, const PoissonRunConfig& config);

  /// Collective. Creates the output directory, checks that it is writable, locks the output name
  /// until the run ends (io::prepare_output_directory); refuses to replace an existing result
  /// unless the deck allows it. Call after every option has been validated.
  void prepare_output();

  /// Collective. Solves, trains, compares, writes, prints the summary on rank 0.
  /// options_text is stored with the results.
  PinnOutcome execute(const std::string& options_text);

private:
  PoissonRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  Decomposition decomp_;
  solvers::PoissonReference reference_;
  dd::ReplicatedCheckpoints checkpoints_;
};

}  // namespace tessera::run
