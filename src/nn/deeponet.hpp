#pragma once
// DeepONet (Lu et al., Nature Machine Intelligence 2021), unstacked, as DeepXDE's DeepONet and
// DeepONetCartesianProd, and its multi-task (MT) variant, on two nn::Mlp bound to slices of one
// flat parameter vector.
//
//   b = Branch([u(x_1) .. u(x_m), theta_1 .. theta_q])   Mlp, m + q -> C p, linear last layer
//   t = act(Trunk(y))                                     Mlp, d -> p, then the hidden activation
//                                                         on its last layer too (DeepXDE's trunk)
//   G_c(u, theta)(y) = sum_k b_{c p + k} t_k + b0_c      c < C output channels
//
// Vector outputs (C > 1) split the branch as DeepXDE's "split_branch": channel c uses branch
// features [c p, (c + 1) p) and the one trunk, plus its own bias b0_c (one bias for C = 1).
// MT-DeepONet (a multi-task / geometry-aware DeepONet in the spirit of Goswami et al.): the branch
// also takes q task inputs theta per function (a one-hot task mask, geometry or PDE parameters),
// concatenated after the m sensor values; the trunk sees the coordinates only. q = 0 is the plain
// DeepONet.
//
// Two batch forms:
//   cartesian: B functions, each at the same N points: G is B x (C N), channel c's block the
//              columns [c N, (c + 1) N), formed as one GEMM per channel, b_c (B x p) t^T (p x N)
//   aligned:   B functions, function i at its own point y_i (the paper's training triples):
//              G is B x C, G(i, c) = b_c(i) . t(i) + b0_c
//
// Parameters: one flat Vector of parameter_count() doubles, gradients in another of that layout:
//   [0, P_b)               branch Mlp (its layout: per layer W (fan_out x fan_in) column-major,
//                          then the biases)
//   [P_b, P_b + P_t)       trunk Mlp, likewise
//   [P_b + P_t, + C)       b0_c
// Arrays follow the Mlp: inputs are (features x count) LayoutLeft, one column per function or
// point, so a function's sensor values are contiguous.
#include <mpi.h>

#include <cstdint>
#include <string>

#include "nn/activation.hpp"
#include "nn/mlp.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

struct DeepOnetShape {
  int sensors = 100;     // m: u(x_1) .. u(x_m) at fixed sensors
  int task_inputs = 0;   // q: MT-DeepONet's extra branch inputs (0: plain DeepONet)
  int coordinates = 1;   // d: the trunk's input y
  int features = 40;     // p
  int out_channels = 1;  // C
  int branch_width = 40, branch_depth = 1;   // hidden layers of the branch: [m + q, 40, C p]
  int trunk_width = 40, trunk_depth = 1;     // and of the trunk: [d, 40, p]
  Activation activation = Activation::Relu;  // every hidden layer and the trunk's output
  bool trunk_output_activation = true;       // DeepXDE's unstacked DeepONet: yes
};

enum class DeepOnetForm { Cartesian, Aligned };

/// What a forward pass keeps for its backward pass, reused across iterations of one batch size.
struct DeepOnetWorkspace {
  DeepOnetForm form = DeepOnetForm::Cartesian;
  int functions = 0, points = 0;  // B, and N (cartesian) or B (aligned)
  MlpWorkspace branch, trunk;
  Matrix branch_input;    // [sensors; tasks], (m + q) x B, MT only
  Matrix trunk_features;  // t, N x p
  Matrix output;          // G: B x (C N) cartesian, B x C aligned
  Matrix branch_adjoint;  // dL/db, B x (C p)
  Matrix trunk_adjoint;   // dL/dt, then in place dL/d(trunk output), N x p
};

class DeepOnet {
public:
  /// Throws tessera::Error for a shape with a count below 1 (task inputs below 0).
  explicit DeepOnet(const DeepOnetShape& shape);

  const DeepOnetShape& shape() const { return shape_; }
  long parameter_count() const { return parameter_count_; }
  /// The flat parameters; the branch and trunk hold views of their slices.
  const Vector& parameters() const { return parameters_; }
  const Mlp& branch() const { return branch_; }
  const Mlp& trunk() const { return trunk_; }
  long trunk_offset() const { return branch_.parameter_count(); }
  long bias_offset() const { return trunk_offset() + trunk_.parameter_count(); }

  /// Glorot-uniform branch (from seed) and trunk (from splitmix64(seed)) weights, zero biases and
  /// b0; the same on every rank. Not collective.
  void initialize(std::uint64_t seed);

  /// Sizes ws for B functions and, cartesian, N points (aligned: points is B). Cheap when sized.
  void prepare(DeepOnetWorkspace& ws, DeepOnetForm form, int functions, int points) const;

  /// G for sensors (m x B), tasks (q x B; empty for q = 0) and points (d x N cartesian, d x B
  /// aligned) in the form ws was prepared for; returns ws.output. Not collective.
  const Matrix& forward(const Matrix& sensors, const Matrix& tasks, const Matrix& points,
                        DeepOnetWorkspace& ws) const;
  const Matrix& forward(const Matrix& sensors, const Matrix& points, DeepOnetWorkspace& ws) const {
    return forward(sensors, Matrix(), points, ws);
  }

  /// Reverse pass of the last forward(ws): given dL/dG in ws.output's layout, adds dL/d(parameters)
  /// into gradient (parameter_count() entries; the caller zeroes it). Not collective.
  void backward(DeepOnetWorkspace& ws, const Matrix& output_adjoint, const Vector& gradient) const;

  /// Sums gradient over comm in place, one allreduce of the flat vector: with each rank's loss
  /// normalised by the global sample count, the whole batch's gradient. Collective over comm.
  void allreduce_gradient(const Vector& gradient, MPI_Comm comm) const;

  /// E.g. "DeepONet: branch [100, 40, 40], trunk [1, 40, 40], relu, 1 channel, 10,041 parameters".
  std::string summary() const;

private:
  DeepOnetShape shape_;
  Mlp branch_, trunk_;
  long parameter_count_ = 0;
  Vector parameters_;
  Kokkos::View<double*, Kokkos::HostSpace> staging_;  // allreduce_gradient on device builds
};

/// Sum over all entries of (output - target)^2, and adjoint = scale * 2 (output - target), the
/// gradient of scale times that sum (scale = 1 / global count: the mean squared error). output,
/// target and adjoint have one shape. Not collective.
double squared_error(const Matrix& output, const Matrix& target, const Matrix& adjoint,
                     double scale);

}  // namespace tessera::nn
