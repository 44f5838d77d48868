#pragma once
// run: xpinn. Domain-decomposed PINN training of the Poisson problem in 1, 2 or 3 dimensions
// (XPINN / cPINN, -dd_dim): the unit box tiled into S_x (x S_y (x S_z)) subdomains over the
// process grid, one network per subdomain, interface conditions exchanged between neighbours
// (dd/xpinn_loss.hpp); a PETSc reference solve (PoissonReference in 2D, Poisson3DReference in 3D;
// in 1D the exact solution stands for it) on a grid whose ranks own the same blocks as the
// subdomain grid's process grid; the subdomain networks' prediction, the reference, the exact
// solution and the error written as global fields of one HDF5 file with XDMF, with the loss
// history of every subdomain.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "dd/checkpoint.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd/xpinn_loss.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/trainer.hpp"
#include "run/comparison.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_run.hpp"
#include "run/subdomain_problem.hpp"

namespace tessera::run {

struct DdPinnRunConfig {
  SubdomainProblemConfig domain;  // the problem, its dimension, tiling and reference
  nn::MlpShape network;           // of every subdomain
  dd::SubdomainPointConfig points;
  dd::InterfaceWeights interface;
  pinn::TrainingConfig training;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;

  /// Declares and reads every option of the run on the Poisson problem of dimension dim;
  /// problems are reported to options. Not collective.
  static DdPinnRunConfig from_options(Options& options, int dim);
};

struct DdPinnSummary : PinnOutcome {
  std::array<double, 3> interface_mismatch{0, 0, 0};  // RMS jumps of u, d_n u, residual
  double communication_seconds = 0;
  long bytes_per_exchange = 0;  // sent by rank 0
};

class DdPinnRun {
public:
  using Config = DdPinnRunConfig;

  /// Collective. Builds the subdomain grid, the reference solver on the same process grid, the
  /// networks and their points, and reads the restart checkpoint if one is given; touches no
  /// output file. An InputError (every rank) if the tiling does not fit the rank count, the
  /// reference grid does not split along the subdomain boundaries, or the checkpoint does not fit.
  DdPinnRun(MPI_Comm comm, const DdPinnRunConfig& config);

  /// Collective. Prepares the output directory (see PoissonRun::prepare_output).
  void prepare_output();

  /// Collective. Solves, trains, compares, writes, prints the summary on rank 0.
  DdPinnSummary execute(const std::string& options_text);

  const dd::SubdomainGrid& grid() const { return grid_; }

private:
  DdPinnRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  dd::SubdomainGrid grid_;
  SubdomainReference reference_;  // on grid_'s process grid
  nn::StackedMlp nets_;
  std::unique_ptr<dd::XpinnLossBase> loss_;
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
};

}  // namespace tessera::run
