#pragma once
// run: interface_bandit. Meta-learning of interface conditions (METALIC-style) over a family of
// parametric PDEs: 2D Poisson with frequencies k from a list, each solved by a short XPINN training
// (run: xpinn's settings, dd/xpinn_loss.hpp). For round t the context is k = k_{t mod K}; a GP
// bandit (dd/interface_bandit.hpp; GP-UCB or Thompson sampling) picks the interface-condition set,
// the training runs, and the
// reward -log10(relative L2 error vs exact) updates its Gaussian process. With a reference table
// every (k, set) pair is trained once first, which gives the best set per k (oracle), the best
// fixed set (the one with the highest mean reward over the family) and the bandit's regret against
// both. Trainings are deterministic (same seed), so a pair met again is answered from the table.
//
// Checkpoints: the study's own, <name>_checkpoint.h5 (kind interface_bandit), holds the error of
// every finished training; it is written at the start and after each training. The bandit's
// state is a function of them (the GP of the rewards; Thompson sampling's generator is advanced
// by each choice, which depends only on the rewards before it), so a study continued with
// -dd_restart latest replays its rounds from the recorded errors and makes the same choices. The
// training under way keeps its own checkpoint, <name>_k<k>_<set>_checkpoint.h5 (kind xpinn, on a
// stop signal and every -dd_checkpoint_every iterations), which the continued study resumes.
#include <mpi.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dd/interface_bandit.hpp"
#include "io/output_lock.hpp"
#include "run/pinn_run.hpp"

namespace tessera::run {

struct InterfaceBanditRunConfig {
  PinnRunConfig xpinn;  // of every training; frequency and interface weights per run
  std::vector<int> frequencies{1, 2, 3, 4};
  int rounds = 12;
  ContextArmKernel kernel{1.0, 1.5, 0.3};
  double noise_variance = 0.01;
  double exploration = 2.0;  // β of the upper confidence bound
  dd::BanditPolicy policy = dd::BanditPolicy::Ucb;
  int seed = 1;  // Thompson sampling's draws
  bool reference_table = true;
  /// The study's checkpoint: -dd_restart, kind interface_bandit, its path, what it keeps, and the
  /// options it records (run: xpinn's physics but the per-training frequency, and the bandit's);
  /// `every` (-dd_checkpoint_every) is every training's interval.
  dd::CheckpointConfig checkpoint;

  /// Declares and reads every option (run: xpinn's and -bandit_*); problems go to options.
  static InterfaceBanditRunConfig from_options(Options& options);
};

struct InterfaceBanditSummary {
  std::vector<int> chosen;          // arm per round
  std::vector<double> errors;       // relative L2 per round
  std::vector<double> regrets;      // per round against the best set for its k (with the table)
  double regret_vs_oracle = 0;      // Σ over rounds of the reward gap, in decades of error
  double regret_vs_best_fixed = 0;  // the same against the best fixed set (may be negative)
  int best_fixed_arm = -1;
};

class InterfaceBanditRun {
public:
  using Config = InterfaceBanditRunConfig;

  /// Collective: checks that the tiling fits the rank count (as run: xpinn does) and reads the
  /// study checkpoint to continue from (-dd_restart; an InputError on every rank if it is not one
  /// of this study, see io::resolve_restart); touches no file.
  InterfaceBanditRun(MPI_Comm comm, const InterfaceBanditRunConfig& config);

  /// Collective. Prepares the output directory for every training's result file, locking the
  /// study's name and each training's (see PinnRun::prepare_output). A study continued from a
  /// checkpoint it keeps may replace its own trainings' results (one finished after that checkpoint
  /// is trained again).
  void prepare_output();

  /// Collective. Runs the reference table (if asked) and the bandit rounds, prints the table on
  /// rank 0. Every rank makes the same choices (the errors are global reductions). Throws
  /// Stopped on every rank when a signal asks to stop, the study checkpoint written.
  InterfaceBanditSummary execute(const std::string& options_text);

private:
  /// The relative L2 error of the XPINN training for (frequency index, arm), trained on first use.
  double error(int frequency_index, int arm, const std::string& options_text);
  PinnRunConfig training_config(int frequency_index, int arm) const;
  /// Collective. The study checkpoint of the errors so far, newest of config_.checkpoint.kept.
  void write_checkpoint() const;
  /// Collective. The errors of the study checkpoint at path, into errors_.
  void read_checkpoint(const std::string& path);

  InterfaceBanditRunConfig config_;
  MPI_Comm comm_;
  std::vector<io::OutputLock> output_locks_;  // one per training's stem, from prepare_output()
  std::vector<dd::InterfaceArm> arms_;
  std::map<std::pair<int, int>, double> errors_;
  bool resumed_ = false;        // continued from a study checkpoint; no training run since
  bool continues_own_ = false;  // from one of the checkpoints the study keeps in its directory
};

}  // namespace tessera::run
