#pragma once
// Steady Darcy flow, the standard operator-learning data set: -∇·(a(x)∇u) = f on [0,1]^2, u = 0
// on the boundary, with a coefficient a drawn from a Gaussian random field g, and f = 1.
// Pointwise functions shared by the reference solver, the data set and the tests.
//
// Two families of coefficient (PermeabilityFamily):
//   lognormal  a = exp(g), g a smooth truncated cosine series with decaying amplitudes,
//                g(x, y) = σ Σ_{k,l < K, (k,l) != (0,0)} λ_kl ξ_kl cos(kπx) cos(lπy),
//                λ_kl = (1 + k² + l²)^(-α/2) / sqrt(Σ λ²),
//              so σ bounds the pointwise standard deviation of g and α sets its smoothness.
//   threshold  the FNO paper's Darcy data (Li et al. 2021): g ~ N(0, τ^(2α-2) (-Δ + τ²I)^(-α)) with
//              homogeneous Neumann conditions on [0,1]^2, α = 2 and τ = 3 (the paper's
//              N(0, (-Δ + 9I)^-2) up to the factor τ^(2α-2), which no threshold at 0 sees), as its
//              Karhunen–Loève series in the Laplacian's L²-normalised eigenfunctions
//                g(x, y) = Σ_{k,l < K, (k,l) != (0,0)} c_k c_l τ^(α-1) (π²(k² + l²) + τ²)^(-α/2)
//                          ξ_kl cos(kπx) cos(lπy),   c_0 = 1, c_k = √2,
//              the mean mode left out as in the published script (GRF.m); a = high (12) where
//              g >= 0 and low where g < 0 (3 in the paper's text, 4 in the released script).
// Its coefficients
// ξ are standard normal numbers computed from (seed, sample, mode) by a counter-based generator:
// sample s is the same on any number of ranks, and no rank draws numbers for another.
//
// Samples form a stationary AR(1) sequence, ξ^(s) = ρ ξ^(s-1) + sqrt(1 - ρ²) η^(s) with fresh
// standard normal η^(s): every sample has the same distribution as an independent draw, and
// consecutive samples are correlated by ρ. ρ = 0 gives independent samples; ρ near 1 a slowly
// varying field, as in the time series of a simulation or a continuation in a parameter, which is
// where reusing the previous solves pays.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

/// Not collective; pure. A standard normal number determined by (seed, stream, index) alone.
double counter_normal(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

/// Not collective; pure. The standard deviation of the mode of a Gaussian random field
/// ~ N(0, τ^(2α-2) (-Δ + τ²)^(-α)) whose Laplacian eigenvalue is `eigenvalue` (π²|k|² for the
/// cosines of the unit square, 4π²|k|² for its periodic modes): τ^(α-1) (eigenvalue + τ²)^(-α/2),
/// as the FNO data scripts draw their Darcy and Navier–Stokes fields.
inline double random_field_amplitude(double eigenvalue, double alpha, double tau) {
  return std::pow(tau, alpha - 1.0) * std::pow(eigenvalue + tau * tau, -0.5 * alpha);
}

enum class PermeabilityFamily { lognormal, threshold };

/// Not collective; pure. The FNO data's coefficient: high where g >= 0, low where g < 0.
KOKKOS_INLINE_FUNCTION double threshold_coefficient(double g, double low, double high) {
  return g >= 0 ? high : low;
}

struct PermeabilityFieldConfig {
  PermeabilityFamily family = PermeabilityFamily::lognormal;
  int modes = 8;              // K: cosine modes per direction
  double log_std = 1.0;       // σ (lognormal)
  double decay = 2.5;         // α (lognormal)
  double correlation = 0.98;  // ρ between consecutive samples
  std::uint64_t seed = 2024;
  double grf_alpha = 2.0;        // α of the threshold family's covariance (-Δ + τ²I)^(-α)
  double grf_tau = 3.0;          // τ
  double threshold_low = 3.0;    // a where g < 0
  double threshold_high = 12.0;  // a where g >= 0

  /// Declares and reads the darcy_* options. Not collective (every rank reads the same database).
  /// grid_points is the solver's grid: the threshold family's default K takes every cosine the
  /// grid resolves (K = grid_points, as the published script), and its default ρ is 0.
  static PermeabilityFieldConfig from_options(Options& options, int grid_points);
  /// Not collective. "lognormal" or "threshold".
  const char* family_name() const;
};

/// The sequence of log-normal permeability fields a = exp(g) of one data set.
class PermeabilitySequence {
public:
  explicit PermeabilitySequence(const PermeabilityFieldConfig& config);

  /// Not collective. Moves to sample `sample`, which must be >= the current one (the AR(1)
  /// recursion runs forward; sample 0 is where a new sequence starts). With ρ = 0 the samples are
  /// independent and sample s is drawn alone, at the cost of one sample.
  void advance_to(int sample);
  int sample() const { return sample_; }

  /// Not collective. g at (x, y) for the current sample, and a there.
  double log_permeability(double x, double y) const;
  double permeability(double x, double y) const { return coefficient(log_permeability(x, y)); }

  /// Not collective. a on the nodes (i h, j h) of the index box [i0, i0 + ni) x [j0, j0 + nj),
  /// x fastest; the separable sum costs O(K nj (K + ni)) instead of O(K² ni nj).
  std::vector<double> tabulate(int i0, int ni, int j0, int nj, double h) const;

private:
  double amplitude(int k, int l) const { return amplitude_[k * modes_ + l]; }
  double coefficient(double g) const {
    return config_.family == PermeabilityFamily::threshold
               ? threshold_coefficient(g, config_.threshold_low, config_.threshold_high)
               : std::exp(g);
  }
  PermeabilityFieldConfig config_;
  int modes_;
  int sample_ = -1;
  std::vector<double> amplitude_;  // of mode (k, l) in g, [k][l]
  std::vector<double> xi_;         // ξ_kl of the current sample, [k][l]
};

/// A manufactured solution with a non-constant coefficient, for convergence tests:
/// u = sin(πx) sin(πy) (zero on the boundary), a = 1 + ½ sin(2πx) sin(3πy) in [½, 3/2],
/// f = -∇·(a∇u) = -(a_x u_x + a_y u_y) + 2π² a u.
struct DarcyManufactured {
  KOKKOS_INLINE_FUNCTION double exact(double x, double y) const {
    return math::sin(M_PI * x) * math::sin(M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double coefficient(double x, double y) const {
    return 1.0 + 0.5 * math::sin(2 * M_PI * x) * math::sin(3 * M_PI * y);
  }
  KOKKOS_INLINE_FUNCTION double source(double x, double y) const {
    const double ax = M_PI * math::cos(2 * M_PI * x) * math::sin(3 * M_PI * y);
    const double ay = 1.5 * M_PI * math::sin(2 * M_PI * x) * math::cos(3 * M_PI * y);
    const double ux = M_PI * math::cos(M_PI * x) * math::sin(M_PI * y);
    const double uy = M_PI * math::sin(M_PI * x) * math::cos(M_PI * y);
    return -(ax * ux + ay * uy) + 2 * M_PI * M_PI * coefficient(x, y) * exact(x, y);
  }
};

}  // namespace tessera::physics
