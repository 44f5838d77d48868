#pragma once
// The Poisson problem in 1, 2 or 3 dimensions (run: pinn -pinn_problem poisson<d>d; the older
// run: poisson, run: xpinn and run: fbpinn with -dd_dim d) with any learner: one data-parallel
// network on the unit box (-pinn_learner single: run/single_learner.hpp, trained on the generic
// PDE loss with PoissonResidual<d> on the unit box's own point sets), or one network per subdomain
// of the box tiled into S_x (x S_y (x S_z)) subdomains over the process grid (xpinn: interface
// conditions between neighbours; fbpinn: overlapping windows, u = Σ w_j N_j;
// run/subdomain_learner.hpp). A PETSc reference solve (PoissonReference in 2D, Poisson3DReference
// in 3D; in 1D the exact solution stands for it) on a grid whose ranks own the same blocks as the
// subdomains' process grid (PETSc's own for one network); the learned solution compared with it
// and with the exact solution on the reference grid, written with the error and the learner's
// tables (every subdomain's loss history) to one parallel HDF5 file with XDMF. Checkpoints and
// restarts: dd/checkpoint.hpp (-dd_checkpoint_every, -dd_restart).
#include <mpi.h>

#include <memory>
#include <string>

#include "dd/checkpoint.hpp"
#include "dd/fbpinn_loss.hpp"
#include "dd/interface_condition.hpp"
#include "dd/xpinn_loss.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "run/output_config.hpp"
#include "run/pinn_result.hpp"
#include "run/poisson_domain.hpp"
#include "run/single_learner.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::run {

struct PoissonRunConfig {
  problems::PinnSelection selection;          // poisson1d, 2d or 3d; single, xpinn or fbpinn
  PoissonDomainConfig domain;                 // the problem, its dimension, tiling and reference
  nn::MlpShape network;                       // the network, or every subdomain's
  pinn::PointSetConfig points;                // single
  dd::SubdomainPointConfig subdomain_points;  // xpinn, fbpinn
  dd::InterfaceWeights interface;             // xpinn
  dd::FbpinnConfig fbpinn;                    // fbpinn
  pinn::TrainingConfig training;
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // single: a 1 x 1 tiling's; of kind xpinn or fbpinn

  /// Declares and reads every option of the run on the Poisson problem and learner selected;
  /// problems are reported to options. Not collective.
  static PoissonRunConfig from_options(Options& options, const problems::PinnSelection& selection);

  bool single() const { return selection.learner == "single"; }
  /// The subdomain learner's settings (xpinn, fbpinn).
  SubdomainLearnerConfig subdomains() const;
};

class PoissonRun {
public:
  using Config = PoissonRunConfig;

  /// Collective. Builds the learner (the network or the subdomain grid and networks, the restart
  /// checkpoint if one is given) and the reference solver on its process grid (reading the
  /// solver's PETSc options); touches no output file. An InputError (every rank) if the tiling
  /// does not fit the rank count, the reference grid does not split along the subdomain
  /// boundaries, or the checkpoint does not fit.
  PoissonRun(MPI_Comm comm, const PoissonRunConfig& config);
  ~PoissonRun();

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
  std::unique_ptr<SingleLearner> single_;
  std::unique_ptr<SubdomainLearner> subdomains_;
  std::unique_ptr<PoissonDomainReference> reference_;  // on the learner's process grid

  /// The run's learner: single_ or subdomains_.
  Learner& learner() const;
};

}  // namespace tessera::run
