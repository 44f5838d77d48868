#pragma once
// Activation functions with the derivatives the jet propagation needs (up to third order:
// the second-derivative stream's reverse pass differentiates sigma'' once more).
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <cstring>
#include <string>

#include "core/device_math.hpp"

namespace tessera::nn {

// Relu has no second derivative (0 away from the kink): for operator networks fed values only
// (DeepONet), not for PINN jets.
enum class Activation { Tanh, Sin, Gelu, Relu };

Activation activation_from_name(const std::string& name);
const char* activation_name(Activation a);

/// sigma(z).
KOKKOS_INLINE_FUNCTION double activate(Activation a, double z) {
  switch (a) {
    case Activation::Tanh: {
      // 1 - 2/(e^{2z}+1): one exp instead of libm's tanh (expm1 plus a division), accurate to
      // round-off in absolute terms, and saturating cleanly to +-1 when e^{2z} over/underflows.
      const double e = math::exp(2.0 * z);
      return 1.0 - 2.0 / (e + 1.0);
    }
    case Activation::Sin:
      return math::sin(z);
    case Activation::Relu:
      return z > 0.0 ? z : 0.0;
    default:
      return 0.5 * z * (1.0 + math::erf(z * 0.70710678118654752440));  // exact GELU, z Phi(z)
  }
}

/// sigma', sigma'', sigma''' at z, given s = sigma(z) (tanh's derivatives are polynomials in s,
/// so the hot loops never evaluate tanh twice).
KOKKOS_INLINE_FUNCTION void activation_derivatives(Activation a, double z, double s, double& d1,
                                                   double& d2, double& d3) {
  switch (a) {
    case Activation::Tanh: {
      const double q = 1.0 - s * s;
      d1 = q;
      d2 = -2.0 * s * q;
      d3 = q * (6.0 * s * s - 2.0);
      break;
    }
    case Activation::Sin: {
      const double c = math::cos(z);
      d1 = c;
      d2 = -s;
      d3 = -c;
      break;
    }
    case Activation::Relu: {
      d1 = z > 0.0 ? 1.0 : 0.0;  // the subgradient 0 at the kink, as torch
      d2 = 0.0;
      d3 = 0.0;
      break;
    }
    default: {
      const double phi = 0.39894228040143267794 * math::exp(-0.5 * z * z);  // standard normal pdf
      const double Phi = 0.5 * (1.0 + math::erf(z * 0.70710678118654752440));
      d1 = Phi + z * phi;
      d2 = phi * (2.0 - z * z);
      d3 = z * phi * (z * z - 4.0);
      break;
    }
  }
}

/// e^x for -708 <= x <= 709 (a NaN stays NaN; outside the range the result is wrong), inline and
/// branch-free so that loops over it vectorise, unlike a call to libm's exp: Cody-Waite reduction
/// x = n ln 2 + r (|r| <= ln 2 / 2, ln 2 in two parts), e^r by its Taylor polynomial of degree 13
/// (remainder below 1e-17), 2^n built in the exponent bits. Within 1 ulp of libm's exp over the
/// range (measured: relative 2.2e-16).
KOKKOS_INLINE_FUNCTION double exp_in_range(double x) {
  const double shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  const double n = (x * 1.4426950408889634074 + shifter) - shifter;
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // n + 1023 in the low mantissa bits of biased, shifted into the exponent field.
  const double biased = n + (shifter + 1023.0);
  std::uint64_t bits;
  std::memcpy(&bits, &biased, sizeof bits);
  bits <<= 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof bits);
  return p * scale;
}

/// e^x in float for -87 <= x <= 88 (outside the range the result is wrong), branch-free like the
/// double exp_in_range, for the float network's GELU: x = n ln 2 + r (ln 2 in two parts), e^r by
/// its Taylor polynomial of degree 7 (remainder below 2e-9 for |r| <= ln 2 / 2), 2^n in the
/// exponent bits. Within 2 ulp of the double exp rounded to float.
KOKKOS_INLINE_FUNCTION float exp_in_range(float x) {
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/// GELU's first derivative alone, Phi(z) + z phi(z), from z and the activation a = gelu(z) =
/// z Phi(z) that the forward pass stored, in the network's precision (double or float): Phi
/// recovered as a / z (to a few ulp; 1/2 at z = 0), so no erf (the backward pass of the Fourier
/// layers needs no higher derivative). Written without branches or libm calls so that the backward
/// pass's loop vectorises: phi through exp_in_range at s = min(|z|, c), c = 37 in double (z phi(z)
/// < 1e-296 beyond, so s phi(s) stands for it) and 13 in float (below 1e-36), the z = 0 case by
/// arithmetic. The bound is c + 0 z, not a constant, so that the compiler does not split the loop
/// on the clamp (a NaN z gives NaN, an infinite one NaN as a / z always did).
template <class Scalar>
KOKKOS_INLINE_FUNCTION Scalar gelu_derivative(Scalar z, Scalar a) {
  const Scalar bound = Scalar(sizeof(Scalar) == sizeof(double) ? 37 : 13) + Scalar(0) * z;
  const Scalar magnitude = z < Scalar(0) ? -z : z;
  const Scalar s = magnitude < bound ? magnitude : bound;
  const Scalar phi = Scalar(0.39894228040143267794) * exp_in_range(Scalar(-0.5) * s * s);
  const Scalar zero = z == Scalar(0);
  return a / (z + zero) + Scalar(0.5) * zero + (z < Scalar(0) ? -s : s) * phi;
}

/// GELU of the double networks: the exact erf form (activate's).
KOKKOS_INLINE_FUNCTION double gelu(double z) { return activate(Activation::Gelu, z); }

/// GELU of the float networks, z Phi(z), branch-free so that the float loops vectorise (libm's erf
/// does not): Phi(z) = 1 - e or e for z >= 0 or < 0, e = erfc(|z| / sqrt 2) / 2 by the Chebyshev
/// fit of Numerical Recipes' erfcc (relative error below 1.2e-7 everywhere), its exponent's
/// argument kept in exp_in_range's range by |z| <= 13 (erfc(13 / sqrt 2) / 2 = 6e-39 stands for
/// the rest). Within (8 + 2 z^2) float ulp of the double GELU (the growth with z^2 is the left
/// tail's conditioning: Phi's relative error is z^2 / 2 times that of z^2 / 2); tested.
KOKKOS_INLINE_FUNCTION float gelu(float z) {
  const float bound = 13.0f + 0.0f * z;
  const float magnitude = z < 0.0f ? -z : z;
  const float x = (magnitude < bound ? magnitude : bound) * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * x);
  float q = 0.17087277f;
  q = q * t - 0.82215223f;
  q = q * t + 1.48851587f;
  q = q * t - 1.13520398f;
  q = q * t + 0.27886807f;
  q = q * t - 0.18628806f;
  q = q * t + 0.09678418f;
  q = q * t + 0.37409196f;
  q = q * t + 1.00002368f;
  q = q * t - 1.26551223f;
  const float e = 0.5f * t * exp_in_range(q - x * x);
  const float negative = z < 0.0f;  // Phi = e or 1 - e by arithmetic: a branch would not vectorise
  return z * ((1.0f - negative) + (2.0f * negative - 1.0f) * e);
}

}  // namespace tessera::nn
