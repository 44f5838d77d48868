#pragma once
// PINNs for the problems beyond Poisson (run: pinn -pinn_problem burgers|helmholtz|allen_cahn, the
// Navier–Stokes flows of navier_stokes_pde.hpp, heat3d of heat3d_run.hpp). For the box problems
// (problems/box_problem.hpp: burgers, helmholtz, allen_cahn) one driver whatever the problem: the
// learner trains on the problem's residual and conditions (one data-parallel network on PdeLoss,
// in time windows on a space-time box, or -pinn_learner xpinn / fbpinn on subdomains,
// run/subdomain_learner.hpp, with the comparison grid and the reference on the subdomains'
// process grid), then is compared on the problem's grid with its reference (and its exact
// solution where it has one), all written to one parallel HDF5 file with XDMF.
// (The Poisson problems: run/poisson_run.hpp.)
#include <mpi.h>

#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "io/field_file.hpp"
#include "io/output_lock.hpp"
#include "nn/mlp.hpp"
#include "pinn/causal.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/box_problem.hpp"
#include "problems/registry.hpp"
#include "run/heat3d_run.hpp"
#include "run/navier_stokes_pde.hpp"
#include "run/output_config.hpp"
#include "run/pinn_result.hpp"
#include "run/single_learner.hpp"
#include "run/subdomain_learner.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera::run {

struct PdeRunConfig {
  problems::PinnSelection selection;    // the problem and learner, as the deck named them
  std::string pde = "burgers";          // burgers, helmholtz, allen_cahn, heat3d, kovasznay,
                                        // lid_driven_cavity
  problems::BoxProblemConfig problem;   // burgers, helmholtz, allen_cahn
  std::string method = "single";        // single (one data-parallel network), xpinn or fbpinn
  SubdomainLearnerConfig subdomains;    // -pde_method xpinn or fbpinn
  Heat3DConfig heat;                    // heat3d
  NavierStokesPdeConfig navier_stokes;  // kovasznay and lid_driven_cavity
  nn::MlpShape network;
  pinn::PointSetConfig points;  // -pde_method single
  pinn::CausalConfig causal;    // time-dependent PDEs (Burgers, Allen–Cahn)
  pinn::TrainingConfig training;
  int time_windows = 1;  // time marching over growing windows [t0, t0 + k T / K]
  OutputConfig output;
  dd::CheckpointConfig checkpoint;  // -pde_method single: a 1 x 1 tiling's

  /// Declares and reads every option of the run on the problem and learner selected (the
  /// problem's own options block only); problems are reported to options. Not collective.
  static PdeRunConfig from_options(Options& options, const problems::PinnSelection& selection);

  /// Causal training followed by L-BFGS: Adam with the causal weights moving, then L-BFGS with
  /// the weights Adam ended with, frozen; two trainings of the network.
  bool causal_then_lbfgs() const;

  /// -pde_method single: the trainings of the network in turn, each a stage of its checkpoints
  /// (dd::ReplicatedCheckpoints): per time window one, or with causal_then_lbfgs() two (Adam
  /// only, then L-BFGS only); one for a PDE without time windows.
  std::vector<pinn::TrainingConfig> training_stages() const;

  /// -pde_method xpinn or fbpinn: one network per subdomain.
  bool subdomain_method() const { return method != "single"; }
};

class PdeRun {
public:
  using Config = PdeRunConfig;

  /// Collective. Builds the decomposition of the comparison grid and the problem's reference on it
  /// (problems::make_box_problem: a PETSc solver reads its options, a grid is checked); touches no
  /// file.
  PdeRun(MPI_Comm comm, const PdeRunConfig& config);
  ~PdeRun();

  /// Collective. Prepares the output directory (see PoissonRun::prepare_output).
  void prepare_output();

  /// Collective. Trains, compares, writes, prints the summary on rank 0.
  PinnOutcome execute(const std::string& options_text);

private:
  PdeRunConfig config_;
  MPI_Comm comm_;
  io::OutputLock output_lock_;  // from prepare_output() to the end of the run
  solvers::SpaceTimeBox box_;   // the PDE's (x, t) or (x, y) box
  std::unique_ptr<SubdomainLearner>
      subdomains_;  // -pde_method xpinn / fbpinn; process grid decomp_'s
  Decomposition decomp_;
  std::unique_ptr<problems::BoxProblem> problem_;  // burgers, helmholtz, allen_cahn
  std::unique_ptr<Heat3DRun> heat3d_;              // heat3d
  std::unique_ptr<SingleLearner> single_;          // -pde_method single

  /// The run's learner: single_ or subdomains_.
  Learner& learner() const;
  /// Collective. -pinn_learner single on a space-time box: the trainings of every time window
  /// in turn on the box's interior, t = t0 and the sides x = x0, x1.
  pinn::TrainingResult train_time_windows();
};

}  // namespace tessera::run
