#pragma once
// run: fbpinn. Finite-basis PINN training of the Poisson problem in 1, 2 or 3 dimensions
// (dd/fbpinn_loss.hpp, -dd_dim): the unit box tiled into overlapping subdomains over the process
// grid, one network each, the solution their windowed sum (partition of unity), neighbours'
// network jets and adjoints exchanged on the overlap points; the reference of that dimension on
// the same process grid (run/subdomain_problem.hpp); the windowed sum, the reference, the exact
// solution and the error written as global fields of one HDF5 file with XDMF, with
// the loss history of every subdomain. Checkpoints and restarts as run: xpinn
// (dd/checkpoint.hpp: -dd_checkpoint_every, -dd_restart).
#include <mpi.h>

#include <array>
#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "dd/checkpoint.hpp"
#include "dd/fbpinn_loss.hpp"
#include "dd/partition_of_unity.hpp"
#include "dd/subdomain_grid.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/trainer.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_run.hpp"
#include "run/subdomain_problem.hpp"

namespace tessera::run {

struct FbpinnRunConfig {
  SubdomainProblemConfig domain;  // the problem, its dimension, tiling and reference
  nn::MlpShape network;           // of every subdomain
  dd::SubdomainPointConfig points;
  dd::FbpinnConfig fbpinn;
  pinn::TrainingConfig training;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;

  /// Declares and reads every option of the run on the Poisson problem of dimension dim;
  /// problems are reported to options. Not collective.
  static FbpinnRunConfig from_options(Options& options, int dim);
};

struct FbpinnSummary : PinnOutcome {
  double communication_seconds = 0;
  long bytes_per_evaluation = 0;  // sent by rank 0 per loss evaluation (jets + adjoints)
};

class FbpinnRun {
public:
  using Config = FbpinnRunConfig;

  /// Collective. Builds the subdomain grid, the windows, the reference solver on the same process
  /// grid, the networks and the windowed sum over their points, and reads the restart checkpoint
  /// if one is given; touches no output file. An InputError (every rank) if the tiling does not
  /// fit the rank count, the reference grid does not split along the subdomain boundaries, or the
  /// checkpoint does not fit.
  FbpinnRun(MPI_Comm comm, const FbpinnRunConfig& config);

  /// Collective. Prepares the output directory (see PoissonRun::prepare_output).
  void prepare_output();

  /// Collective. Solves, trains, compares, writes, prints the summary on rank 0.
  FbpinnSummary execute(const std::string& options_text);

private:
  FbpinnRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  dd::SubdomainGrid grid_;
  dd::PartitionOfUnity windows_;
  SubdomainReference reference_;  // on grid_'s process grid
  nn::StackedMlp nets_;
  std::unique_ptr<dd::FbpinnLossBase> loss_;
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
};

}  // namespace tessera::run
