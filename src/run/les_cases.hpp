#pragma once
// The flows the LES run starts from, each with its velocity and length scales (which turn a
// Reynolds number into a viscosity) and its initial velocity field.
//
//   taylor_green  u = V0 sin(x/ℓ) cos(y/ℓ) cos(z/ℓ), v = -V0 cos sin cos, w = 0 on [0, 2πℓ]^d
//                 (ℓ = L/2π; 2D without the cos z factor). Re = V0 ℓ / ν; Re = 1600 is the
//                 workshop case the reference table holds.
//   isotropic     decaying turbulence from the model spectrum E(k) ∝ k^4 exp(-2 (k/k_p)^2), a sum
//                 of random integer Fourier modes (physics/solenoidal_modes.hpp), projected and
//                 scaled to (1/V) ∫ |u|²/2 = d u'²/2. Re = u' ℓ / ν with ℓ = L/2π.
//   mixing_layer  temporal double shear layer, periodic in every direction:
//                 u = U (tanh((y - L/4)/δ) - tanh((y - 3L/4)/δ) - 1), L the side along y, i.e. -U
//                 near y = 0, L and +U around y = L/2, with two layers of thickness δ. The
//                 profile is periodic in value by symmetry; its slope jumps at y = 0 by
//                 4 sech²(L/4δ)/δ, below 1e-3 of the layers' U/δ for L/δ >= 20. Plus random
//                 Fourier-mode perturbations of rms ε U in a Gaussian envelope of width 2δ around
//                 each layer (periodic distance), then projected. Re = U δ / ν.
//   cavity        lid-driven cavity: fluid at rest; the lid (solver option) drives it.
//                 Re = U_lid L / ν.
// The isotropic field and the mixing layer also run in a box that is not a cube (-les_cells
// 64,64,32), every side a whole multiple of the shortest: their random modes are periodic on the
// shortest side. The other cases run in cubes.
#include <cstdint>
#include <string>
#include <vector>

#include "solvers/incompressible.hpp"

namespace tessera {
class Options;
namespace io {
class FieldFile;
class FieldFileReader;
}  // namespace io
}  // namespace tessera

namespace tessera::run {

struct LesFlowConfig {
  std::string name = "taylor_green";  // taylor_green, isotropic, mixing_layer, cavity
  double end_time = 1;
  double reynolds = 0;        // > 0: sets the viscosity from the case's scales
  double velocity_scale = 1;  // V0, u' or U
  double peak_wavenumber = 4;
  int modes = 400;
  double layer_thickness = 0.05;  // δ as a fraction of L
  double perturbation = 0.05;     // ε
  std::uint64_t seed = 1;

  static const std::vector<std::string>& names();

  /// Declares and reads the flow options (-les_case, -les_end_time, -les_reynolds, ...), checks
  /// them against the solver config and, for -les_reynolds > 0, sets solver.viscosity. Problems
  /// go to options.report(). Not collective.
  static LesFlowConfig from_options(Options& options, solvers::IncompressibleConfig& solver);

  /// The case's velocity and length scales U and ℓ, so that Re = U ℓ / ν. Not collective.
  double velocity_unit(const solvers::IncompressibleConfig& solver) const;
  double length_unit(const solvers::IncompressibleConfig& solver) const;
  /// Whether the case is periodic in every direction (an energy spectrum exists).
  bool periodic() const { return name != "cavity"; }
  /// Whether the case starts from random Fourier modes (and may run in a box that is not a cube).
  bool random_modes() const { return name == "isotropic" || name == "mixing_layer"; }
};

/// The attributes of an LES file (checkpoint, data set) that name its box's cells: les_cells
/// along x, les_cells_y and les_cells_z. Not collective.
void write_les_box_cells(io::FieldFile& file, const BoxCells& cells);
/// Collective over the reader's communicator. The cells of the box an LES file was written for;
/// a file without les_cells_y and les_cells_z (written before boxes other than cubes) holds a cube.
BoxCells les_box_cells(const io::FieldFileReader& file);

/// Collective over the solver's communicator. Sets the case's initial velocity at time 0,
/// discretely divergence-free (projected).
void set_initial_velocity(solvers::IncompressibleSolver& solver, const LesFlowConfig& flow,
                          const solvers::IncompressibleConfig& config);

}  // namespace tessera::run
