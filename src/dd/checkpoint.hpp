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

/// When a subdomain-network run checkpoints, and the checkpoint it continues from.
struct CheckpointConfig {
  int every = 0;        // iterations between checkpoints, 0 for none
  std::string restart;  // checkpoint to continue from, "" to start afresh
  std::string kind;     // the run kind written into its checkpoints and required of a restart
  io::RestartPhysics physics;  // recorded in its checkpoints and required of a restart

  /// Reads -dd_checkpoint_every, -dd_restart and the kind's physics options (io::RestartPhysics,
  /// declared before this call), for a run of the given kind ("xpinn", ...).
  static CheckpointConfig from_options(Options& options, const std::string& kind);
};

/// Collective over grid.comm(). Writes state (this rank's networks, parameters_per_network each,
/// in grid.owned() order) to path, tagged with the run kind and its physics options, replacing an
/// older checkpoint only once complete.
void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& kind, const std::string& path,
                      const pinn::TrainingCheckpoint& state,
                      const io::RecordedOptions& physics = {});

/// Collective over grid.comm(). This rank's part of the checkpoint at path. A missing file, one
/// that is not HDF5, one written by another kind of run (or without a kind, by an older Tessera),
/// for another tiling or network size, for other physics (with physics given; see
/// io::RestartPhysics::require_same), or holding a NaN or an Inf, is an InputError naming it, on
/// every rank.
pinn::TrainingCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                         const std::string& kind, const std::string& path,
                                         const io::RestartPhysics* physics = nullptr);

/// Collective over grid.comm(). The checkpoint config.restart names, read as read_checkpoint does
/// for a run of config.kind, or nullptr without one. Also an InputError, on every rank, if its
/// iteration lies beyond the training's Adam and L-BFGS iterations.
std::unique_ptr<pinn::TrainingCheckpoint> read_restart(const SubdomainGrid& grid,
                                                       long parameters_per_network,
                                                       const CheckpointConfig& config,
                                                       const pinn::TrainingConfig& training);

/// Sets control to write a checkpoint of grid's networks, tagged config.kind, to path every
/// config.every iterations (collective, as write_checkpoint) and to continue from resume (may be
/// nullptr), logging where it continues from on rank 0. grid must outlive the training.
void attach_checkpoints(pinn::TrainingControl& control, const SubdomainGrid& grid,
                        long parameters_per_network, const CheckpointConfig& config,
                        const std::string& path, const pinn::TrainingCheckpoint* resume);

}  // namespace tessera::dd
