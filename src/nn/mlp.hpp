#pragma once
// Dense multilayer perceptron with exact input derivatives (jets) and reverse-mode parameter
// gradients through those derivatives.
//
// Parameters live in one flat Vector (per layer: W column-major, then b), gradients in another of
// the same length, so optimizers, checkpoints and gradient allreduce act on one array.
#include <cstdint>
#include <vector>

#include "nn/activation.hpp"
#include "nn/jet.hpp"
#include "nn/types.hpp"

namespace tessera {
class Options;
}

namespace tessera::nn {

struct WeightBlocks;
struct VectorBlocks;

struct MlpShape {
  int inputs = 2;
  int outputs = 1;
  int width = 50;
  int depth = 4;  // hidden layers
  Activation activation = Activation::Tanh;
  // Random Fourier features (Tancik et al. 2020): the inputs enter the first hidden layer as
  // [sin(2 pi B x), cos(2 pi B x)], B (fourier_features x inputs) ~ N(0, fourier_scale^2) drawn
  // once from fourier_seed and frozen (not a parameter). 0 features: the raw inputs.
  int fourier_features = 0;
  double fourier_scale = 1.0;
  std::uint64_t fourier_seed = 0;
  // Hard zero Dirichlet conditions on the unit box: the output is u = D(x) N(x) with the
  // distance-like D = prod_i x_i (1 - x_i), so u = 0 on every face exactly, whatever N is.
  bool hard_dirichlet = false;
  // (Last, so that aggregate initialisations of the members above keep their meaning.)
  // Exact periodic embedding of the first input (period periodic_length) through the same frozen
  // layer, in place of random features: [sin, cos](2 pi k x_0 / L) for k = 1..K, and every other
  // input i as [sin, cos](x_i), one-to-one while x_i spans less than 2 pi (t in [0, 1], say).
  int periodic_harmonics = 0;
  double periodic_length = 2.0;

  /// Reads -pinn_width, -pinn_depth, -pinn_activation, -pinn_fourier_features,
  /// -pinn_fourier_scale, -pinn_hard_boundary; inputs and outputs come from the problem.
  static MlpShape from_options(Options& options, int inputs, int outputs);

  /// Rows M of the frozen encoding layer [sin; cos]: random or periodic features, 0 for none.
  int encoding_features() const {
    if (fourier_features > 0) return fourier_features;
    return periodic_harmonics > 0 ? periodic_harmonics + inputs - 1 : 0;
  }
};

/// Everything one forward pass keeps for its reverse pass: pre-activations Z_l and layer inputs
/// A_l for every layer, for one batch of points at one jet order. Reuse it across iterations.
struct MlpWorkspace {
  JetOrder order = JetOrder::Value;
  int points = 0;  // per network
  int blocks = 1;  // networks stacked in the batch (StackedMlp), 1 for an Mlp
  int streams = 1;
  int laplacian_dims = 0;              // the Laplacian stream sums d2/dx_i2 over i < this
  std::vector<Matrix> inputs;          // A_l: layer l's input, (B*S*N) x fan-in
  std::vector<Matrix> preactivations;  // Z_l: layer l's output before activation, (B*S*N) x fan-out
  Matrix adjoint_a, adjoint_b;         // reverse-pass buffers, (B*S*N) x width
  Vector ones;                         // length N, for bias sums as GEMV
  Matrix coordinates, encoding;        // Fourier features: seeded input jets and 2 pi B x jets
  Matrix distance, ansatz_adjoint;     // hard Dirichlet: jets of D, and dL/dN of the network

  /// Output jets of the last forward pass: (blocks * streams * points) x outputs; network b's
  /// stream s of point p is row b S N + s N + p.
  const Matrix& output() const { return preactivations.back(); }
};

class Mlp {
public:
  explicit Mlp(const MlpShape& shape);

  const MlpShape& shape() const { return shape_; }
  int layer_count() const { return static_cast<int>(fan_in_.size()); }
  long parameter_count() const { return parameter_count_; }
  Vector& parameters() { return parameters_; }
  const Vector& parameters() const { return parameters_; }
  /// Makes the network use parameters (parameter_count() values, in the layout above) as its
  /// parameters from now on, in place of the array it held: a larger network (DeepOnet) binds
  /// its parts to slices of one flat vector. Copies of the Mlp share the bound array.
  void bind(const Vector& parameters);

  /// Glorot-uniform weights, zero biases; deterministic in seed, so every rank draws the same net.
  void initialize_glorot(std::uint64_t seed);

