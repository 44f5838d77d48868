#pragma once
// The steady lid-driven cavity reference for the PINN decks: the LES solver's cavity
// (incompressible.hpp, Boundary::cavity: MAC grid, RK3 + projection) run from rest until the flow
// stops changing. No second Navier–Stokes discretisation: this only drives IncompressibleSolver
// and decides when it is steady.
#include <vector>

#include "core/decomposition.hpp"
#include "solvers/incompressible.hpp"

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct CavitySteadyConfig {
  double tolerance = 1e-4;  // steady once max |u(t) - u(t - interval)| / interval <= this * lid
  double interval = 0.5;    // time between two checks
  double max_time = 200;    // not steady by then is a failure

  /// Declares and reads -cavity_reference_tolerance, _interval and _max_time. Not collective.
  static CavitySteadyConfig from_options(Options& options);
};

/// This rank's blocks of the steady cavity flow, laid out as IncompressibleSolver's
/// local_velocity(c) (velocity[c], on the MAC faces) and local_pressure() (cell centres).
struct CavitySteadyState {
  std::vector<std::vector<double>> velocity;
  std::vector<std::vector<double>> centre_velocity;  // at the cell centres, as local_pressure()
  std::vector<double> pressure;
  double time = 0;         // when the check first passed
  double change_rate = 0;  // max |Δu| / interval at that check, over the lid velocity
  int steps = 0;
  double max_divergence = 0;
};

/// Collective over decomp.comm(). Runs `flow` (config.boundary must be Boundary::cavity; decomp
/// as IncompressibleSolver needs it) from rest until the velocity changes by less than
/// steady.tolerance times the lid velocity per unit time, and returns the fields. Throws
/// tessera::Error on every rank if that has not happened by steady.max_time.
CavitySteadyState run_cavity_to_steady_state(const Decomposition& decomp,
                                             const IncompressibleConfig& flow,
                                             const CavitySteadyConfig& steady);

}  // namespace tessera::solvers
