#pragma once
// The pointwise pieces of the PDE losses (pinn/pde_loss.hpp, dd/xpinn_loss.hpp): a point's jet
// from a forward pass, the residual adjoint written back into the reverse pass's seed, and the
// PdeLoss kernels over a point set. Free functions, not loss members: a KOKKOS_LAMBDA in a private
// member function does not compile under nvcc, and alone they can be tested and reused.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"

#include "nn/mlp.hpp"

namespace tessera::pinn {

/// Largest jet a PdeLoss handles: (x, y, z, t) inputs and (u, v, p) outputs, three residuals
/// (two momentum equations and continuity).
constexpr int kMaxJetInputs = 4, kMaxJetOutputs = 3, kMaxResiduals = 3;

/// The network's jet at one point x: per output k, u[k], its gradient, and its Laplacian over the
/// first laplacian_dims inputs. Entries beyond the Pde's inputs and outputs are 0.
struct PointJet {
  double x[kMaxJetInputs] = {};
  double u[kMaxJetOutputs] = {};
  double gradient[kMaxJetOutputs][kMaxJetInputs] = {};
  double laplacian[kMaxJetOutputs] = {};
};

/// The partial derivatives of one residual with respect to the jet's streams.
struct JetSensitivity {
  double u[kMaxJetOutputs] = {};
  double gradient[kMaxJetOutputs][kMaxJetInputs] = {};
  double laplacian[kMaxJetOutputs] = {};
};

/// The jet of the point in column `column` of x (inputs x points) whose streams are the rows
/// first + s n of the output jets u (a forward pass over n points per network; first is the
/// point's row of stream 0).
template <int inputs, int outputs, class Points, class Jets>
KOKKOS_INLINE_FUNCTION PointJet point_jet(const Points& x, long column, const Jets& u, long first,
                                          long n) {
  PointJet jet;
  const long lap = first + nn::laplacian_stream(inputs) * n;
  for (int i = 0; i < inputs; ++i) jet.x[i] = x(i, column);
  for (int k = 0; k < outputs; ++k) {
    jet.u[k] = u(first, k);
    for (int i = 0; i < inputs; ++i) jet.gradient[k][i] = u(first + nn::gradient_stream(i) * n, k);
    jet.laplacian[k] = u(lap, k);
  }
  return jet;
}

/// The jet of point p from a forward pass of one network over n points (x: inputs x n).
template <int inputs, int outputs, class Points, class Jets>
KOKKOS_INLINE_FUNCTION PointJet point_jet(const Points& x, const Jets& u, int n, int p) {
  return point_jet<inputs, outputs>(x, p, u, p, n);
}

/// Writes the adjoint of sum_j a_j r_j (residuals r_j of sensitivities dr_j) into the jet rows
/// first + s n of one point, every stream s and output.
template <int inputs, int outputs, int residuals, class Adjoint>
KOKKOS_INLINE_FUNCTION void write_residual_adjoint(const Adjoint& adjoint, long first, long n,
                                                   const double* a, const JetSensitivity* dr) {
  for (int k = 0; k < outputs; ++k) {
    double du = 0, dlap = 0;
    for (int j = 0; j < residuals; ++j) {
      du += a[j] * dr[j].u[k];
      dlap += a[j] * dr[j].laplacian[k];
    }
    adjoint(first, k) = du;
    adjoint(first + nn::laplacian_stream(inputs) * n, k) = dlap;
    for (int i = 0; i < inputs; ++i) {
      double dg = 0;
      for (int j = 0; j < residuals; ++j) dg += a[j] * dr[j].gradient[k][i];
      adjoint(first + nn::gradient_stream(i) * n, k) = dg;
    }
  }
}

/// sum over points p in [begin, end) of sum_j r_j^2 at the jets u of a forward pass of one
/// network over n points x (inputs x n). Not collective.
template <class Pde, class Points, class Jets>
double slab_residual_sum(const Pde& pde, const Points& x, const Jets& u, int n, int begin,
                         int end) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::pinn::pde_slab_residual", Kokkos::RangePolicy<>(begin, end),
      KOKKOS_LAMBDA(const int p, double& acc) {
        double r[kMaxResiduals];
        JetSensitivity dr[kMaxResiduals];
        pde.residual(point_jet<inputs, outputs>(x, u, n, p), r, dr);
        for (int j = 0; j < residuals; ++j) acc += r[j] * r[j];
      },
      sum);
  return sum;
}

