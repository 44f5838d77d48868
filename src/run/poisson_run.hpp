#pragma once
// The Poisson problem in 1, 2 or 3 dimensions with the single learner (run: pinn -pinn_problem
// poisson<d>d -pinn_learner single): one data-parallel network on the unit box, trained on the
// generic PDE loss (pinn/pde_loss.hpp) with PoissonResidual<d>; a PETSc reference solve on the
// same decomposition (PoissonReference in 2D, Poisson3DReference in 3D; in 1D the exact solution
// stands for it), the learned solution compared with it and with the exact solution on the
// reference grid, and written to one parallel HDF5 file with XDMF. The subdomain learners of the
// same problems: run/poisson_subdomains_run.hpp.
#include <mpi.h>

#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "dd/checkpoint.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/output_config.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_domain.hpp"

namespace tessera::run {

struct PoissonRunConfig {
  problems::PinnSelection selection;  // poisson1d, 2d or 3d; single
  PoissonDomainConfig domain;         // the problem, its dimension and reference (no tiling)
  nn::MlpShape network;
  pinn::PointSetConfig points;
  pinn::TrainingConfig training;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // -dd_checkpoint_every, -dd_restart: a 1 x 1 tiling's

  /// Declares and reads every option of the run on the Poisson problem selected; problems are
  /// reported to options. Not collective.
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
  PoissonDomainReference reference_;
  dd::ReplicatedCheckpoints checkpoints_;
};

}  // namespace tessera::run
