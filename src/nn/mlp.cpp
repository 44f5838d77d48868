#include "nn/mlp.hpp"

#include <KokkosBlas1_fill.hpp>
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>

#include <cmath>
#include <random>
#include <type_traits>

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::nn {

namespace {

// Elementwise jet kernels run one team per feature column and the team's threads over points:
// contiguous memory along points for every stream, and a plain inner loop on the Serial backend.
using Team = Kokkos::TeamPolicy<>::member_type;

/// Calls body(p, r) for every point p < n and feature r < cols.
template <class Body>
void for_each_point_feature(const char* label, int n, int cols, const Body& body) {
  Kokkos::parallel_for(
      label, Kokkos::TeamPolicy<>(cols, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
        const int r = team.league_rank();
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, n), [&](const int p) { body(p, r); });
      });
}

/// Layer 0's input jets: the coordinates in the value stream, unit vectors in the gradient
/// streams (d x_i / d x_j = delta_ij) and zeros in the Laplacian stream.
void seed_input_jets(const Matrix& points, const Matrix& a0, int streams) {
  const int dim = static_cast<int>(points.extent(0));
  const int n = static_cast<int>(points.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::seed_input_jets", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int p) {
        for (int i = 0; i < dim; ++i) {
          a0(p, i) = points(i, p);
          for (int s = 1; s < streams; ++s) a0(s * n + p, i) = (s == 1 + i) ? 1.0 : 0.0;
        }
      });
}

/// Adds the bias to the value stream of z and applies the activation's chain rule to every
/// stream: a = s(z), a_i = s'(z) z_i, a_lap = s''(z) sum_{i<lap_dims} z_i^2 + s'(z) z_lap.
/// Dimension and jet order are compile-time so the stream loops unroll.
template <int Dim, JetOrder Order>
void bias_activation_jets(Activation act, const UnmanagedVector& b, const Matrix& z,
                          const Matrix& a, int n, int lap_dims) {
  const int cols = static_cast<int>(z.extent(1));
  for_each_point_feature(
      "tessera::nn::bias_activation_jets", n, cols, KOKKOS_LAMBDA(const int p, const int r) {
        const double z0 = z(p, r) + b(r);
        z(p, r) = z0;
        const double s = activate(act, z0);
        a(p, r) = s;
        if (Order == JetOrder::Value) return;
        double d1, d2, d3;
        activation_derivatives(act, z0, s, d1, d2, d3);
        double grad_sq = 0;
        for (int i = 0; i < Dim; ++i) {
          const double zi = z((1 + i) * n + p, r);
          a((1 + i) * n + p, r) = d1 * zi;
          if (i < lap_dims) grad_sq += zi * zi;
        }
        if (Order == JetOrder::Laplacian) {
          const int c = (1 + Dim) * n + p;
          a(c, r) = d2 * grad_sq + d1 * z(c, r);
        }
      });
}

/// Reverse of bias_activation_jets: given dL/da for every stream through incoming(c, r), writes
/// dL/dz into g (which may be where incoming reads: each (point, feature) pair owns all its
/// streams and reads them all before writing, so in-place is race-free).
template <int Dim, JetOrder Order, class Incoming>
void activation_jets_adjoint(const char* label, Activation act, const Matrix& z, const Matrix& a,
                             const Incoming& incoming, const Matrix& g, int n, int lap_dims) {
  const int cols = static_cast<int>(z.extent(1));
  for_each_point_feature(
      label, n, cols, KOKKOS_LAMBDA(const int p, const int r) {
        const double z0 = z(p, r);
        double d1, d2, d3;
        activation_derivatives(act, z0, a(p, r), d1, d2, d3);
        double g0 = d1 * incoming(p, r);
        if (Order != JetOrder::Value) {
          const int cl = (1 + Dim) * n + p;
          const double gl = Order == JetOrder::Laplacian ? incoming(cl, r) : 0.0;
          double grad_sq = 0;
          for (int i = 0; i < Dim; ++i) {
            const int ci = (1 + i) * n + p;
            const double zi = z(ci, r), gi = incoming(ci, r);
            const double zl = i < lap_dims ? zi : 0.0;  // z_i's share in the Laplacian stream
            g0 += d2 * zi * gi;
            g(ci, r) = d1 * gi + 2.0 * d2 * zl * gl;
            grad_sq += zl * zl;
          }
          if (Order == JetOrder::Laplacian) {
            g0 += (d3 * grad_sq + d2 * z(cl, r)) * gl;
            g(cl, r) = d1 * gl;
          }
        }
        g(p, r) = g0;
      });
}

