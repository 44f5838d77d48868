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

/// Where the jets of a batch lie: `blocks` networks' batches stacked one after the other, each
/// `streams * n` rows, stream-major inside, so stream s of point p of network b is row
/// b S n + s n + p. A single network is one block. Parameters of network b start at
/// b * parameter_stride in the flat vector.
struct BlockLayout {
  int n = 0, streams = 1, blocks = 1;
  long parameter_stride = 0;
  long block_rows() const { return long(streams) * n; }
};

/// Calls body(block, row, r) for every point of every block and feature r < cols; row is the
/// point's value-stream row (stream s is row + s n).
template <class Body>
void for_each_point_feature(const char* label, const BlockLayout& layout, int cols,
                            const Body& body) {
  const int n = layout.n, block_rows = static_cast<int>(layout.block_rows());
  const int total = n * layout.blocks;
  Kokkos::parallel_for(
      label, Kokkos::TeamPolicy<>(cols, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
        const int r = team.league_rank();
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, total), [&](const int q) {
          const int block = n > 0 ? q / n : 0;
          body(block, block * block_rows + (q - block * n), r);
        });
      });
}

/// Layer 0's input jets: the coordinates in the value stream, unit vectors in the gradient
/// streams (d x_i / d x_j = delta_ij) and zeros in the Laplacian stream. Point q of the batch
/// (column q of points) is point q % n of block q / n.
void seed_input_jets(const Matrix& points, const Matrix& a0, const BlockLayout& layout) {
  const int dim = static_cast<int>(points.extent(0));
  const int n = layout.n, streams = layout.streams;
  const long block_rows = layout.block_rows();
  Kokkos::parallel_for(
      "tessera::nn::seed_input_jets", Kokkos::RangePolicy<>(0, n * layout.blocks),
      KOKKOS_LAMBDA(const int q) {
        const int block = q / n;
        const long row = block * block_rows + (q - block * n);
        for (int i = 0; i < dim; ++i) {
          a0(row, i) = points(i, q);
          for (int s = 1; s < streams; ++s) a0(row + s * n, i) = (s == 1 + i) ? 1.0 : 0.0;
        }
      });
}

/// Adds the bias (of the point's network: bias[block * stride + r]) to the value stream of z and
/// applies the activation's chain rule to every stream: a = s(z), a_i = s'(z) z_i,
/// a_lap = s''(z) sum_i z_i^2 + s'(z) z_lap. Dimension and jet order are compile-time so the
/// stream loops unroll.
template <int Dim, JetOrder Order>
void bias_activation_jets(Activation act, const double* bias, const Matrix& z, const Matrix& a,
                          const BlockLayout& layout) {
  const int cols = static_cast<int>(z.extent(1));
  const int n = layout.n;
  const long stride = layout.parameter_stride;
  for_each_point_feature(
      "tessera::nn::bias_activation_jets", layout, cols,
      KOKKOS_LAMBDA(const int block, const int p, const int r) {
        const double z0 = z(p, r) + bias[block * stride + r];
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
          grad_sq += zi * zi;
        }
        if (Order == JetOrder::Laplacian) {
          const int c = (1 + Dim) * n + p;
          a(c, r) = d2 * grad_sq + d1 * z(c, r);
        }
      });
}

