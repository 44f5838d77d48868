#include "nn/mlp.hpp"

#include <KokkosBlas1_fill.hpp>
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>

#include <cmath>
#include <random>

#include "core/error.hpp"

namespace tessera::nn {

namespace {

/// Layer 0's input jets: the coordinates in the value stream, unit vectors in the gradient
/// streams (d x_i / d x_j = delta_ij) and zeros in the second-derivative streams.
void seed_input_jets(const Matrix& points, const Matrix& a0, int streams) {
  const int dim = static_cast<int>(points.extent(0));
  const int n = static_cast<int>(points.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::seed_input_jets", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int p) {
        for (int i = 0; i < dim; ++i) {
          a0(i, p) = points(i, p);
          for (int s = 1; s < streams; ++s) a0(i, s * n + p) = (s == 1 + i) ? 1.0 : 0.0;
        }
      });
}

/// Adds the bias to the value stream of z and applies the activation's chain rule to every
/// stream: a = s(z), a_i = s'(z) z_i, a_ii = s''(z) z_i^2 + s'(z) z_ii.
void bias_activation_jets(Activation act, const UnmanagedVector& b, const Matrix& z,
                          const Matrix& a, int dim, JetOrder order, int n) {
  const int rows = static_cast<int>(z.extent(0));
  const bool first = order != JetOrder::Value, second = order == JetOrder::Laplacian;
  Kokkos::parallel_for(
      "tessera::nn::bias_activation_jets", Kokkos::RangePolicy<>(0, rows * n),
      KOKKOS_LAMBDA(const int idx) {
        const int r = idx % rows, p = idx / rows;
        const double z0 = z(r, p) + b(r);
        z(r, p) = z0;
        const double s = activate(act, z0);
        a(r, p) = s;
        if (!first) return;
        double d1, d2, d3;
        activation_derivatives(act, z0, s, d1, d2, d3);
        for (int i = 0; i < dim; ++i) {
          const double zi = z(r, (1 + i) * n + p);
          a(r, (1 + i) * n + p) = d1 * zi;
          if (second) {
            const int c = (1 + dim + i) * n + p;
            a(r, c) = d2 * zi * zi + d1 * z(r, c);
          }
        }
      });
}

/// Reverse of bias_activation_jets, in place: on entry g holds dL/da for every stream, on exit
/// dL/dz. Each (row, point) pair owns all its streams, so in-place is race-free.
void activation_jets_adjoint(Activation act, const Matrix& z, const Matrix& a, const Matrix& g,
                             int dim, JetOrder order, int n) {
  const int rows = static_cast<int>(z.extent(0));
  const bool first = order != JetOrder::Value, second = order == JetOrder::Laplacian;
  Kokkos::parallel_for(
      "tessera::nn::activation_jets_adjoint", Kokkos::RangePolicy<>(0, rows * n),
      KOKKOS_LAMBDA(const int idx) {
        const int r = idx % rows, p = idx / rows;
        const double z0 = z(r, p);
        double d1, d2, d3;
        activation_derivatives(act, z0, a(r, p), d1, d2, d3);
        double g0 = d1 * g(r, p);
        if (first) {
          for (int i = 0; i < dim; ++i) {
            const int ci = (1 + i) * n + p;
            const double zi = z(r, ci), gi = g(r, ci);
            double gzi = d1 * gi;
            g0 += d2 * zi * gi;
            if (second) {
              const int cii = (1 + dim + i) * n + p;
              const double zii = z(r, cii), gii = g(r, cii);
              gzi += 2.0 * d2 * zi * gii;
              g0 += (d3 * zi * zi + d2 * zii) * gii;
              g(r, cii) = d1 * gii;
            }
            g(r, ci) = gzi;
          }
        }
        g(r, p) = g0;
      });
}

void add_bias(const UnmanagedVector& b, const Matrix& z, int n) {
  const int rows = static_cast<int>(z.extent(0));
  Kokkos::parallel_for(
      "tessera::nn::add_bias", Kokkos::RangePolicy<>(0, rows * n),
      KOKKOS_LAMBDA(const int idx) { z(idx % rows, idx / rows) += b(idx % rows); });
}

}  // namespace

Mlp::Mlp(const MlpShape& shape) : shape_(shape) {
  TESSERA_CHECK(shape.inputs >= 1 && shape.outputs >= 1 && shape.width >= 1 && shape.depth >= 1,
                "Mlp: inputs, outputs, width and depth must be positive");
  for (int l = 0; l <= shape.depth; ++l) {
    fan_in_.push_back(l == 0 ? shape.inputs : shape.width);
    fan_out_.push_back(l == shape.depth ? shape.outputs : shape.width);
    offset_.push_back(parameter_count_);
    parameter_count_ += long(fan_in_[l]) * fan_out_[l] + fan_out_[l];
  }
  parameters_ = Vector("tessera::nn::mlp_parameters", parameter_count_);
}