/// magnitude(p) = sqrt(sum_j r_j^2) at the jets u of a forward pass of one network over the n
/// points x (inputs x n): what residual-based refinement ranks candidates by. Not collective.
template <class Pde, class Points, class Jets>
void residual_magnitude(const Pde& pde, const Points& x, const Jets& u,
                        const Kokkos::View<double*>& magnitude, int n) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  Kokkos::parallel_for(
      "tessera::pinn::pde_residual_magnitude", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int p) {
        double r[kMaxResiduals];
        JetSensitivity dr[kMaxResiduals];
        pde.residual(point_jet<inputs, outputs>(x, u, n, p), r, dr);
        double sum = 0;
        for (int j = 0; j < residuals; ++j) sum += r[j] * r[j];
        magnitude(p) = math::sqrt(sum);
      });
}

/// sum over the n points of s_p sum_j r_j^2, s_p = slab_scale(slab_of(p)) (1 when one_slab: the
/// caller multiplies the sum), and writes the adjoint of that weighted sum into adjoint's jet rows.
/// Not collective.
template <class Pde, class Points, class Jets, class Adjoint>
double weighted_residual_sum(const Pde& pde, const Points& x, const Jets& u, const Adjoint& adjoint,
                             const Kokkos::View<int*>& slab_of,
                             const Kokkos::View<double*>& slab_scale, int n, bool one_slab) {
  constexpr int inputs = Pde::inputs, outputs = Pde::outputs, residuals = Pde::residuals;
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::pinn::pde_residual", Kokkos::RangePolicy<>(0, n),
      KOKKOS_LAMBDA(const int p, double& acc) {
        double r[kMaxResiduals];
        JetSensitivity dr[kMaxResiduals];
        pde.residual(point_jet<inputs, outputs>(x, u, n, p), r, dr);
        const double scale = slab_scale(slab_of(p));
        double a[kMaxResiduals];  // d(scale r_j^2)/dr_j
        for (int j = 0; j < residuals; ++j) {
          acc += (one_slab ? 1.0 : scale) * r[j] * r[j];
          a[j] = 2.0 * scale * r[j];
        }
        write_residual_adjoint<inputs, outputs, residuals>(adjoint, p, n, a, dr);
      },
      sum);
  return sum;
}

/// sum over the m points of d_p^2, d = u_k - pde.condition(k, x) at jet row row + p (derivative
/// < 0), or the derivative du_k/dx_d stored there; writes 2 scale d_p into adjoint(row + p, k).
/// Not collective.
template <class Pde, class Points, class Jets, class Adjoint>
double condition_misfit_sum(const Pde& pde, const Points& x, const Jets& u, const Adjoint& adjoint,
                            int m, int row, int k, int derivative, double scale) {
  constexpr int inputs = Pde::inputs;
  // Only (row + p, k) is ever written: the other outputs' and streams' entries keep the zeros
  // the adjoint was created with.
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::pinn::pde_condition_misfit", Kokkos::RangePolicy<>(0, m),
      KOKKOS_LAMBDA(const int p, double& acc) {
        double d = u(row + p, k);
        if (derivative < 0) {
          double point[kMaxJetInputs] = {};
          for (int i = 0; i < inputs; ++i) point[i] = x(i, p);
          d -= pde.condition(k, point);
        }
        acc += d * d;
        adjoint(row + p, k) = 2.0 * scale * d;
      },
      sum);
  return sum;
}

}  // namespace tessera::pinn
