#pragma once
// run: xpinn. Domain-decomposed PINN training of the 2D Poisson problem (XPINN / cPINN): the unit
// square tiled into S_x x S_y subdomains over the process grid, one network per subdomain,
// interface conditions exchanged between neighbours (dd/xpinn_loss.hpp); a PETSc reference solve
// on the same process grid; the subdomain networks' prediction, the reference, the exact solution
// and the error written as global fields of one HDF5 file with XDMF, with the loss history of
// every subdomain.
#include <mpi.h>

#include <array>
#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "dd/interface_condition.hpp"
#include "dd/subdomain_grid.hpp"
#include "dd/subdomain_sums.hpp"
#include "dd/xpinn_loss.hpp"
#include "nn/mlp.hpp"
#include "physics/poisson.hpp"
#include "pinn/trainer.hpp"
#include "run/comparison.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_run.hpp"
#include "solvers/poisson_reference.hpp"

namespace tessera::run {

/// The subdomain a reference grid point belongs to: a point on an interface goes to the lower
/// side. Local.
int subdomain_of(const dd::SubdomainGrid& grid, double x, double y);

/// Collective. Throws the same InputError on every rank if some rank holds reference grid points
/// of a subdomain it does not own.
void check_reference_split(const dd::SubdomainGrid& grid, const Comparison& comparison, int points);

struct DdPinnRunConfig {
  physics::Poisson2D problem;
  nn::MlpShape network;  // of every subdomain
  std::array<int, 3> subdomains{2, 2, 1};
  dd::SubdomainPointConfig points;
  dd::InterfaceWeights interface;
  pinn::TrainingConfig training;
  solvers::PoissonReferenceConfig reference;
  OutputConfig output;
  int checkpoint_every = 0;  // iterations between checkpoints, 0 for none
  std::string restart;       // checkpoint to continue from, "" to start afresh

  /// Declares and reads every option of the run; problems are reported to options.
  static DdPinnRunConfig from_options(Options& options);
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

  /// Collective. Creates the output directory (see PoissonRun::prepare_output).
  void prepare_output();

  /// Collective. Solves, trains, compares, writes, prints the summary on rank 0.
  DdPinnSummary execute(const std::string& options_text);

  const dd::SubdomainGrid& grid() const { return grid_; }

private:
  std::string checkpoint_path() const;

  DdPinnRunConfig config_;
  MPI_Comm comm_;
  dd::SubdomainGrid grid_;
  Decomposition decomp_;  // the reference grid's points, on grid_'s process grid
  solvers::PoissonReference reference_;
  nn::StackedMlp nets_;
  std::unique_ptr<dd::XpinnLoss> loss_;
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
};

}  // namespace tessera::run
