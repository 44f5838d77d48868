#pragma once
// The Poisson problem in 1, 2 or 3 dimensions on subdomains (run: pinn -pinn_problem poisson<d>d
// -pinn_learner xpinn | fbpinn; the older run: xpinn and run: fbpinn with -dd_dim d): the unit box
// tiled into S_x (x S_y (x S_z)) subdomains over the process grid, one network per subdomain,
// trained by the subdomain learner of run/subdomain_learner.hpp (XPINN: interface conditions
// between neighbours; FBPINN: overlapping windows, u = Σ w_j N_j); a PETSc reference solve
// (PoissonReference in 2D, Poisson3DReference in 3D; in 1D the exact solution stands for it) on a
// grid whose ranks own the same blocks as the subdomain grid's process grid; the learned solution,
// the reference, the exact solution and the error written as global fields of one HDF5 file with
// XDMF, with the loss history of every subdomain. Checkpoints and restarts: dd/checkpoint.hpp
// (-dd_checkpoint_every, -dd_restart).
#include <mpi.h>

#include <array>
#include <memory>
#include <string>

#include "dd/checkpoint.hpp"
#include "dd/fbpinn_loss.hpp"
#include "dd/interface_condition.hpp"
#include "dd/xpinn_loss.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_domain.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::run {

struct PoissonSubdomainsRunConfig {
  problems::PinnSelection selection;  // a Poisson problem; xpinn or fbpinn
  PoissonDomainConfig domain;         // the problem, its dimension, tiling and reference
  nn::MlpShape network;               // of every subdomain
  dd::SubdomainPointConfig points;
  dd::InterfaceWeights interface;  // xpinn
  dd::FbpinnConfig fbpinn;         // fbpinn
  pinn::TrainingConfig training;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // of kind xpinn or fbpinn

  /// Declares and reads every option of the run on the Poisson problem and learner selected
  /// (poisson1d, 2d or 3d; xpinn or fbpinn); problems are reported to options. Not collective.
  static PoissonSubdomainsRunConfig from_options(Options& options,
                                                 const problems::PinnSelection& selection);

  /// The learner's settings.
  SubdomainLearnerConfig subdomains() const;
};

class PoissonSubdomainsRun {
public:
  using Config = PoissonSubdomainsRunConfig;

  /// Collective. Builds the learner (subdomain grid, networks, restart checkpoint if one is
  /// given) and the reference solver on the same process grid; touches no output file. An
  /// InputError (every rank) if the tiling does not fit the rank count, the reference grid does
  /// not split along the subdomain boundaries, or the checkpoint does not fit.
  PoissonSubdomainsRun(MPI_Comm comm, const PoissonSubdomainsRunConfig& config);
  ~PoissonSubdomainsRun();

  /// Collective. Prepares the output directory (see PoissonRun::prepare_output).
  void prepare_output();

  /// Collective. Solves, trains, compares, writes, prints the summary on rank 0.
  PinnOutcome execute(const std::string& options_text);

private:
  PoissonSubdomainsRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  std::unique_ptr<SubdomainLearner> learner_;
  PoissonDomainReference reference_;  // on the learner's process grid
};

}  // namespace tessera::run
