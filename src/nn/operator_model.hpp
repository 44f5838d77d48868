#pragma once
// What nn::OperatorTrainer needs of a neural operator, so that one trainer (normaliser, loss,
// batches, Adam, checkpoints) serves every model of run: operator: a map from a batch of input
// blocks [count][in_channels][points] to output blocks [count][out_channels][points] at this
// rank's points of the grid, with a reverse pass into one flat gradient of the flat parameters.
//
// The models: FnoOperator (nn::Fno, FNO and TFNO, any split of the grid over its space
// communicator), FnoSingleOperator (the same network computing in float) and DeepOnetOperator
// (nn/deeponet_operator.hpp, the whole grid on every rank).
#include <mpi.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/fno.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

class OperatorModel {
public:
  virtual ~OperatorModel() = default;

  virtual int in_channels() const = 0;
  virtual int out_channels() const = 0;
  /// Points of this rank's block of the grid (the blocks' `points` dimension).
  virtual long local_points() const = 0;
  /// The communicator the grid is split over (MPI_COMM_SELF where every rank holds all of it).
  virtual MPI_Comm space() const = 0;
  virtual long parameter_count() const = 0;
  /// The flat parameters (deep_copy into them to restore a network).
  virtual const Vector& parameters() const = 0;
  /// The model's initial parameters from seed, the same on every rank. Not collective.
  virtual void initialize(std::uint64_t seed) = 0;

  /// y = G(x) for `batch` samples (layouts above). Keeps what backward needs. Collective over
  /// space().
  virtual void forward(const Vector& x, const Vector& y, int batch) = 0;
  /// Reverse pass of the last forward: given dL/dy, ADDS dL/d(parameters) into gradient (the
  /// caller zeroes it), the whole grid's on every rank of space(), and, with a non-empty dx
  /// ([batch][in_channels][points]), WRITES dL/dx there (the rollout's window adjoint; a model
  /// without an input adjoint throws). Collective over space().
  virtual void backward(const Vector& dy, const Vector& gradient, const Vector& dx) = 0;
  /// Sums gradient in place over comm (data parallelism: one allreduce of the flat vector).
  /// Collective over comm.
  virtual void allreduce_gradient(const Vector& gradient, MPI_Comm comm) const = 0;

  /// One line naming the model, its shape and parameter count.
  virtual std::string summary() const = 0;
};

/// Of two reusable per-batch-size buffers (each with a `batch` member, 0 while unused), the one
/// for `batch`: the first unless it already serves another size. A training run needs two, the
/// usual batch and the odd one (the last batch, the last evaluation chunk), so neither is resized
/// every step.
template <class Slot>
Slot& batch_slot(Slot (&slots)[2], int batch) {
  return (slots[0].batch == 0 || slots[0].batch == batch) ? slots[0] : slots[1];
}

/// The members every network answers alike (its flat parameters, their initialisation and the
/// gradient's allreduce), for a network type Net held in net_.
template <class Net>
class NetworkOperator : public OperatorModel {
public:
  long parameter_count() const override { return net_.parameter_count(); }
  const Vector& parameters() const override { return net_.parameters(); }
  void initialize(std::uint64_t seed) override { net_.initialize(seed); }
  void allreduce_gradient(const Vector& gradient, MPI_Comm comm) const override {
    net_.allreduce_gradient(gradient, comm);
  }

protected:
  /// Builds net_ from Net's constructor arguments.
  template <class... Args>
  explicit NetworkOperator(Args&&... args) : net_(std::forward<Args>(args)...) {}

  Net net_;
};

/// nn::Fno behind the OperatorModel interface, with its two workspaces (batch_slot).
class FnoOperator final : public NetworkOperator<Fno> {
public:
  /// As Fno's constructor: collective over space.
  FnoOperator(const FnoShape& shape, const std::vector<int>& grid, const GridBlock& block,
              MPI_Comm space)
      : NetworkOperator<Fno>(shape, grid, block, space) {}
  /// The whole grid on this rank alone (as Fno's). Not collective.
  FnoOperator(const FnoShape& shape, const std::vector<int>& grid)
      : NetworkOperator<Fno>(shape, grid) {}

  const Fno& fno() const { return net_; }

  int in_channels() const override { return net_.shape().in_channels; }
  int out_channels() const override { return net_.shape().out_channels; }
  long local_points() const override { return net_.local_points(); }
  MPI_Comm space() const override { return net_.space(); }
  void forward(const Vector& x, const Vector& y, int batch) override;
  void backward(const Vector& dy, const Vector& gradient, const Vector& dx) override;
  std::string summary() const override { return net_.summary(); }

private:
  FnoWorkspace ws_[2];
  FnoWorkspace* last_ = nullptr;  // the workspace of the last forward
};

/// nn::FnoOf<float> behind the OperatorModel interface (-operator_precision single): the network
/// computes and stores its activations in float, while the parameters the trainer sees (Adam's,
/// the checkpoints', the best model's) stay double, the master copy. forward rounds the master
/// parameters to the network's (so a deep_copy into parameters() takes effect at the next forward)
/// and the input to float, and widens the output; backward widens the float gradient and adds it
/// to the caller's double one. Adam's update of small steps on double parameters is then not lost
/// to float rounding (mixed precision as in PyTorch's AMP with float32 master weights).
class FnoSingleOperator final : public OperatorModel {
public:
  /// As Fno's constructor: collective over space.
  FnoSingleOperator(const FnoShape& shape, const std::vector<int>& grid, const GridBlock& block,
                    MPI_Comm space);
  /// The whole grid on this rank alone. Not collective.
  FnoSingleOperator(const FnoShape& shape, const std::vector<int>& grid);

  const FnoOf<float>& fno() const { return net_; }

  int in_channels() const override { return net_.shape().in_channels; }
  int out_channels() const override { return net_.shape().out_channels; }
  long local_points() const override { return net_.local_points(); }
  MPI_Comm space() const override { return net_.space(); }
  long parameter_count() const override { return net_.parameter_count(); }
  const Vector& parameters() const override { return master_; }
  /// The float network's draw, widened: the master parameters are exactly the network's.
  void initialize(std::uint64_t seed) override;
  void forward(const Vector& x, const Vector& y, int batch) override;
  void backward(const Vector& dy, const Vector& gradient, const Vector& dx) override;
  void allreduce_gradient(const Vector& gradient, MPI_Comm comm) const override;
  std::string summary() const override;

private:
  // Float copies of one batch's boundary values, per batch size (batch_slot).
  struct Boundary {
    int batch = 0;
    VectorOf<float> x, y, dy, dx;
    FnoWorkspaceOf<float> ws;
  };
  Boundary& boundary(int batch);

  FnoOf<float> net_;
  Vector master_;
  VectorOf<float> gradient_;  // the float network's gradient of one backward
  Boundary slots_[2];
  Boundary* last_ = nullptr;                          // the slot of the last forward
  Kokkos::View<double*, Kokkos::HostSpace> staging_;  // allreduce_gradient on device builds
};

}  // namespace tessera::nn
