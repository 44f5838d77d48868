#pragma once
// Interface conditions of domain-decomposed PINNs (XPINN, cPINN): weighted penalty terms on the
// points of a face two subdomains share, composable in the deck
//   dd: {continuity: 10, average: 0, flux: 1, residual: 1}
// For subdomain i and its neighbour j at the same interface point:
//   continuity  (u_i - u_j)^2                solution continuity
//   average     (u_i - (u_i + u_j)/2)^2      average solution (XPINN)
//   flux        (d_n u_i - d_n u_j)^2        normal-flux continuity (cPINN); n is the face's
//                                            axis direction, the same vector on both sides
//   residual    (r_i - r_j)^2                PDE-residual continuity (XPINN)
// each a mean over the face's points, times its weight. The neighbour's quantities are constants
// in subdomain i's loss (exchanged, not differentiated): the XPINN practice, which keeps every
// network's parameters and gradients local.
//
// That is exact gradient descent on one global objective: each term is a function of
// (q_i - q_j), differentiated in q_i only, so the gradient of subdomain i's loss with respect to
// its parameters equals that of
//   F = sum_i (own terms of i) + 1/2 sum_i (interface terms of i)
// in which every face counts once. The optimizers minimise F (XpinnLoss::value_and_gradient).
#include <Kokkos_Core.hpp>

#include <array>
#include <string>
#include <vector>

namespace tessera {
class Options;
}

namespace tessera::dd {

/// What a subdomain computes at each of its interface points and sends to the neighbour.
enum InterfaceQuantity { kValue = 0, kNormalDerivative = 1, kResidual = 2, kInterfaceQuantities };

constexpr int kInterfaceTerms = 4;

struct InterfaceWeights {
  double continuity = 10.0, average = 0.0, flux = 1.0, residual = 1.0;

  /// Reads -dd_continuity, -dd_average, -dd_flux, -dd_residual (all >= 0).
  static InterfaceWeights from_options(Options& options);
};

/// The weighted sum of the four terms. Pointwise and copyable into kernels.
class InterfaceCondition {
public:
  explicit InterfaceCondition(const InterfaceWeights& weights)
      : weight_{weights.continuity, weights.average, weights.flux, weights.residual} {}

  /// Term names in the order of evaluate()'s terms: continuity, average, flux, residual_jump.
  static std::vector<std::string> term_names();
  double weight(int term) const { return weight_[term]; }

  /// At one interface point: own and other hold the kInterfaceQuantities quantities of this
  /// subdomain and of the neighbour. Adds each weighted term times scale into terms[] and writes
  /// scale times the derivative of their sum with respect to this side's quantities into
  /// d_own[] (the neighbour's are constants).
  KOKKOS_INLINE_FUNCTION void evaluate(const double* own, const double* other, double scale,
                                       double* terms, double* d_own) const {
    const double jump_u = own[kValue] - other[kValue];
    const double jump_flux = own[kNormalDerivative] - other[kNormalDerivative];
    const double jump_r = own[kResidual] - other[kResidual];
    // u_i - (u_i + u_j)/2 = jump_u / 2, with d/du_i = 1/2.
    terms[0] += scale * weight_[0] * jump_u * jump_u;
    terms[1] += scale * weight_[1] * 0.25 * jump_u * jump_u;
    terms[2] += scale * weight_[2] * jump_flux * jump_flux;
    terms[3] += scale * weight_[3] * jump_r * jump_r;
    d_own[kValue] = scale * (2.0 * weight_[0] + 0.5 * weight_[1]) * jump_u;
    d_own[kNormalDerivative] = scale * 2.0 * weight_[2] * jump_flux;
    d_own[kResidual] = scale * 2.0 * weight_[3] * jump_r;
  }

private:
  double weight_[kInterfaceTerms];
};

}  // namespace tessera::dd