/// Reverse of bias_activation_jets: given dL/da for every stream through incoming(block, c, r),
/// writes dL/dz into g (which may be where incoming reads: each (point, feature) pair owns all its
/// streams and reads them all before writing, so in-place is race-free).
template <int Dim, JetOrder Order, class Incoming>
void activation_jets_adjoint(const char* label, Activation act, const Matrix& z, const Matrix& a,
                             const Incoming& incoming, const Matrix& g, const BlockLayout& layout) {
  const int cols = static_cast<int>(z.extent(1));
  const int n = layout.n;
  for_each_point_feature(
      label, layout, cols, KOKKOS_LAMBDA(const int block, const int p, const int r) {
        const double z0 = z(p, r);
        double d1, d2, d3;
        activation_derivatives(act, z0, a(p, r), d1, d2, d3);
        double g0 = d1 * incoming(block, p, r);
        if (Order != JetOrder::Value) {
          const int cl = (1 + Dim) * n + p;
          const double gl = Order == JetOrder::Laplacian ? incoming(block, cl, r) : 0.0;
          double grad_sq = 0;
          for (int i = 0; i < Dim; ++i) {
            const int ci = (1 + i) * n + p;
            const double zi = z(ci, r), gi = incoming(block, ci, r);
            g0 += d2 * zi * gi;
            g(ci, r) = d1 * gi + 2.0 * d2 * zi * gl;
            grad_sq += zi * zi;
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
  KOKKOS_INLINE_FUNCTION double operator()(int, int c, int r) const { return m(c, r); }
};

/// dL/dA = dL/dZ W formed on the fly, for a narrow layer (the output layer): a GEMM would write
/// and re-read a full (streams x points) x width matrix to save a handful of multiplications.
/// Block b's weight (fan_out x fan_in, column-major) starts at w + b * stride.
struct NarrowLayerAdjoint {
  Matrix zbar;
  const double* w;
  long stride;
  int fan_out;
  KOKKOS_INLINE_FUNCTION double operator()(int block, int c, int r) const {
    const double* wb = w + block * stride + long(r) * fan_out;
    double sum = 0;
    for (int o = 0; o < fan_out; ++o) sum += zbar(c, o) * wb[o];
    return sum;
  }
};

/// Layers at most this wide (outputs) skip the adjoint GEMM (see NarrowLayerAdjoint).
constexpr int kNarrowLayer = 4;

void add_bias(const double* bias, const Matrix& z, const BlockLayout& layout) {
  const int cols = static_cast<int>(z.extent(1));
  const long stride = layout.parameter_stride;
  for_each_point_feature(
      "tessera::nn::add_bias", layout, cols,
      KOKKOS_LAMBDA(const int block, const int p, const int r) {
        z(p, r) += bias[block * stride + r];
      });
}

/// Rows of block b of a stacked jet matrix (a LayoutLeft view with the full matrix's stride).
auto block_rows(const Matrix& m, const BlockLayout& layout, int b) {
  const long rows = layout.block_rows();
  return Kokkos::subview(m, std::make_pair(b * rows, (b + 1) * rows), Kokkos::ALL());
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
  return s;
}

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

UnmanagedMatrix Mlp::weight(const double* flat, int l) const {
  return UnmanagedMatrix(const_cast<double*>(flat) + offset_[l], fan_out_[l], fan_in_[l]);
}

UnmanagedVector Mlp::bias(const double* flat, int l) const {
  return UnmanagedVector(const_cast<double*>(flat) + offset_[l] + long(fan_in_[l]) * fan_out_[l],
                         fan_out_[l]);
}

void Mlp::initialize_glorot(std::uint64_t seed) { glorot(parameters_.data(), seed); }

void Mlp::glorot(double* flat, std::uint64_t seed) const {
  UnmanagedVector target(flat, parameter_count_);
  auto host = Kokkos::create_mirror_view(target);
  std::mt19937_64 rng(seed);
  for (int l = 0; l < layer_count(); ++l) {
    const double limit = std::sqrt(6.0 / (fan_in_[l] + fan_out_[l]));
    std::uniform_real_distribution<double> uniform(-limit, limit);
    const long weights = long(fan_in_[l]) * fan_out_[l];
    for (long k = 0; k < weights; ++k) host(offset_[l] + k) = uniform(rng);
    for (long k = 0; k < fan_out_[l]; ++k) host(offset_[l] + weights + k) = 0.0;
  }
  Kokkos::deep_copy(target, host);
}

void Mlp::prepare(MlpWorkspace& ws, JetOrder order, int points) const {
  prepare_blocks(ws, order, points, 1);
}

void Mlp::prepare_blocks(MlpWorkspace& ws, JetOrder order, int points, int blocks) const {
  const int streams = stream_count(order, shape_.inputs);
  if (ws.order == order && ws.points == points && ws.blocks == blocks && !ws.inputs.empty()) return;
  ws.order = order;
  ws.points = points;
  ws.blocks = blocks;
  ws.streams = streams;
  const long rows = long(streams) * points * blocks;
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
  forward_blocks(parameters_.data(), points, ws);
}

void Mlp::forward_blocks(const double* flat, const Matrix& points, MlpWorkspace& ws) const {
  TESSERA_CHECK(static_cast<int>(points.extent(0)) == shape_.inputs &&
                    static_cast<long>(points.extent(1)) == long(ws.points) * ws.blocks,
                "Mlp::forward: points are " << points.extent(0) << " x " << points.extent(1)
                                            << ", workspace expects " << shape_.inputs << " x "
                                            << long(ws.points) * ws.blocks);
  const BlockLayout layout{ws.points, ws.streams, ws.blocks, parameter_count_};
  seed_input_jets(points, ws.inputs[0], layout);
  const int last = layer_count() - 1;
  for (int l = 0; l <= last; ++l) {
    // One GEMM per network (each has its own weights); the elementwise kernels below then run
    // once over every network's rows.
    for (int b = 0; b < ws.blocks; ++b)
      KokkosBlas::gemm("N", "T", 1.0, block_rows(ws.inputs[l], layout, b),
                       weight(flat + b * parameter_count_, l), 0.0,
                       block_rows(ws.preactivations[l], layout, b));
    const double* b = bias(flat, l).data();
    if (l < last) {
      const auto act = shape_.activation;
      const auto& z = ws.preactivations[l];
      const auto& a = ws.inputs[l + 1];
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        bias_activation_jets<decltype(dim)::value, decltype(order)::value>(act, b, z, a, layout);
      });
    } else {
      add_bias(b, ws.preactivations[l], layout);
    }
  }
}

void Mlp::backward(MlpWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const {
  TESSERA_CHECK(gradient.extent(0) == static_cast<size_t>(parameter_count_),
                "Mlp::backward: gradient has " << gradient.extent(0) << " entries, expected "
                                               << parameter_count_);
  backward_blocks(parameters_.data(), ws, output_adjoint, gradient.data());
}

void Mlp::backward_blocks(const double* flat, MlpWorkspace& ws, const Matrix& output_adjoint,
                          double* gradient) const {
  const BlockLayout layout{ws.points, ws.streams, ws.blocks, parameter_count_};
  const int n = ws.points;
  const long stride = parameter_count_;
  Matrix zbar = output_adjoint;
  Matrix spare = ws.adjoint_a;
  for (int l = layer_count() - 1; l >= 0; --l) {
    for (int b = 0; b < ws.blocks; ++b) {
      const auto zbar_b = block_rows(zbar, layout, b);
      KokkosBlas::gemm("T", "N", 1.0, zbar_b, block_rows(ws.inputs[l], layout, b), 1.0,
                       weight(gradient + b * stride, l));
      auto value_rows = Kokkos::subview(zbar_b, std::make_pair(0, n), Kokkos::ALL());
      KokkosBlas::gemv("T", 1.0, value_rows, ws.ones, 1.0, bias(gradient + b * stride, l));
    }
    if (l == 0) break;
    // dL/dA_l = dL/dZ_l W_l, then through the activation of layer l-1.
    const auto act = shape_.activation;
    const auto& z = ws.preactivations[l - 1];
    const auto& a = ws.inputs[l];
    const auto& g = spare;
    if (fan_out_[l] <= kNarrowLayer) {
      const NarrowLayerAdjoint incoming{zbar, weight(flat, l).data(), stride, fan_out_[l]};
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        activation_jets_adjoint<decltype(dim)::value, decltype(order)::value>(
            "tessera::nn::activation_jets_adjoint_narrow", act, z, a, incoming, g, layout);
      });
    } else {
      for (int b = 0; b < ws.blocks; ++b)
        KokkosBlas::gemm("N", "N", 1.0, block_rows(zbar, layout, b), weight(flat + b * stride, l),
                         0.0, block_rows(spare, layout, b));
      const StoredAdjoint incoming{spare};
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        activation_jets_adjoint<decltype(dim)::value, decltype(order)::value>(
            "tessera::nn::activation_jets_adjoint", act, z, a, incoming, g, layout);
      });
    }
    zbar = spare;
    spare = (spare.data() == ws.adjoint_a.data()) ? ws.adjoint_b : ws.adjoint_a;
  }
}

