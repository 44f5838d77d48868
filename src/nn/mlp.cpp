#include "nn/mlp.hpp"

#include <KokkosBlas1_fill.hpp>
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>

#include "nn/stacked_gemm.hpp"

#include <cmath>
#include <random>
#include <type_traits>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"

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
/// point's value-stream row (stream s is row + s n). One team per (feature, chunk of kChunk
/// points), so even the 1-3 features of an output layer fill a GPU.
template <class Body>
void for_each_point_feature(const char* label, const BlockLayout& layout, int cols,
                            const Body& body) {
  constexpr int kChunk = 1024;
  const int n = layout.n, block_rows = static_cast<int>(layout.block_rows());
  const int total = n * layout.blocks;
  const int chunks = (total + kChunk - 1) / kChunk;
  if (chunks == 0 || cols == 0) return;
  Kokkos::parallel_for(
      label, Kokkos::TeamPolicy<>(cols * chunks, Kokkos::AUTO), KOKKOS_LAMBDA(const Team& team) {
        const int r = team.league_rank() / chunks;
        const int first = (team.league_rank() % chunks) * kChunk;
        const int last = first + kChunk < total ? first + kChunk : total;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, first, last), [&](const int q) {
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
/// a_lap = s''(z) sum_{i<lap_dims} z_i^2 + s'(z) z_lap. Dimension and jet order are compile-time
/// so the stream loops unroll.
template <int Dim, JetOrder Order>
void bias_activation_jets(Activation act, const double* bias, const Matrix& z, const Matrix& a,
                          const BlockLayout& layout, int lap_dims) {
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
          if (i < lap_dims) grad_sq += zi * zi;
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
                             const Incoming& incoming, const Matrix& g, const BlockLayout& layout,
                             int lap_dims) {
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
/// dimension and order, so kernels are instantiated with both as compile-time constants. Values
/// alone (no derivative streams) take any number of inputs: the activation kernels do not read
/// the dimension at that order, so a wider input (an operator network's sensors) passes as 1
/// (the box distance, which does, refuses more than 4 inputs in the constructor).
template <class F>
void dispatch_jet(int dim, JetOrder order, const F& f) {
  if (order == JetOrder::Value && dim > 4) {
    f(std::integral_constant<int, 1>{}, OrderTag<JetOrder::Value>{});
    return;
  }
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
      TESSERA_THROW("Mlp: derivative jets are compiled for 1 to 4 inputs, not " << dim);
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

/// Jets of the distance-like function D(x) = prod_i x_i (1 - x_i) of the unit box at every point:
/// D, dD/dx_i and sum_{i<lap_dims} d2D/dx_i2 (d2/dx_i2 of x_i (1 - x_i) is -2) in its streams.
/// Point q of the batch (column q of points) is point q % n of block q / n, as in seed_input_jets.
template <int Dim, JetOrder Order>
void box_distance_jets(const Matrix& points, const Matrix& distance, const BlockLayout& layout,
                       int lap_dims) {
  const int n = layout.n;
  const long block_rows = layout.block_rows();
  Kokkos::parallel_for(
      "tessera::nn::box_distance_jets", Kokkos::RangePolicy<>(0, n * layout.blocks),
      KOKKOS_LAMBDA(const int q) {
        const int block = q / n;
        const long p = block * block_rows + (q - block * n);
        double phi[Dim];
        for (int i = 0; i < Dim; ++i) phi[i] = points(i, q) * (1.0 - points(i, q));
        double d = 1.0;
        for (int i = 0; i < Dim; ++i) d *= phi[i];
        distance(p, 0) = d;
        if (Order == JetOrder::Value) return;
        double lap = 0;
        for (int i = 0; i < Dim; ++i) {
          double others = 1.0;  // prod_{j != i} phi_j, without dividing by a phi that may be 0
          for (int j = 0; j < Dim; ++j)
            if (j != i) others *= phi[j];
          distance((1 + i) * n + p, 0) = (1.0 - 2.0 * points(i, q)) * others;
          if (i < lap_dims) lap += -2.0 * others;
        }
        if (Order == JetOrder::Laplacian) distance((1 + Dim) * n + p, 0) = lap;
      });
}

/// u = D N by the product rule, in place over the network's output jets N:
/// u_i = D_i N + D N_i, u_lap = D_lap N + 2 sum_{i<lap_dims} D_i N_i + D N_lap.
template <int Dim, JetOrder Order>
void distance_ansatz(const Matrix& distance, const Matrix& out, const BlockLayout& layout,
                     int lap_dims) {
  const int n = layout.n;
  for_each_point_feature(
      "tessera::nn::distance_ansatz", layout, static_cast<int>(out.extent(1)),
      KOKKOS_LAMBDA(const int, const int p, const int o) {
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
void distance_ansatz_adjoint(const Matrix& distance, const Matrix& ubar, const Matrix& nbar,
                             const BlockLayout& layout, int lap_dims) {
  const int n = layout.n;
  for_each_point_feature(
      "tessera::nn::distance_ansatz_adjoint", layout, static_cast<int>(ubar.extent(1)),
      KOKKOS_LAMBDA(const int, const int p, const int o) {
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
  TESSERA_CHECK(
      shape.periodic_harmonics == 0 || (shape.fourier_features == 0 && shape.periodic_length > 0),
      "Mlp: a periodic embedding needs a positive period and no random features");
  TESSERA_CHECK(
      !shape.hard_dirichlet || shape.inputs <= 4,
      "Mlp: the hard Dirichlet ansatz is compiled for 1 to 4 inputs, not " << shape.inputs);
  const int encoded = shape.encoding_features() > 0 ? 2 * shape.encoding_features() : shape.inputs;
  for (int l = 0; l <= shape.depth; ++l) {
    fan_in_.push_back(l == 0 ? encoded : shape.width);
    fan_out_.push_back(l == shape.depth ? shape.outputs : shape.width);
    offset_.push_back(parameter_count_);
    parameter_count_ += long(fan_in_[l]) * fan_out_[l] + fan_out_[l];
  }
  parameters_ = Vector("tessera::nn::mlp_parameters", parameter_count_);
  if (shape.encoding_features() > 0) draw_fourier_features();
}

void Mlp::draw_fourier_features() {
  // The encoding is a frozen dense layer with the sin activation: rows m < M hold 2 pi B_m with
  // bias 0, rows M + m the same with bias pi/2 (cos z = sin(z + pi/2)), so the jet kernels of
  // the hidden layers propagate its derivatives exactly.
  const int m = shape_.encoding_features(), d = shape_.inputs;
  encoding_ = Vector("tessera::nn::fourier_features", long(2 * m) * d + 2 * m);
  auto host = Kokkos::create_mirror_view(encoding_);
  std::mt19937_64 rng(shape_.fourier_seed);
  std::normal_distribution<double> normal(0.0, shape_.fourier_scale);
  const Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace,
                     Kokkos::MemoryTraits<Kokkos::Unmanaged>>
      w(host.data(), 2 * m, d);
  const int harmonics = shape_.periodic_harmonics;
  for (int r = 0; r < m; ++r)
    for (int i = 0; i < d; ++i) {
      if (harmonics == 0)
        w(r, i) = 2.0 * M_PI * normal(rng);
      else if (r < harmonics)
        w(r, i) = i == 0 ? 2.0 * M_PI * (r + 1) / shape_.periodic_length : 0.0;
      else
        w(r, i) = i == r - harmonics + 1 ? 1.0 : 0.0;
      w(m + r, i) = w(r, i);
    }
  for (int r = 0; r < 2 * m; ++r) host(long(2 * m) * d + r) = r < m ? 0.0 : 0.5 * M_PI;
  Kokkos::deep_copy(encoding_, host);
}

void Mlp::bind(const Vector& parameters) {
  TESSERA_CHECK(long(parameters.extent(0)) == parameter_count_,
                "Mlp::bind: the parameters hold "
                    << parameters.extent(0) << " values, the network needs " << parameter_count_);
  parameters_ = parameters;
}

UnmanagedMatrix Mlp::weight(const double* flat, int l) const {
  return UnmanagedMatrix(const_cast<double*>(flat) + offset_[l], fan_out_[l], fan_in_[l]);
}

WeightBlocks Mlp::weight_blocks(const double* flat, int l) const {
  return {const_cast<double*>(flat), parameter_count_, offset_[l], fan_out_[l], fan_in_[l]};
}

VectorBlocks Mlp::bias_blocks(const double* flat, int l) const {
  return {const_cast<double*>(flat), parameter_count_, offset_[l] + long(fan_in_[l]) * fan_out_[l],
          fan_out_[l]};
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

void Mlp::prepare(MlpWorkspace& ws, JetOrder order, int points, int laplacian_dims) const {
  prepare_blocks(ws, order, points, 1, laplacian_dims);
}

void Mlp::prepare_blocks(MlpWorkspace& ws, JetOrder order, int points, int blocks,
                         int laplacian_dims) const {
  const int streams = stream_count(order, shape_.inputs);
  TESSERA_CHECK(
      laplacian_dims >= 0 && laplacian_dims <= shape_.inputs,
      "Mlp::prepare: a Laplacian over " << laplacian_dims << " of " << shape_.inputs << " inputs");
  ws.laplacian_dims = laplacian_dims > 0 ? laplacian_dims : shape_.inputs;
  if (ws.order == order && ws.points == points && ws.blocks == blocks && !ws.inputs.empty()) return;
  ws.order = order;
  ws.points = points;
  ws.blocks = blocks;
  ws.streams = streams;
  const long rows = long(streams) * points * blocks;
  if (shape_.encoding_features() > 0) {
    ws.coordinates = Matrix("tessera::nn::coordinate_jets", rows, shape_.inputs);
    ws.encoding =
        Matrix("tessera::nn::fourier_preactivation", rows, 2 * shape_.encoding_features());
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
  forward_blocks(parameters_.data(), points, ws);
}

void Mlp::forward_blocks(const double* flat, const Matrix& points, MlpWorkspace& ws) const {
  ProfilingRegion region(Phase::Forward);
  TESSERA_CHECK(static_cast<int>(points.extent(0)) == shape_.inputs &&
                    static_cast<long>(points.extent(1)) == long(ws.points) * ws.blocks,
                "Mlp::forward: points are " << points.extent(0) << " x " << points.extent(1)
                                            << ", workspace expects " << shape_.inputs << " x "
                                            << long(ws.points) * ws.blocks);
  const BlockLayout layout{ws.points, ws.streams, ws.blocks, parameter_count_};
  const int lap_dims = ws.laplacian_dims;
  if (shape_.encoding_features() > 0) {
    // The frozen encoding is shared by every block: one GEMM over all rows, bias stride 0.
    const int m2 = 2 * shape_.encoding_features(), d = shape_.inputs;
    seed_input_jets(points, ws.coordinates, layout);
    KokkosBlas::gemm("N", "T", 1.0, ws.coordinates, UnmanagedMatrix(encoding_.data(), m2, d), 0.0,
                     ws.encoding);
    BlockLayout shared = layout;
    shared.parameter_stride = 0;
    const double* b = encoding_.data() + long(m2) * d;
    const auto& z = ws.encoding;
    const auto& a = ws.inputs[0];
    dispatch_jet(d, ws.order, [&](auto dim, auto order) {
      bias_activation_jets<decltype(dim)::value, decltype(order)::value>(Activation::Sin, b, z, a,
                                                                         shared, lap_dims);
    });
  } else {
    seed_input_jets(points, ws.inputs[0], layout);
  }
  const int last = layer_count() - 1;
  for (int l = 0; l <= last; ++l) {
    // One batched GEMM over the networks (each has its own weights); the elementwise kernels
    // below then run once over every network's rows.
    const long rows = layout.block_rows();
    stacked_gemm<Trans::NoTranspose, Trans::Transpose>(
        ws.blocks, 0.0, RowBlocks{ws.inputs[l], rows}, weight_blocks(flat, l),
        RowBlocks{ws.preactivations[l], rows});
    const double* b = bias(flat, l).data();
    if (l < last) {
      const auto act = shape_.activation;
      const auto& z = ws.preactivations[l];
      const auto& a = ws.inputs[l + 1];
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        bias_activation_jets<decltype(dim)::value, decltype(order)::value>(act, b, z, a, layout,
                                                                           lap_dims);
      });
    } else {
      add_bias(b, ws.preactivations[l], layout);
    }
  }
  if (shape_.hard_dirichlet) {
    const auto& distance = ws.distance;
    const auto& out = ws.preactivations[last];
    dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
      constexpr int Dim = decltype(dim)::value;
      constexpr JetOrder Order = decltype(order)::value;
      box_distance_jets<Dim, Order>(points, distance, layout, lap_dims);
      distance_ansatz<Dim, Order>(distance, out, layout, lap_dims);
    });
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
  ProfilingRegion region(Phase::Backward);
  const BlockLayout layout{ws.points, ws.streams, ws.blocks, parameter_count_};
  const int n = ws.points;
  const long stride = parameter_count_;
  const int lap_dims = ws.laplacian_dims;
  Matrix zbar = output_adjoint;
  if (shape_.hard_dirichlet) {
    const auto& distance = ws.distance;
    const auto& nbar = ws.ansatz_adjoint;
    dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
      distance_ansatz_adjoint<decltype(dim)::value, decltype(order)::value>(
          distance, output_adjoint, nbar, layout, lap_dims);
    });
    zbar = nbar;
  }
  Matrix spare = ws.adjoint_a;
  for (int l = layer_count() - 1; l >= 0; --l) {
    const long rows = layout.block_rows();
    stacked_gemm<Trans::Transpose, Trans::NoTranspose>(ws.blocks, 1.0, RowBlocks{zbar, rows},
                                                       RowBlocks{ws.inputs[l], rows},
                                                       weight_blocks(gradient, l));
    stacked_column_sums(ws.blocks, n, RowBlocks{zbar, rows}, bias_blocks(gradient, l), ws.ones);
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
            "tessera::nn::activation_jets_adjoint_narrow", act, z, a, incoming, g, layout,
            lap_dims);
      });
    } else {
      stacked_gemm<Trans::NoTranspose, Trans::NoTranspose>(
          ws.blocks, 0.0, RowBlocks{zbar, rows}, weight_blocks(flat, l), RowBlocks{spare, rows});
      const StoredAdjoint incoming{spare};
      dispatch_jet(shape_.inputs, ws.order, [&](auto dim, auto order) {
        activation_jets_adjoint<decltype(dim)::value, decltype(order)::value>(
            "tessera::nn::activation_jets_adjoint", act, z, a, incoming, g, layout, lap_dims);
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
  TESSERA_CHECK(shape.encoding_features() == 0 && !shape.hard_dirichlet,
                "StackedMlp: Fourier features and the hard Dirichlet ansatz are not supported for "
                "stacked networks (asked for "
                    << shape.fourier_features << " features, hard Dirichlet "
                    << (shape.hard_dirichlet ? "on" : "off") << ")");
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

void StackedMlp::prepare(MlpWorkspace& ws, JetOrder order, int points_per_network,
                         int laplacian_dims) const {
  layout_.prepare_blocks(ws, order, points_per_network, count_, laplacian_dims);
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
