#pragma once
// The options prefix of every PETSc solver Tessera builds: each solver reads its PETSc options
// (-<prefix>ksp_monitor, -<prefix>pc_type, ...) under its own, so that two solves of one run can be
// tuned apart. The solvers set these and the options pass names them when an option comes without
// one (Options::refuse_unprefixed_solver_options).
#include <vector>

#include "core/options.hpp"

namespace tessera::solvers {

inline constexpr char kPoissonReferencePrefix[] = "reference_";
inline constexpr char kPoisson3DReferencePrefix[] = "poisson3d_reference_";
inline constexpr char kHeatReferencePrefix[] = "heat_reference_";
inline constexpr char kHelmholtzReferencePrefix[] = "helmholtz_reference_";
inline constexpr char kAllenCahnReferencePrefix[] = "allen_cahn_reference_";
inline constexpr char kDarcyDatasetPrefix[] = "dataset_";
inline constexpr char kLesPressurePrefix[] = "les_";

/// Every prefix with the solve it belongs to and whether it is a time stepper, for messages. Not
/// collective.
inline std::vector<Options::SolverPrefix> options_prefixes() {
  return {{kPoissonReferencePrefix, "the 2D Poisson reference solve", false},
          {kPoisson3DReferencePrefix, "the 3D Poisson reference solve", false},
          {kHeatReferencePrefix, "each heat reference step, -pde heat3d", false},
          {kHelmholtzReferencePrefix, "the Helmholtz reference solve", false},
          {kAllenCahnReferencePrefix, "the Allen-Cahn reference time stepper, a TS", true},
          {kDarcyDatasetPrefix, "each Darcy solve of run: dataset", false},
          {kLesPressurePrefix, "the pressure solve of run: les", false}};
}

}  // namespace tessera::solvers