template <JetOrder O>
using OrderTag = std::integral_constant<JetOrder, O>;

/// Calls f(integral_constant<int, dim>, integral_constant<JetOrder, order>) for the runtime
/// dimension and order, so kernels are instantiated with both as compile-time constants.
template <class F>
void dispatch_jet(int dim, JetOrder order, const F& f) {
  auto by_order = [&](auto dim_tag) {
    switch (order) {
      case JetOrder::Value:
        f(dim_tag, OrderTag<JetOrder::Value>{});
        break;
      case JetOrder::Gradient:
        f(dim_tag, OrderTag<JetOrder::Gradient>{});
        break;
      default:
        f(dim_tag, OrderTag<JetOrder::Laplacian>{});
        break;
    }
  };
  switch (dim) {
    case 1:
      by_order(std::integral_constant<int, 1>{});
      break;
    case 2:
      by_order(std::integral_constant<int, 2>{});
      break;
    case 3:
      by_order(std::integral_constant<int, 3>{});
      break;
    case 4:
      by_order(std::integral_constant<int, 4>{});
      break;
    default:
      TESSERA_THROW("Mlp: jets are compiled for 1 to 4 inputs, not " << dim);
  }
}

/// dL/dA of a layer read from a matrix already formed (dL/dZ W by GEMM).
struct StoredAdjoint {
  Matrix m;
  KOKKOS_INLINE_FUNCTION double operator()(int c, int r) const { return m(c, r); }
};

/// dL/dA = dL/dZ W formed on the fly, for a narrow layer (the output layer): a GEMM would write
/// and re-read a full (streams x points) x width matrix to save a handful of multiplications.
struct NarrowLayerAdjoint {
  Matrix zbar;
  UnmanagedMatrix w;
  KOKKOS_INLINE_FUNCTION double operator()(int c, int r) const {
    double sum = 0;
    for (int o = 0; o < static_cast<int>(w.extent(0)); ++o) sum += zbar(c, o) * w(o, r);
    return sum;
  }
};

/// Layers at most this wide (outputs) skip the adjoint GEMM (see NarrowLayerAdjoint).
constexpr int kNarrowLayer = 4;

/// Jets of the distance-like function D(x) = prod_i x_i (1 - x_i) of the unit box at every point:
/// D, dD/dx_i and sum_{i<lap_dims} d2D/dx_i2 (d2/dx_i2 of x_i (1 - x_i) is -2) in its streams.
template <int Dim, JetOrder Order>
void box_distance_jets(const Matrix& points, const Matrix& distance, int lap_dims) {
  const int n = static_cast<int>(points.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::box_distance_jets", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int p) {
        double phi[Dim];
        for (int i = 0; i < Dim; ++i) phi[i] = points(i, p) * (1.0 - points(i, p));
        double d = 1.0;
        for (int i = 0; i < Dim; ++i) d *= phi[i];
        distance(p, 0) = d;
        if (Order == JetOrder::Value) return;
        double lap = 0;
        for (int i = 0; i < Dim; ++i) {
          double others = 1.0;  // prod_{j != i} phi_j, without dividing by a phi that may be 0
          for (int j = 0; j < Dim; ++j)
            if (j != i) others *= phi[j];
          distance((1 + i) * n + p, 0) = (1.0 - 2.0 * points(i, p)) * others;
          if (i < lap_dims) lap += -2.0 * others;
        }
        if (Order == JetOrder::Laplacian) distance((1 + Dim) * n + p, 0) = lap;
      });
}

