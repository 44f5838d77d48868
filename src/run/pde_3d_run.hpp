#pragma once
// The 3D PDEs of run: pde (-pde poisson3d | heat3d): one data-parallel network on (x, y, z) or
// (x, y, z, t) over the unit cube, trained on PdeLoss with PoissonResidual<3> or Heat3DResidual,
// and compared on the 3D Decomposition of the PETSc reference's grid with that reference (solved
// on the same decomposition, so each rank compares its own block) and with the exact solution.
// Heat is compared at half the final time and at the final time, the reference advanced to each.
#include <memory>
#include <string>

#include "core/decomposition.hpp"
#include "dd/checkpoint.hpp"
#include "physics/heat.hpp"
#include "physics/poisson3d.hpp"
#include "solvers/heat_reference.hpp"
#include "solvers/poisson3d_reference.hpp"

namespace tessera {
class Options;
}

namespace tessera::run {

struct PdeRunConfig;
struct PinnOutcome;

struct Pde3DConfig {
  physics::Poisson3D poisson3d;
  physics::Heat3D heat3d;
  double heat_final_time = 1.0;  // T: the network's time input spans [0, T]
  solvers::Poisson3DReferenceConfig poisson3d_reference;
  solvers::HeatReferenceConfig heat_reference;

  /// Declares and reads the options of `pde` only: poisson3d_* for poisson3d, heat_* and
  /// heat_reference_* for heat3d. Not collective.
  static Pde3DConfig from_options(Options& options, const std::string& pde);
};

/// True for the PDEs this file runs.
bool is_3d_pde(const std::string& pde);
/// Network inputs of a 3D PDE: 3 for Poisson, 4 for heat (time last).
int pde_3d_inputs(const std::string& pde);
/// Points per direction of the PDE's reference grid, the run's comparison grid.
int pde_3d_grid_points(const PdeRunConfig& config);

class Pde3DRun {
public:
  /// Collective over decomp.comm(). decomp must be the 3D decomposition of the reference grid
  /// (pde_3d_grid_points); builds the PETSc reference (reading its PETSc options), throws
  /// tessera::Error if the grid does not suit it; touches no file. decomp and config must outlive
  /// this object (PdeRun owns all three).
  Pde3DRun(const Decomposition& decomp, const PdeRunConfig& config);
  ~Pde3DRun();

  /// Collective. Trains (checkpointed by checkpoints, continuing from its restart), solves the
  /// reference, compares, writes the result file and its XDMF, prints the summary on rank 0. The
  /// summary's errors are those at the final time for heat.
  PinnOutcome execute(const std::string& options_text,
                      const dd::ReplicatedCheckpoints& checkpoints);

private:
  const Decomposition& decomp_;
  const PdeRunConfig& config_;
  std::unique_ptr<solvers::Poisson3DReference> poisson_reference_;
  std::unique_ptr<solvers::HeatReference> heat_reference_;
};

}  // namespace tessera::run
