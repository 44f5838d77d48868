#pragma once
// Checkpoints of subdomain-network training: every subdomain's parameters, the optimizer's state
// (Adam's moments and step count, or L-BFGS's gradient, correction pairs and their rho) and the
// iteration, in one HDF5 file written collectively (tmp + rename, see io::FieldFile). Fields
// are [S_y][S_x][P] arrays (P parameters per network; [S_z][S_y][S_x P] for a 3D tiling), each
// rank writing the block of its own subdomains, so a checkpoint written on one rank count
// restarts on any other that fits the same tiling.
#include <string>

#include "dd/subdomain_grid.hpp"
#include "pinn/trainer.hpp"

namespace tessera::dd {

/// Collective over grid.comm(). Writes state (this rank's networks, parameters_per_network each,
/// in grid.owned() order) to path, replacing an older checkpoint only once complete.
void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& path, const pinn::TrainingCheckpoint& state);

/// Collective over grid.comm(). This rank's part of the checkpoint at path. A missing file, or one
/// written for another tiling or network size, is an InputError naming it, on every rank.
pinn::TrainingCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                         const std::string& path);

}  // namespace tessera::dd
