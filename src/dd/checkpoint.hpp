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
// that differs in any is refused unless -restart_warm_start.
#include <memory>
#include <string>

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

  /// Reads -dd_checkpoint_every, -dd_restart and the kind's physics options (io::RestartPhysics,
  /// declared before this call), for a run of the given kind ("xpinn", ...) that writes its
  /// checkpoints to path, keeping the last `kept` (and may replace others there if overwrite).
  static CheckpointConfig from_options(Options& options, const std::string& kind,
                                       const std::string& path, bool overwrite, int kept);

  /// Reports to options that checkpoints are asked of a training whose adaptive term weights or
  /// refined points they would not hold (pinn::train refuses to resume it).
  void report_unresumable(Options& options, const pinn::TrainingConfig& training) const;
};

/// Collective over grid.comm(). Writes state (this rank's networks, parameters_per_network each,
/// in grid.owned() order) to path, tagged with the run kind and its physics options; once it is
/// complete it becomes the newest of the `kept` checkpoints at path (io::FieldFile::
/// commit_checkpoint).
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
/// one; config.restart becomes the file it names ("" for none), for attach_checkpoints. Also an
/// InputError, on every rank, if its iteration lies beyond the training's Adam and L-BFGS
/// iterations, or if the run would replace a checkpoint at config.path that it does not continue
/// from.
std::unique_ptr<pinn::TrainingCheckpoint> read_restart(const SubdomainGrid& grid,
                                                       long parameters_per_network,
                                                       CheckpointConfig& config,
                                                       const pinn::TrainingConfig& training);

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
/// every rank, so it restarts on any rank count and reads as a one-subdomain checkpoint.
class ReplicatedCheckpoints {
public:
  /// Collective over comm. Reads the restart as read_restart does.
  ReplicatedCheckpoints(MPI_Comm comm, long parameters, const CheckpointConfig& config,
                        const pinn::TrainingConfig& training);
  ReplicatedCheckpoints(const ReplicatedCheckpoints&) = delete;
  ReplicatedCheckpoints& operator=(const ReplicatedCheckpoints&) = delete;

  /// As attach_checkpoints, for this network; control trains over the communicator given.
  void attach(pinn::TrainingControl& control) const;

private:
  MPI_Comm comm_;
  int rank_ = 0;
  long parameters_;
  CheckpointConfig config_;
  SubdomainGrid self_;  // the 1 x 1 tiling on MPI_COMM_SELF
  std::unique_ptr<pinn::TrainingCheckpoint> restart_;
};

}  // namespace tessera::dd
