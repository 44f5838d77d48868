#include "physics/solenoidal_modes.hpp"

#include "core/error.hpp"
#include "core/random.hpp"

namespace tessera::physics {

namespace {

// A uniformly random integer wave vector with round(|k|) == shell, by rejection from the cube.
std::array<int, 3> wavevector_in_shell(int dim, int shell, std::uint64_t& state) {
  for (;;) {
    std::array<int, 3> k{0, 0, 0};
    double k2 = 0;
    for (int d = 0; d < dim; ++d) {
      k[d] = static_cast<int>(uniform_unit(state) * (2 * shell + 1)) - shell;
      k2 += double(k[d]) * k[d];
    }
    if (std::lround(std::sqrt(k2)) == shell) return k;
  }
}

// A random unit vector ⊥ k: in 2D ±(-k_y, k_x)/|k|; in 3D a random direction on the sphere with
// its k component removed.
std::array<double, 3> polarisation(int dim, const std::array<int, 3>& k, std::uint64_t& state) {
  const double norm_k = std::sqrt(double(k[0]) * k[0] + double(k[1]) * k[1] + double(k[2]) * k[2]);
  if (dim == 2) {
    const double sign = uniform_unit(state) < 0.5 ? -1.0 : 1.0;
    return {-sign * k[1] / norm_k, sign * k[0] / norm_k, 0.0};
  }
  for (;;) {
    const double z = 2 * uniform_unit(state) - 1, phi = 2 * M_PI * uniform_unit(state);
    const double r = std::sqrt(1 - z * z);
    std::array<double, 3> e{r * std::cos(phi), r * std::sin(phi), z};
    double along = 0;
    for (int d = 0; d < 3; ++d) along += e[d] * k[d] / norm_k;
    double norm = 0;
    for (int d = 0; d < 3; ++d) {
      e[d] -= along * k[d] / norm_k;
      norm += e[d] * e[d];
    }
    norm = std::sqrt(norm);
    if (norm > 1e-6) {
      for (auto& v : e) v /= norm;
      return e;
    }
  }
}

}  // namespace

std::vector<FourierMode> solenoidal_modes(const SolenoidalModesConfig& config) {
  TESSERA_CHECK(config.dim == 2 || config.dim == 3,
                "solenoidal_modes: dimension " << config.dim << " is not 2 or 3");
  TESSERA_CHECK(config.max_wavenumber >= 1 && config.modes >= 1 && config.peak_wavenumber > 0,
                "solenoidal_modes: need max_wavenumber >= 1, modes >= 1 and a positive peak "
                "wavenumber (got "
                    << config.max_wavenumber << ", " << config.modes << ", "
                    << config.peak_wavenumber << ")");
  const int shells = config.max_wavenumber;
  const int per_shell = (config.modes + shells - 1) / shells;
  double total = 0;
  for (int s = 1; s <= shells; ++s) total += model_spectrum(s, config.peak_wavenumber);

  std::uint64_t state = splitmix64(config.seed);
  std::vector<FourierMode> modes;
  modes.reserve(size_t(shells) * per_shell);
  for (int s = 1; s <= shells; ++s) {
    // A mode a ê cos(k·x + φ) holds a²/4 of kinetic energy per unit volume.
    const double energy = config.energy * model_spectrum(s, config.peak_wavenumber) / total;
    const double a = 2.0 * std::sqrt(energy / per_shell);
    for (int m = 0; m < per_shell; ++m) {
      FourierMode mode;
      mode.wavevector = wavevector_in_shell(config.dim, s, state);
      const auto e = polarisation(config.dim, mode.wavevector, state);
      for (int d = 0; d < 3; ++d) mode.amplitude[d] = a * e[d];
      mode.phase = 2 * M_PI * uniform_unit(state);
      modes.push_back(mode);
    }
  }
  return modes;
}

}  // namespace tessera::physics