  /// Sizes ws for `points` points at `order`; cheap when already sized. The Laplacian stream sums
  /// the second derivatives over the first laplacian_dims inputs only (0: all), e.g. the spatial
  /// Laplacian u_xx of a network of (x, t) for a time-dependent PDE.
  void prepare(MlpWorkspace& ws, JetOrder order, int points, int laplacian_dims = 0) const;

  /// Forward pass of points (inputs x N, LayoutLeft) at ws's order; fills ws.output().
  void forward(const Matrix& points, MlpWorkspace& ws) const;

  /// Reverse pass of the last forward(ws): given dL/d(output jets) ((S*N) x outputs), adds
  /// dL/d(parameters) into gradient (caller zeroes it).
  void backward(MlpWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const;

  /// Layer l's weight (fan_out x fan_in) and bias views into a flat vector of this layout.
  UnmanagedMatrix weight(const Vector& flat, int l) const { return weight(flat.data(), l); }
  UnmanagedVector bias(const Vector& flat, int l) const { return bias(flat.data(), l); }
  UnmanagedMatrix weight(const double* flat, int l) const;
  UnmanagedVector bias(const double* flat, int l) const;

private:
  friend class StackedMlp;
  // The passes over ws.blocks networks of this shape whose parameters (and gradients) follow
  // each other in flat (gradient), parameter_count() apart; an Mlp is the one-block case.
  void prepare_blocks(MlpWorkspace& ws, JetOrder order, int points, int blocks,
                      int laplacian_dims) const;
  void forward_blocks(const double* flat, const Matrix& points, MlpWorkspace& ws) const;
  void backward_blocks(const double* flat, MlpWorkspace& ws, const Matrix& output_adjoint,
                       double* gradient) const;
  void glorot(double* flat, std::uint64_t seed) const;
  // Layer l's weights / biases of every block of a flat vector of the blocks' layout.
  WeightBlocks weight_blocks(const double* flat, int l) const;
  VectorBlocks bias_blocks(const double* flat, int l) const;
  void draw_fourier_features();

  MlpShape shape_;
  std::vector<int> fan_in_, fan_out_;
  std::vector<long> offset_;
  long parameter_count_ = 0;
  Vector parameters_;
  Vector encoding_;  // frozen Fourier layer, laid out like a layer: 2 pi [B; B], then [0; pi/2]
};

/// B networks of one shape (one per subdomain of a rank, say) whose parameters are consecutive
/// blocks of one flat Vector, so an optimizer or a checkpoint sees one vector. A forward or
/// backward pass takes B equal-size point batches side by side: the dense layers are one batched
/// GEMM over the networks (each has its own weights; nn/stacked_gemm.hpp), the activation and
/// bias kernels run once over all networks' rows.
///
/// Fourier features and the hard Dirichlet ansatz are not supported for stacked networks (the
/// subdomain losses impose their own boundary and interface conditions): the constructor throws
/// a tessera::Error if the shape asks for either.
class StackedMlp {
public:
  StackedMlp(const MlpShape& shape, int count);

  const MlpShape& shape() const { return layout_.shape(); }
  int count() const { return count_; }
  long parameters_per_network() const { return layout_.parameter_count(); }
  long parameter_count() const { return layout_.parameter_count() * count_; }
  /// Network k's parameters are [k P, (k+1) P) with P = parameters_per_network(), in Mlp's layout.
  Vector& parameters() { return parameters_; }
  const Vector& parameters() const { return parameters_; }
  /// Network k's block of a flat vector of this layout (parameters, a gradient, Adam moments).
  UnmanagedVector network_parameters(const Vector& flat, int k) const;

  /// Glorot-uniform weights and zero biases, network k drawn from seeds[k] as an Mlp would be.
  void initialize_glorot(const std::vector<std::uint64_t>& seeds);

  /// A standalone copy of network k, for evaluation.
  Mlp network(int k) const;

  /// Sizes ws for points_per_network points of every network at order; laplacian_dims as for
  /// Mlp::prepare.
  void prepare(MlpWorkspace& ws, JetOrder order, int points_per_network,
               int laplacian_dims = 0) const;
  /// points: inputs x (count() N), network k's N points in columns [k N, (k+1) N).
  void forward(const Matrix& points, MlpWorkspace& ws) const;
  /// Adds dL/d(parameters) of every network into gradient (parameter_count() entries; the
  /// caller zeroes it), given dL/d(output jets) in ws.output()'s layout.
  void backward(MlpWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const;

private:
  Mlp layout_;  // the shape and parameter layout shared by all networks; its own values unused
  int count_;
  Vector parameters_;
};

}  // namespace tessera::nn