/// u = D N by the product rule, in place over the network's output jets N:
/// u_i = D_i N + D N_i, u_lap = D_lap N + 2 sum_{i<lap_dims} D_i N_i + D N_lap.
template <int Dim, JetOrder Order>
void distance_ansatz(const Matrix& distance, const Matrix& out, int n, int lap_dims) {
  for_each_point_feature(
      "tessera::nn::distance_ansatz", n, static_cast<int>(out.extent(1)),
      KOKKOS_LAMBDA(const int p, const int o) {
        const double d = distance(p, 0), v = out(p, o);
        out(p, o) = d * v;
        if (Order == JetOrder::Value) return;
        double cross = 0;
        for (int i = 0; i < Dim; ++i) {
          const int c = (1 + i) * n + p;
          if (i < lap_dims) cross += distance(c, 0) * out(c, o);
          out(c, o) = distance(c, 0) * v + d * out(c, o);
        }
        if (Order == JetOrder::Laplacian) {
          const int c = (1 + Dim) * n + p;
          out(c, o) = distance(c, 0) * v + 2.0 * cross + d * out(c, o);
        }
      });
}

/// Reverse of distance_ansatz (u is linear in N, so only D's jets are needed):
/// dL/dN = D ubar + sum_i D_i ubar_i + D_lap ubar_lap, dL/dN_i = D ubar_i + 2 D_i ubar_lap
/// (i < lap_dims), dL/dN_lap = D ubar_lap.
template <int Dim, JetOrder Order>
void distance_ansatz_adjoint(const Matrix& distance, const Matrix& ubar, const Matrix& nbar, int n,
                             int lap_dims) {
  for_each_point_feature(
      "tessera::nn::distance_ansatz_adjoint", n, static_cast<int>(ubar.extent(1)),
      KOKKOS_LAMBDA(const int p, const int o) {
        const double d = distance(p, 0);
        double n0 = d * ubar(p, o);
        if (Order != JetOrder::Value) {
          const int cl = (1 + Dim) * n + p;
          const double gl = Order == JetOrder::Laplacian ? ubar(cl, o) : 0.0;
          for (int i = 0; i < Dim; ++i) {
            const int c = (1 + i) * n + p;
            n0 += distance(c, 0) * ubar(c, o);
            nbar(c, o) = d * ubar(c, o) + (i < lap_dims ? 2.0 * distance(c, 0) * gl : 0.0);
          }
          if (Order == JetOrder::Laplacian) {
            n0 += distance(cl, 0) * gl;
            nbar(cl, o) = d * gl;
          }
        }
        nbar(p, o) = n0;
      });
}

void add_bias(const UnmanagedVector& b, const Matrix& z, int n) {
  const int cols = static_cast<int>(z.extent(1));
  for_each_point_feature(
      "tessera::nn::add_bias", n, cols,
      KOKKOS_LAMBDA(const int p, const int r) { z(p, r) += b(r); });
}

}  // namespace

MlpShape MlpShape::from_options(Options& options, int inputs, int outputs) {
  MlpShape s;
  s.inputs = inputs;
  s.outputs = outputs;
  s.width = options.integer("pinn_width", s.width, 1, 4096, "neurons per hidden layer");
  s.depth = options.integer("pinn_depth", s.depth, 1, 64, "hidden layers");
  s.activation = activation_from_name(options.choice(
      "pinn_activation", "tanh", {"tanh", "sin", "gelu"}, "hidden-layer activation"));
  s.fourier_features =
      options.integer("pinn_fourier_features", s.fourier_features, 0, 4096,
                      "random Fourier features M: inputs enter as [sin(2 pi B x), cos(2 pi B x)], "
                      "B ~ N(0, scale^2) fixed; 0 for the raw inputs");
  s.fourier_scale = options.real("pinn_fourier_scale", s.fourier_scale, 1e-6, 1e6,
                                 "standard deviation of the Fourier feature frequencies B");
  s.hard_dirichlet =
      options.flag("pinn_hard_boundary", s.hard_dirichlet,
                   "impose u = 0 on the boundary exactly by the ansatz u = x(1-x)y(1-y) N(x, y)");
  return s;
}