StackedMlp::StackedMlp(const MlpShape& shape, int count)
    : layout_(shape),
      count_(count),
      parameters_("tessera::nn::stacked_mlp_parameters", layout_.parameter_count() * count) {
  TESSERA_CHECK(count >= 1, "StackedMlp: " << count << " networks; need >= 1");
}

void StackedMlp::initialize_glorot(const std::vector<std::uint64_t>& seeds) {
  TESSERA_CHECK(static_cast<int>(seeds.size()) == count_,
                "StackedMlp: " << seeds.size() << " seeds for " << count_ << " networks");
  for (int k = 0; k < count_; ++k)
    layout_.glorot(network_parameters(parameters_, k).data(), seeds[k]);
}

UnmanagedVector StackedMlp::network_parameters(const Vector& flat, int k) const {
  TESSERA_CHECK(k >= 0 && k < count_, "StackedMlp: no network " << k);
  const long p = layout_.parameter_count();
  return UnmanagedVector(flat.data() + k * p, p);
}

Mlp StackedMlp::network(int k) const {
  Mlp net(layout_.shape());
  Kokkos::deep_copy(net.parameters(), network_parameters(parameters_, k));
  return net;
}

void StackedMlp::prepare(MlpWorkspace& ws, JetOrder order, int points_per_network) const {
  layout_.prepare_blocks(ws, order, points_per_network, count_);
}

void StackedMlp::forward(const Matrix& points, MlpWorkspace& ws) const {
  TESSERA_CHECK(ws.blocks == count_, "StackedMlp::forward: the workspace was prepared for "
                                         << ws.blocks << " networks, not " << count_);
  layout_.forward_blocks(parameters_.data(), points, ws);
}

void StackedMlp::backward(MlpWorkspace& ws, const Matrix& output_adjoint,
                          const Vector& gradient) const {
  TESSERA_CHECK(gradient.extent(0) == static_cast<size_t>(parameter_count()),
                "StackedMlp::backward: gradient has " << gradient.extent(0) << " entries, expected "
                                                      << parameter_count());
  layout_.backward_blocks(parameters_.data(), ws, output_adjoint, gradient.data());
}

}  // namespace tessera::nn
