#pragma once
// Random divergence-free velocity fields on the periodic box [0, L]^d as a sum of Fourier modes,
// for synthetic initial turbulence (decaying isotropic turbulence, mixing-layer perturbations).
//
// Each mode is a ê cos(k·x 2π/L + φ) with an INTEGER wave vector k (so the field is periodic on the
// box), a random phase φ and a random unit polarisation ê ⊥ k (so each mode is divergence-free in
// the continuum). Modes are spread over the integer shells s = round(|k|) = 1 .. max_wavenumber,
// the same number per shell, and share their shell's energy E(s) of the model spectrum
//   E(k) ∝ k^4 exp(-2 (k/k_p)^2)
// (peak at k = k_p), normalised so that Σ_s E(s) is the requested kinetic energy per unit volume
// (1/V) ∫ |u|²/2. The list depends on the seed only, so every rank builds the same one and
// evaluates it at its own points: the same field on any number of ranks.
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tessera::physics {

struct FourierMode {
  std::array<int, 3> wavevector{0, 0, 0};    // integer, in units of 2π/L
  std::array<double, 3> amplitude{0, 0, 0};  // a ê, ⊥ wavevector
  double phase = 0;
};

struct SolenoidalModesConfig {
  int dim = 3;
  int modes = 400;             // total, rounded up to a whole number per shell
  int max_wavenumber = 8;      // highest shell
  double peak_wavenumber = 4;  // k_p
  double energy = 1;           // (1/V) ∫ |u|²/2 of the sum (expected; exact for distinct ±k)
  std::uint64_t seed = 1;
};

/// E(k) ∝ k^4 exp(-2 (k/k_p)^2), unnormalised.
inline double model_spectrum(double k, double peak_wavenumber) {
  const double r = k / peak_wavenumber;
  return r * r * r * r * std::exp(-2.0 * r * r);
}

/// Not collective; deterministic in config. Throws tessera::Error for a config without shells.
std::vector<FourierMode> solenoidal_modes(const SolenoidalModesConfig& config);

/// Component c of the sum of modes at x on the box [0, length]^d. Not collective.
inline double evaluate_modes(const std::vector<FourierMode>& modes, int c,
                             const std::array<double, 3>& x, double length) {
  const double scale = 2.0 * M_PI / length;
  double u = 0;
  for (const auto& m : modes) {
    if (m.amplitude[c] == 0) continue;
    const double kx =
        scale * (m.wavevector[0] * x[0] + m.wavevector[1] * x[1] + m.wavevector[2] * x[2]);
    u += m.amplitude[c] * std::cos(kx + m.phase);
  }
  return u;
}

}  // namespace tessera::physics
