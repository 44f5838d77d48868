#pragma once
// Checkpoints of subdomain-network training: every subdomain's parameters, the optimizer's state
// (Adam's moments and step count, or L-BFGS's gradient, correction pairs and their rho) and the
// iteration, in one HDF5 file written collectively (tmp + rename, see io::FieldFile). Fields
// are [S_y][S_x][P] arrays (P parameters per network; [S_z][S_y][S_x P] for a 3D tiling), each
// rank writing the block of its own subdomains, so a checkpoint written on one rank count
// restarts on any other that fits the same tiling.
#include <memory>
#include <string>

#include "dd/subdomain_grid.hpp"
#include "pinn/trainer.hpp"

namespace tessera {
class Options;
}

namespace tessera::dd {

/// When a subdomain-network run checkpoints, and the checkpoint it continues from.
struct CheckpointConfig {
  int every = 0;        // iterations between checkpoints, 0 for none
  std::string restart;  // checkpoint to continue from, "" to start afresh

  /// Reads -dd_checkpoint_every and -dd_restart.
  static CheckpointConfig from_options(Options& options);
};

/// Collective over grid.comm(). Writes state (this rank's networks, parameters_per_network each,
/// in grid.owned() order) to path, replacing an older checkpoint only once complete.
void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& path, const pinn::TrainingCheckpoint& state);

/// Collective over grid.comm(). This rank's part of the checkpoint at path. A missing file, or one
/// written for another tiling or network size, is an InputError naming it, on every rank.
pinn::TrainingCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                         const std::string& path);

/// Collective over grid.comm(). The checkpoint config.restart names, read as read_checkpoint does,
/// or nullptr without one. Also an InputError, on every rank, if its iteration lies beyond the
/// training's Adam and L-BFGS iterations.
std::unique_ptr<pinn::TrainingCheckpoint> read_restart(const SubdomainGrid& grid,
                                                       long parameters_per_network,
                                                       const CheckpointConfig& config,
                                                       const pinn::TrainingConfig& training);

/// Sets control to write a checkpoint of grid's networks to path every config.every iterations
/// (collective, as write_checkpoint) and to continue from resume (may be nullptr), logging where
/// it continues from on rank 0. grid must outlive the training.
void attach_checkpoints(pinn::TrainingControl& control, const SubdomainGrid& grid,
                        long parameters_per_network, const CheckpointConfig& config,
                        const std::string& path, const pinn::TrainingCheckpoint* resume);

}  // namespace tessera::dd
