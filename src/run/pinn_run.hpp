#pragma once
// The PINN run (run: pinn; the older run: poisson, xpinn, fbpinn and pde are aliases of it): a
// problem of the registry (problems/problem.hpp: its residual, box, conditions, comparison grid
// and reference) trained by one of its learners — one data-parallel network on the problem's own
// points (-pinn_learner single, run/single_learner.hpp; in time windows on a space-time box,
// causal training then L-BFGS), or one network per subdomain of the box tiled over the process
// grid (xpinn, fbpinn: run/subdomain_learner.hpp, with the comparison grid and the reference on
// the subdomains' process grid, so each rank compares its own subdomains) — then compared with
// the reference (and the exact solution where there is one), written to one parallel HDF5 file
// with XDMF (run/pinn_result.hpp), summarised on rank 0. Checkpoints and restarts:
// dd/checkpoint.hpp (-dd_checkpoint_every, -dd_restart).
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "dd/checkpoint.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/causal.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/problem.hpp"
#include "problems/registry.hpp"
#include "run/output_config.hpp"
#include "run/pinn_result.hpp"
#include "run/single_learner.hpp"
#include "run/subdomain_learner.hpp"

namespace tessera::run {

struct PinnRunConfig {
  problems::PinnSelection selection;  // the problem and learner, as the deck named them
  std::shared_ptr<const problems::ProblemConfig> problem;  // the selected problem's options
  nn::MlpShape network;                                    // the network, or every subdomain's
  pinn::PointSetConfig points;                             // single
  SubdomainLearnerConfig subdomains;  // xpinn, fbpinn (its checkpoint: subdomain_learner())
  pinn::CausalConfig causal;          // time-dependent problems (Burgers, Allen–Cahn)
  pinn::TrainingConfig training;
  int time_windows = 1;  // time marching over growing windows [t0, t0 + k T / K]
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // the learner's

  /// Declares and reads every option of the run on the problem and learner selected (the
  /// problem's own options block only); problems are reported to options. Not collective.
  static PinnRunConfig from_options(Options& options, const problems::PinnSelection& selection);

  bool single() const { return selection.learner == "single"; }
  /// The subdomain learner's settings (xpinn, fbpinn), with the run's checkpoint.
  SubdomainLearnerConfig subdomain_learner() const;

  /// Causal training followed by L-BFGS: Adam with the causal weights moving, then L-BFGS with
  /// the weights Adam ended with, frozen; two trainings of the network.
  bool causal_then_lbfgs() const;

  /// single: the trainings of the network in turn, each a stage of its checkpoints
  /// (dd::ReplicatedCheckpoints): per time window one, or with causal_then_lbfgs() two (Adam
  /// only, then L-BFGS only).
  std::vector<pinn::TrainingConfig> training_stages() const;
};

class PinnRun {
public:
  using Config = PinnRunConfig;

  /// Collective. Builds the learner (the network or the subdomain grid and networks, the restart
  /// checkpoint if one is given) and the problem with its reference on the learner's process grid
  /// (problems::ProblemConfig::make: a PETSc solver reads its options, a grid is checked); touches
  /// no output file. An InputError (every rank) if the tiling does not fit the rank count, the
  /// comparison grid does not split along the subdomain boundaries, or the checkpoint does not
  /// fit.
  PinnRun(MPI_Comm comm, const PinnRunConfig& config);
  ~PinnRun();

  /// Collective. Creates the output directory, checks that it is writable, locks the output name
  /// until the run ends (io::prepare_output_directory); refuses to replace an existing result
  /// unless the deck allows it. Call after every option has been validated.
  void prepare_output();

  /// Collective. Solves the reference, trains, compares, writes, prints the summary on rank 0.
  /// options_text is stored with the results.
  PinnOutcome execute(const std::string& options_text);

private:
  PinnRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;                    // from prepare_output() to the end of the run
  std::unique_ptr<SubdomainLearner> subdomains_;  // xpinn, fbpinn
  std::unique_ptr<problems::Problem> problem_;    // on the learner's process grid
  std::unique_ptr<SingleLearner> single_;         // single

  /// The run's learner: single_ or subdomains_.
  Learner& learner() const;
  /// Collective. single: the problem's points and conditions, trained in every time window in
  /// turn (one window but for -pde_time_windows), each window's stages in turn.
  pinn::TrainingResult train_single();
};

}  // namespace tessera::run
