#pragma once
// DeepONet (nn::DeepOnet) as a model of run: operator (nn::OperatorModel): a map between fields on
// one grid, in its cartesian form (every function evaluated at every grid point).
//
//   branch input  the input field's values at the sensors: the grid points whose index along
//                 every dimension is a multiple of the sensor stride s, i.e. every s-th point from
//                 the first (85^2 with s = 4: 22^2 = 484 sensors), in C order, channel after
//                 channel for several input channels (m = in_channels x sensors)
//   trunk input   the point's coordinates (x_0, .., x_{d-1}), x_k = i_k / (n_k - 1) in [0, 1]
//                 (0 where n_k = 1), slowest dimension first, as the FNO's grid channels
//   output        G_c(u)(x_j) for every channel c and grid point j: [count][out_channels][points]
//
// The model holds the whole grid on every rank (its space is MPI_COMM_SELF): the branch needs
// sensors spread over the whole grid and the trunk is pointwise, so a split of the grid would
// only add an allgather of the sensor values; the samples are split over the ranks instead (data
// parallelism, one allreduce of the flat gradient per step).
#include <cstdint>
#include <string>
#include <vector>

#include "nn/deeponet.hpp"
#include "nn/operator_model.hpp"

namespace tessera::nn {

class DeepOnetOperator final : public NetworkOperator<DeepOnet> {
public:
  /// Sensors along each dimension of grid for stride (at least 1): every stride-th point from the
  /// first, (n - 1) / stride + 1 of n. Not collective.
  static std::vector<int> sensor_grid(const std::vector<int>& grid, int stride);

  /// shape: branch, trunk, features and activation; its sensors (in_channels x the sensors of
  /// sensor_grid), coordinates (the grid's dimensions) and out_channels are set here. Throws
  /// tessera::Error for a stride below 1 or a shape DeepOnet refuses. Not collective.
  DeepOnetOperator(DeepOnetShape shape, int in_channels, int out_channels,
                   const std::vector<int>& grid, int sensor_stride);

  const DeepOnet& deeponet() const { return net_; }

  int in_channels() const override { return in_channels_; }
  int out_channels() const override { return net_.shape().out_channels; }
  long local_points() const override { return points_; }
  MPI_Comm space() const override { return MPI_COMM_SELF; }
  /// Not collective (the whole grid is on this rank).
  void forward(const Vector& x, const Vector& y, int batch) override;
  /// Not collective.
  void backward(const Vector& dy, const Vector& gradient, const Vector& dx) override;
  /// DeepOnet's summary and the sensors, e.g. "...; sensors at stride 4 (22x22)".
  std::string summary() const override;

private:
  // One batch size's buffers: the network's workspace, the sensor values (m x B) and dL/dG
  // (B x C N); two of them (batch_slot).
  struct Slot {
    int batch = 0;
    DeepOnetWorkspace ws;
    Matrix sensors, adjoint;
  };
  Slot& slot(int batch);

  int in_channels_ = 1, stride_ = 1;
  std::vector<int> grid_;
  long points_ = 0;
  Kokkos::View<long*> sensor_index_;  // flat grid index of each sensor
  Matrix coordinates_;                // the trunk's input, dims x points
  Slot slots_[2];
  Slot* last_ = nullptr;  // the slot of the last forward
};

}  // namespace tessera::nn
