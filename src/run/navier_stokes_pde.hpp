#pragma once
// Steady incompressible Navier–Stokes PINNs of run: pde: a network (x, y) -> (u, v, p) trained on
// the momentum and continuity residuals (pinn::SteadyNavierStokesResidual) with the velocity
// given on the whole boundary, for two flows:
//   -pde kovasznay            Kovasznay flow, compared with the exact solution;
//   -pde lid_driven_cavity    the unit cavity, compared with the PETSc steady cavity
//                             (solvers/cavity_reference.hpp) on the same Decomposition.
// Errors are relative L2 over the comparison grid, of u, v, the velocity vector and the pressure
// up to its mean; fields and errors go to one HDF5 file with XDMF.
#include <mpi.h>

#include <array>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "physics/kovasznay.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "solvers/cavity_reference.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera {
class Options;
}

namespace tessera::run {

struct PdeRunConfig;
struct PinnOutcome;

struct NavierStokesPdeConfig {
  physics::Kovasznay kovasznay;                        // Re 40 (NSFnets, Jin et al. 2021)
  int kovasznay_grid_x = 151, kovasznay_grid_y = 201;  // comparison grid, h = 0.01
  physics::LidDrivenCavity cavity;                     // Re 100, regularised lid
  int cavity_cells = 64;  // PETSc cells per direction = comparison grid
  solvers::CavitySteadyConfig cavity_steady;

  /// Declares and reads the options of `pde` only: kovasznay_* for kovasznay, cavity_* and
  /// cavity_reference_* for lid_driven_cavity; problems are reported to options. Not collective.
  static NavierStokesPdeConfig from_options(Options& options, const std::string& pde);
};

/// Whether -pde names a Navier–Stokes flow.
bool is_navier_stokes(const std::string& pde);

/// The flow's box: [-0.5, 1] x [-0.5, 1.5] for Kovasznay, the unit square for the cavity.
solvers::SpaceTimeBox navier_stokes_box(const std::string& pde);

/// Global points of the comparison Decomposition of the flow: the Kovasznay grid, or the cavity's
/// cells (one comparison point per MAC cell: its u face, v face and centre).
std::array<int, 3> navier_stokes_grid(const std::string& pde, const NavierStokesPdeConfig& config);

/// This rank's comparison points (x, y) of the cavity for output k of (u, v, p) on decomp's cells
/// of the unit square: the u faces (i h, (j + 1/2) h), the v faces, or the cell centres, laid out
/// as IncompressibleSolver::local_velocity() (x fastest). Not collective.
std::array<std::vector<double>, 2> cavity_points(const Decomposition& decomp, int output);

/// A velocity-pressure field on this rank's comparison points.
struct FlowField {
  std::vector<double> u, v, p;
};

/// Relative L2 errors of a flow against a reference over the global comparison grid.
struct FlowErrors {
  double u = 0, v = 0;
  double velocity = 0;  // of the vector (u, v): sqrt(sum |du|² / sum |u|²)
  double pressure = 0;  // both pressures with their global mean removed (the gauges differ)
};

/// Collective over comm. The errors of flow against reference, both on the same points.
FlowErrors flow_errors(MPI_Comm comm, const FlowField& flow, const FlowField& reference);

class SingleLearner;
class SubdomainLearner;

/// Collective. Trains the flow of config.pde (kovasznay or lid_driven_cavity) with the learner
/// given, one of single (one network, continuing from its restart) and subdomains (the other
/// nullptr), compares it on decomp's grid, writes the result file and prints the summary on
/// rank 0.
PinnOutcome run_navier_stokes_pde(MPI_Comm comm, const Decomposition& decomp,
                                  const PdeRunConfig& config, const std::string& options_text,
                                  SingleLearner* single, SubdomainLearner* subdomains);

}  // namespace tessera::run
