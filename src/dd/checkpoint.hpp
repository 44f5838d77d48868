#pragma once
// Checkpoints of subdomain-network training: every subdomain's parameters, the optimizer's state
// (Adam's moments and step count, or L-BFGS's gradient, correction pairs and their rho) and the
// iteration, in one HDF5 file written collectively (tmp + rename, see io::FieldFile). Fields
// are [S_y][S_x][P] arrays (P parameters per network; [S_z][S_y][S_x P] for a 3D tiling), each
// rank writing the block of its own subdomains, so a checkpoint written on one rank count
// restarts on any other that fits the same tiling. The root attribute run_kind names the run that
// wrote it ("xpinn", "fbpinn"), so that another kind of run with the same tiling and network size
// does not continue from networks trained for another loss; the physics and discretisation
// options (io::RestartPhysics) are recorded as root attributes of their own names, and a restart
// that differs in any is refused unless -restart_warm_start. A run that trains one network several
// times in turn (time windows, causal Adam then L-BFGS) records which of its trainings, its stages,
// a checkpoint belongs to (attributes stage and stages), and, for a stage whose loss holds causal
// weights frozen, those weights (table causal_weights). The root attribute loss is the training
// loss at the parameters, which pinn::train requires a restart to reproduce.
#include <memory>
#include <string>
#include <vector>

#include "dd/subdomain_grid.hpp"
#include "io/recorded_options.hpp"
#include "pinn/trainer.hpp"

namespace tessera {
class Options;
}

namespace tessera::dd {

/// When a network-training run checkpoints, where, and the checkpoint it continues from.
struct CheckpointConfig {
  int every = 0;           // iterations between checkpoints, 0 for none
  std::string restart;     // -dd_restart as given: "", a checkpoint, or io::kLatestCheckpoint
  std::string kind;        // the run kind written into its checkpoints and required of a restart
  std::string path;        // where the run writes its checkpoint
  bool overwrite = false;  // the run may replace a checkpoint it does not continue from
  int kept = 1;            // checkpoints kept: the newest at path, the older beside it
  io::RestartPhysics physics;  // recorded in its checkpoints and required of a restart
  std::string stages_set_by;   // the options that set a run's number of stages, for messages

  /// Reads -dd_checkpoint_every, -dd_restart and the kind's physics options (io::RestartPhysics,
  /// declared before this call), for a run of the given kind ("xpinn", ...) that writes its
  /// checkpoints to path, keeping the last `kept` (and may replace others there if overwrite).
  static CheckpointConfig from_options(Options& options, const std::string& kind,
                                       const std::string& path, bool overwrite, int kept);
};

/// Collective over grid.comm(). Writes state (this rank's networks, parameters_per_network each,
/// in grid.owned() order; the adaptive term weights and refined points, the same on every rank,
/// as tables term_weights and refined_points when there are any) to path, tagged with the run kind
/// and its physics options; once it is complete it becomes the newest of the `kept` checkpoints at
/// path (io::FieldFile:: commit_checkpoint).
void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& kind, const std::string& path,
                      const pinn::TrainingCheckpoint& state,
                      const io::RecordedOptions& physics = {}, int kept = 1);

/// Collective over grid.comm(). This rank's part of the checkpoint at path. A missing file, one
/// that is not HDF5, one written by another kind of run (or without a kind, by an older Tessera),
/// for another tiling or network size, for other physics (with physics given; see
/// io::RestartPhysics::require_same), or holding a NaN or an Inf, is an InputError naming it, on
/// every rank.
pinn::TrainingCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                         const std::string& kind, const std::string& path,
                                         const io::RestartPhysics* physics = nullptr);

/// Collective over grid.comm(). The checkpoint config.restart names (io::resolve_restart: a
/// path, or `latest`), read as read_checkpoint does for a run of config.kind, or nullptr without
/// one; config.restart becomes the file it names ("" for none), for attach_checkpoints. stages:
/// the training of each of the run's stages in turn (one for a run of one training). Also an
/// InputError, on every rank, if the checkpoint belongs to a run of another number of stages
/// (naming config.stages_set_by), if its iteration lies beyond its stage's Adam and L-BFGS
/// iterations, if it holds no adaptive term weights for a training that adapts them, or another
/// number of refinement rounds than the training makes by its iteration, or if the run would
/// replace a checkpoint at config.path that it does not continue from.
std::unique_ptr<pinn::TrainingCheckpoint> read_restart(
    const SubdomainGrid& grid, long parameters_per_network, CheckpointConfig& config,
    const std::vector<pinn::TrainingConfig>& stages);

/// Sets control to write a checkpoint of grid's networks, tagged config.kind, to config.path
/// (keeping config.kept) every config.every iterations, by wall clock and on a stop signal
/// (collective, as write_checkpoint), and to continue from resume (may be nullptr; read from
/// config.restart by read_restart), logging where it continues from on rank 0. grid must outlive
/// the training.
void attach_checkpoints(pinn::TrainingControl& control, const SubdomainGrid& grid,
                        long parameters_per_network, const CheckpointConfig& config,
                        const pinn::TrainingCheckpoint* resume);

/// Checkpoints of one network trained data-parallel over a communicator (every rank holds all of
/// it, as in run: poisson): the checkpoint of a 1 x 1 tiling, written by rank 0 alone and read by
/// every rank, so it restarts on any rank count and reads as a one-subdomain checkpoint. A run
/// that trains the network several times in turn (stages: time windows; causal Adam, then L-BFGS)
/// attaches each training as its stage; a restart continues at the checkpoint's stage, the run
/// skipping the stages before it (done: their result is the checkpoint's parameters).
class ReplicatedCheckpoints {
public:
  /// Collective over comm. Reads the restart as read_restart does; stages: the training of each
  /// stage in turn (one for a run of one training).
  ReplicatedCheckpoints(MPI_Comm comm, long parameters, const CheckpointConfig& config,
                        const std::vector<pinn::TrainingConfig>& stages);
  ReplicatedCheckpoints(const ReplicatedCheckpoints&) = delete;
  ReplicatedCheckpoints& operator=(const ReplicatedCheckpoints&) = delete;

  /// The stage the run starts at: the restart's, 0 without one. Not collective.
  int first_stage() const { return restart_ ? restart_->stage : 0; }
  /// The restart state, nullptr without one. Not collective.
  const pinn::TrainingCheckpoint* restart() const { return restart_.get(); }

  /// As attach_checkpoints, for this network in the given stage: its checkpoints record the stage
  /// and causal_weights (those its loss holds frozen, if any), and it continues from the restart
  /// if that is of this stage. control trains over the communicator given.
  void attach(pinn::TrainingControl& control, int stage = 0,
              std::vector<double> causal_weights = {}) const;

private:
  MPI_Comm comm_;
  int rank_ = 0;
  long parameters_;
  int stages_;
  CheckpointConfig config_;
  SubdomainGrid self_;  // the 1 x 1 tiling on MPI_COMM_SELF
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
};

}  // namespace tessera::dd
