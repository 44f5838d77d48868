#pragma once
// Activation functions with the derivatives the jet propagation needs (up to third order:
// the second-derivative stream's reverse pass differentiates sigma'' once more).
#include <Kokkos_Core.hpp>

#include <string>

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
      const double e = exp(2.0 * z);
      return 1.0 - 2.0 / (e + 1.0);
    }
    case Activation::Sin:
      return sin(z);
    case Activation::Relu:
      return z > 0.0 ? z : 0.0;
    default:
      return 0.5 * z * (1.0 + erf(z * 0.70710678118654752440));  // exact GELU, z Phi(z)
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
      const double c = cos(z);
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
      const double phi = 0.39894228040143267794 * exp(-0.5 * z * z);  // standard normal pdf
      const double Phi = 0.5 * (1.0 + erf(z * 0.70710678118654752440));
      d1 = Phi + z * phi;
      d2 = phi * (2.0 - z * z);
      d3 = z * phi * (z * z - 4.0);
      break;
    }
  }
}

/// GELU's first derivative alone, Phi(z) + z phi(z), from z and the activation a = gelu(z) =
/// z Phi(z) that the forward pass stored: Phi recovered as a / z (to a few ulp; 1/2 at z = 0), so
/// one exp and no erf (the backward pass of the Fourier layers needs no higher derivative).
KOKKOS_INLINE_FUNCTION double gelu_derivative(double z, double a) {
  const double phi = 0.39894228040143267794 * exp(-0.5 * z * z);
  return (z != 0.0 ? a / z : 0.5) + z * phi;
}

}  // namespace tessera::nn