UnmanagedMatrix Mlp::weight(const Vector& flat, int l) const {
  return UnmanagedMatrix(flat.data() + offset_[l], fan_out_[l], fan_in_[l]);
}

UnmanagedVector Mlp::bias(const Vector& flat, int l) const {
  return UnmanagedVector(flat.data() + offset_[l] + long(fan_in_[l]) * fan_out_[l], fan_out_[l]);
}

void Mlp::initialize_glorot(std::uint64_t seed) {
  auto host = Kokkos::create_mirror_view(parameters_);
  std::mt19937_64 rng(seed);
  for (int l = 0; l < layer_count(); ++l) {
    const double limit = std::sqrt(6.0 / (fan_in_[l] + fan_out_[l]));
    std::uniform_real_distribution<double> uniform(-limit, limit);
    const long weights = long(fan_in_[l]) * fan_out_[l];
    for (long k = 0; k < weights; ++k) host(offset_[l] + k) = uniform(rng);
    for (long k = 0; k < fan_out_[l]; ++k) host(offset_[l] + weights + k) = 0.0;
  }
  Kokkos::deep_copy(parameters_, host);
}

void Mlp::prepare(MlpWorkspace& ws, JetOrder order, int points) const {
  const int streams = stream_count(order, shape_.inputs);
  if (ws.order == order && ws.points == points && !ws.inputs.empty()) return;
  ws.order = order;
  ws.points = points;
  ws.streams = streams;
  const long columns = long(streams) * points;
  ws.inputs.clear();
  ws.preactivations.clear();
  for (int l = 0; l < layer_count(); ++l) {
    ws.inputs.emplace_back(Kokkos::view_alloc("tessera::nn::layer_input", Kokkos::WithoutInitializing),
                           fan_in_[l], columns);
    ws.preactivations.emplace_back(
        Kokkos::view_alloc("tessera::nn::layer_preactivation", Kokkos::WithoutInitializing),
        fan_out_[l], columns);
  }
  ws.adjoint_a = Matrix("tessera::nn::adjoint_a", shape_.width, columns);
  ws.adjoint_b = Matrix("tessera::nn::adjoint_b", shape_.width, columns);
  ws.ones = Vector("tessera::nn::ones", points);
  Kokkos::deep_copy(ws.ones, 1.0);
}

void Mlp::forward(const Matrix& points, MlpWorkspace& ws) const {
  TESSERA_CHECK(static_cast<int>(points.extent(0)) == shape_.inputs &&
                    static_cast<int>(points.extent(1)) == ws.points,
                "Mlp::forward: points are " << points.extent(0) << " x " << points.extent(1)
                                            << ", workspace expects " << shape_.inputs << " x "
                                            << ws.points);
  const int n = ws.points;
  seed_input_jets(points, ws.inputs[0], ws.streams);
  const int last = layer_count() - 1;
  for (int l = 0; l <= last; ++l) {
    KokkosBlas::gemm("N", "N", 1.0, weight(parameters_, l), ws.inputs[l], 0.0,
                     ws.preactivations[l]);
    if (l < last) {
      bias_activation_jets(shape_.activation, bias(parameters_, l), ws.preactivations[l],
                           ws.inputs[l + 1], shape_.inputs, ws.order, n);
    } else {
      add_bias(bias(parameters_, l), ws.preactivations[l], n);
    }
  }
}

void Mlp::backward(MlpWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const {
  TESSERA_CHECK(gradient.extent(0) == static_cast<size_t>(parameter_count_),
                "Mlp::backward: gradient has " << gradient.extent(0) << " entries, expected "
                                               << parameter_count_);
  const int n = ws.points;
  Matrix zbar = output_adjoint;
  Matrix spare = ws.adjoint_a;
  for (int l = layer_count() - 1; l >= 0; --l) {
    KokkosBlas::gemm("N", "T", 1.0, zbar, ws.inputs[l], 1.0, weight(gradient, l));
    auto value_columns = Kokkos::subview(zbar, Kokkos::ALL(), std::make_pair(0, n));
    KokkosBlas::gemv("N", 1.0, value_columns, ws.ones, 1.0, bias(gradient, l));
    if (l == 0) break;
    // dL/dA_l = W_l^T dL/dZ_l, then through the activation of layer l-1 in place.
    KokkosBlas::gemm("T", "N", 1.0, weight(parameters_, l), zbar, 0.0, spare);
    activation_jets_adjoint(shape_.activation, ws.preactivations[l - 1], ws.inputs[l], spare,
                            shape_.inputs, ws.order, n);
    zbar = spare;
    spare = (spare.data() == ws.adjoint_a.data()) ? ws.adjoint_b : ws.adjoint_a;
  }
}

}  // namespace tessera::nn