Mlp::Mlp(const MlpShape& shape) : shape_(shape) {
  TESSERA_CHECK(shape.inputs >= 1 && shape.outputs >= 1 && shape.width >= 1 && shape.depth >= 1,
                "Mlp: inputs, outputs, width and depth must be positive");
  TESSERA_CHECK(shape.fourier_features >= 0 && shape.fourier_scale > 0,
                "Mlp: Fourier features need a count >= 0 and a positive scale");
  const int encoded = shape.fourier_features > 0 ? 2 * shape.fourier_features : shape.inputs;
  for (int l = 0; l <= shape.depth; ++l) {
    fan_in_.push_back(l == 0 ? encoded : shape.width);
    fan_out_.push_back(l == shape.depth ? shape.outputs : shape.width);
    offset_.push_back(parameter_count_);
    parameter_count_ += long(fan_in_[l]) * fan_out_[l] + fan_out_[l];
  }
  parameters_ = Vector("tessera::nn::mlp_parameters", parameter_count_);
  if (shape.fourier_features > 0) draw_fourier_features();
}

void Mlp::draw_fourier_features() {
  // The encoding is a frozen dense layer with the sin activation: rows m < M hold 2 pi B_m with
  // bias 0, rows M + m the same with bias pi/2 (cos z = sin(z + pi/2)), so the jet kernels of
  // the hidden layers propagate its derivatives exactly.
  const int m = shape_.fourier_features, d = shape_.inputs;
  encoding_ = Vector("tessera::nn::fourier_features", long(2 * m) * d + 2 * m);
  auto host = Kokkos::create_mirror_view(encoding_);
  std::mt19937_64 rng(shape_.fourier_seed);
  std::normal_distribution<double> normal(0.0, shape_.fourier_scale);
  UnmanagedMatrix w(host.data(), 2 * m, d);
  for (int r = 0; r < m; ++r)
    for (int i = 0; i < d; ++i) w(r, i) = w(m + r, i) = 2.0 * M_PI * normal(rng);
  for (int r = 0; r < 2 * m; ++r) host(long(2 * m) * d + r) = r < m ? 0.0 : 0.5 * M_PI;
  Kokkos::deep_copy(encoding_, host);
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

void Mlp::prepare(MlpWorkspace& ws, JetOrder order, int points, int laplacian_dims) const {
  const int streams = stream_count(order, shape_.inputs);
  TESSERA_CHECK(
      laplacian_dims >= 0 && laplacian_dims <= shape_.inputs,
      "Mlp::prepare: a Laplacian over " << laplacian_dims << " of " << shape_.inputs << " inputs");
  ws.laplacian_dims = laplacian_dims > 0 ? laplacian_dims : shape_.inputs;
  if (ws.order == order && ws.points == points && !ws.inputs.empty()) return;
  ws.order = order;
  ws.points = points;
  ws.streams = streams;
  const long rows = long(streams) * points;
  if (shape_.fourier_features > 0) {
    ws.coordinates = Matrix("tessera::nn::coordinate_jets", rows, shape_.inputs);
    ws.encoding = Matrix("tessera::nn::fourier_preactivation", rows, 2 * shape_.fourier_features);
  }
  if (shape_.hard_dirichlet) {
    ws.distance = Matrix("tessera::nn::distance_jets", rows, 1);
    ws.ansatz_adjoint = Matrix("tessera::nn::ansatz_adjoint", rows, shape_.outputs);
  }
  ws.inputs.clear();
  ws.preactivations.clear();
  for (int l = 0; l < layer_count(); ++l) {
    ws.inputs.emplace_back(
        Kokkos::view_alloc("tessera::nn::layer_input", Kokkos::WithoutInitializing), rows,
        fan_in_[l]);
    ws.preactivations.emplace_back(
        Kokkos::view_alloc("tessera::nn::layer_preactivation", Kokkos::WithoutInitializing), rows,
        fan_out_[l]);
  }
  ws.adjoint_a = Matrix("tessera::nn::adjoint_a", rows, shape_.width);
  ws.adjoint_b = Matrix("tessera::nn::adjoint_b", rows, shape_.width);
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
  const int lap_dims = ws.laplacian_dims;
  if (shape_.fourier_features > 0) {
    const int m2 = 2 * shape_.fourier_features, d = shape_.inputs;
    seed_input_jets(points, ws.coordinates, ws.streams);
    KokkosBlas::gemm("N", "T", 1.0, ws.coordinates, UnmanagedMatrix(encoding_.data(), m2, d), 0.0,
                     ws.encoding);
    const UnmanagedVector b(encoding_.data() + long(m2) * d, m2);
    const auto& z = ws.encoding;
    const auto& a = ws.inputs[0];
    dispatch_jet(d, ws.order, [&](auto dim, auto order) {
      bias_activation_jets<decltype(dim)::value, decltype(order)::value>(Activation::Sin, b, z, a,
                                                                         n, lap_dims);
    });
  } else {
    seed_input_jets(points, ws.inputs[0], ws.streams);
  }
  const int last = layer_count() - 1;
  for (int l = 0; l <= last; ++l) {
    KokkosBlas::gemm("N", "T", 1.0, ws.inputs[l], weight(parameters_, l), 0.0,
                     ws.preactivations[l]);
    if (l < last) {
      const auto act = shape_.activation;
      const auto b = bias(parameters_, l);
      const auto& z = ws.preactivations[l];
      const auto& a = ws.inputs[l + 1];
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        bias_activation_jets<decltype(dim)::value, decltype(order)::value>(act, b, z, a, n,
                                                                           lap_dims);
      });
    } else {
      add_bias(bias(parameters_, l), ws.preactivations[l], n);
    }
  }
  if (shape_.hard_dirichlet) {
    const auto& distance = ws.distance;
    const auto& out = ws.preactivations[last];
    dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
      constexpr int Dim = decltype(dim)::value;
      constexpr JetOrder Order = decltype(order)::value;
      box_distance_jets<Dim, Order>(points, distance, lap_dims);
      distance_ansatz<Dim, Order>(distance, out, n, lap_dims);
    });
  }
}

