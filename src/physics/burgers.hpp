#pragma once
// Viscous Burgers equation, the standard PINN benchmark:
//   u_t + u u_x = ν u_xx,  x ∈ [-1, 1], t ∈ [0, 1],  u(x, 0) = -sin(πx),  u(±1, t) = 0,
// with ν = 0.01/π: a shock of width ~ν forms at x = 0 by t = 1/π.
//
// Its exact solution by the Cole–Hopf transform (Basdevant et al. 1986, Comput. Fluids 14):
//   u(x, t) = -∫ sin(π(x-η)) f(x-η) exp(-η²/4νt) dη / ∫ f(x-η) exp(-η²/4νt) dη,
//   f(y) = exp(-cos(πy) / (2πν)),
// evaluated with η = sqrt(4νt) z by Gauss–Hermite quadrature. f spans exp(±1/(2πν)) = exp(±50),
// so the sums are formed as log-sum-exp with the log weights, and never overflow.
//
// The quadrature table lives on the host, so the Cole–Hopf evaluation is a host function (it
// makes reference data, not residuals); the pointwise pieces below are inline for the kernels.
#include <Kokkos_Core.hpp>

#include <vector>

#include "core/device_math.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

struct Burgers1D {
  double viscosity = 0.01 / M_PI;  // ν

  /// Reads -burgers_viscosity. Not collective.
  static Burgers1D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION static double initial(double x) { return -math::sin(M_PI * x); }
  /// Residual u_t + u u_x - ν u_xx of a candidate u with the given derivatives.
  KOKKOS_INLINE_FUNCTION double residual(double u, double u_t, double u_x, double u_xx) const {
    return u_t + u * u_x - viscosity * u_xx;
  }
};

/// The n-point Gauss–Hermite rule for ∫ g(z) exp(-z²) dz: nodes in increasing order and the
/// logarithms of the weights (the weights of the outer nodes underflow a double for n > ~350).
struct GaussHermiteRule {
  std::vector<double> nodes, log_weights;
};

/// Not collective. Nodes by bracketing the sign changes of the Hermite function ψ_n (computed by
/// its stable three-term recurrence, which carries the exp(-z²/2) factor) and bisection; weights
/// w = 1 / (n ψ̃_{n-1}²) with ψ̃ the orthonormal polynomial. n in [1, 600].
GaussHermiteRule gauss_hermite(int n);

/// The Cole–Hopf solution of Burgers1D by an n-point Gauss–Hermite rule.
class ColeHopfBurgers {
public:
  /// Not collective. Throws tessera::Error for a non-positive viscosity or n outside [1, 600].
  ColeHopfBurgers(const Burgers1D& problem, int quadrature_points);
  /// u(x, t) for t >= 0 (at t = 0 the initial condition). Not collective.
  double operator()(double x, double t) const;

private:
  Burgers1D problem_;
  GaussHermiteRule rule_;
};

}  // namespace tessera::physics