void Mlp::backward(MlpWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const {
  TESSERA_CHECK(gradient.extent(0) == static_cast<size_t>(parameter_count_),
                "Mlp::backward: gradient has " << gradient.extent(0) << " entries, expected "
                                               << parameter_count_);
  const int n = ws.points;
  const int lap_dims = ws.laplacian_dims;
  Matrix zbar = output_adjoint;
  if (shape_.hard_dirichlet) {
    const auto& distance = ws.distance;
    const auto& nbar = ws.ansatz_adjoint;
    dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
      distance_ansatz_adjoint<decltype(dim)::value, decltype(order)::value>(
          distance, output_adjoint, nbar, n, lap_dims);
    });
    zbar = nbar;
  }
  Matrix spare = ws.adjoint_a;
  for (int l = layer_count() - 1; l >= 0; --l) {
    KokkosBlas::gemm("T", "N", 1.0, zbar, ws.inputs[l], 1.0, weight(gradient, l));
    auto value_rows = Kokkos::subview(zbar, std::make_pair(0, n), Kokkos::ALL());
    KokkosBlas::gemv("T", 1.0, value_rows, ws.ones, 1.0, bias(gradient, l));
    if (l == 0) break;
    // dL/dA_l = dL/dZ_l W_l, then through the activation of layer l-1.
    const auto act = shape_.activation;
    const auto& z = ws.preactivations[l - 1];
    const auto& a = ws.inputs[l];
    const auto& g = spare;
    if (fan_out_[l] <= kNarrowLayer) {
      const NarrowLayerAdjoint incoming{zbar, weight(parameters_, l)};
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        activation_jets_adjoint<decltype(dim)::value, decltype(order)::value>(
            "tessera::nn::activation_jets_adjoint_narrow", act, z, a, incoming, g, n, lap_dims);
      });
    } else {
      KokkosBlas::gemm("N", "N", 1.0, zbar, weight(parameters_, l), 0.0, spare);
      const StoredAdjoint incoming{spare};
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        activation_jets_adjoint<decltype(dim)::value, decltype(order)::value>(
            "tessera::nn::activation_jets_adjoint", act, z, a, incoming, g, n, lap_dims);
      });
    }
    zbar = spare;
    spare = (spare.data() == ws.adjoint_a.data()) ? ws.adjoint_b : ws.adjoint_a;
  }
}

}  // namespace tessera::nn
