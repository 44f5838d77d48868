#include "nn/deeponet_operator.hpp"

#include <sstream>

#include "core/error.hpp"

namespace tessera::nn {

namespace {

DeepOnetShape completed(DeepOnetShape shape, int in_channels, int out_channels,
                        const std::vector<int>& grid, int stride) {
  TESSERA_CHECK(stride >= 1 && in_channels >= 1 && !grid.empty(),
                "DeepOnetOperator: sensor stride " << stride << ", " << in_channels
                                                   << " input channels, " << grid.size()
                                                   << "D grid");
  shape.sensors = int(in_channels * product(DeepOnetOperator::sensor_grid(grid, stride)));
  shape.task_inputs = 0;
  shape.coordinates = int(grid.size());
  shape.out_channels = out_channels;
  return shape;
}

/// sensors(c m + i, b) = x(b, c, sensor(i)): the branch input of a batch of [B][C][N] blocks.
void gather_sensors(const Vector& x, const Kokkos::View<long*>& sensor, long points,
                    const Matrix& sensors) {
  const long m = long(sensor.extent(0)), rows = long(sensors.extent(0));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_operator_sensors",
      Kokkos::MDRangePolicy<Kokkos::Rank<2, Kokkos::Iterate::Left>>(
          {0, 0}, {rows, long(sensors.extent(1))}),
      KOKKOS_LAMBDA(const long r, const long b) {
        const long c = r / m;
        sensors(r, b) = x((b * (rows / m) + c) * points + sensor(r % m));
      });
}

/// to(b, t) = from(b T + t), or from(b T + t) = to(b, t) with `back`: between the flat
/// [B][C][N] blocks and DeepOnet's B x (C N) matrix (its columns in the same [C][N] order).
void transpose_blocks(const Vector& flat, const Matrix& matrix, bool back) {
  const long rows = long(matrix.extent(0)), cols = long(matrix.extent(1));
  Kokkos::parallel_for(
      "tessera::nn::deeponet_operator_blocks", Kokkos::RangePolicy<>(0, rows * cols),
      KOKKOS_LAMBDA(const long e) {
        const long b = e / cols, t = e % cols;
        if (back)
          matrix(b, t) = flat(e);
        else
          flat(e) = matrix(b, t);
      });
}

}  // namespace

std::vector<int> DeepOnetOperator::sensor_grid(const std::vector<int>& grid, int stride) {
  std::vector<int> sensors;
  for (const int n : grid) sensors.push_back(n >= 1 ? (n - 1) / stride + 1 : 0);
  return sensors;
}

DeepOnetOperator::DeepOnetOperator(DeepOnetShape shape, int in_channels, int out_channels,
                                   const std::vector<int>& grid, int sensor_stride)
    : NetworkOperator<DeepOnet>(completed(shape, in_channels, out_channels, grid, sensor_stride)),
      in_channels_(in_channels),
      stride_(sensor_stride),
      grid_(grid),
      points_(product(grid)) {
  // Set-up, once: the sensors' flat indices and every point's coordinates, on the host.
  const int dims = int(grid.size());
  const std::vector<int> per_dim = sensor_grid(grid, sensor_stride);
  sensor_index_ =
      Kokkos::View<long*>("tessera::nn::deeponet_operator_sensor_index", product(per_dim));
  auto hs = Kokkos::create_mirror_view(sensor_index_);
  for (long s = 0; s < long(hs.extent(0)); ++s) {
    long rest = s, index = 0, stride = 1;
    for (int d = dims - 1; d >= 0; --d) {
      index += (rest % per_dim[size_t(d)]) * sensor_stride * stride;
      rest /= per_dim[size_t(d)];
      stride *= grid[size_t(d)];
    }
    hs(s) = index;
  }
  Kokkos::deep_copy(sensor_index_, hs);
  coordinates_ = Matrix("tessera::nn::deeponet_operator_coordinates", dims, points_);
  auto hc = Kokkos::create_mirror_view(coordinates_);
  for (long j = 0; j < points_; ++j) {
    long rest = j;
    for (int d = dims - 1; d >= 0; --d) {
      const int n = grid[size_t(d)];
      hc(d, j) = n > 1 ? double(rest % n) / double(n - 1) : 0.0;
      rest /= n;
    }
  }
  Kokkos::deep_copy(coordinates_, hc);
}

DeepOnetOperator::Slot& DeepOnetOperator::slot(int batch) {
  Slot& s = batch_slot(slots_, batch);
  if (s.batch != batch) {
    s.batch = batch;
    s.sensors = Matrix("tessera::nn::deeponet_operator_branch_input", net_.shape().sensors, batch);
    s.adjoint =
        Matrix("tessera::nn::deeponet_operator_adjoint", batch, long(out_channels()) * points_);
  }
  net_.prepare(s.ws, DeepOnetForm::Cartesian, batch, int(points_));
  return s;
}

void DeepOnetOperator::forward(const Vector& x, const Vector& y, int batch) {
  TESSERA_CHECK(long(x.extent(0)) >= long(batch) * in_channels_ * points_ &&
                    long(y.extent(0)) >= long(batch) * out_channels() * points_,
                "DeepOnetOperator::forward: " << x.extent(0) << " inputs, " << y.extent(0)
                                              << " outputs for a batch of " << batch << " on "
                                              << points_ << " points");
  last_ = &slot(batch);
  gather_sensors(x, sensor_index_, points_, last_->sensors);
  transpose_blocks(y, net_.forward(last_->sensors, coordinates_, last_->ws), false);
}

void DeepOnetOperator::backward(const Vector& dy, const Vector& gradient, const Vector& dx) {
  TESSERA_CHECK(last_ != nullptr, "DeepOnetOperator::backward before forward");
  TESSERA_CHECK(dx.extent(0) == 0,
                "DeepOnetOperator::backward: no adjoint of the input "
                "(the rollout scheme needs one; run: operator refuses it)");
  transpose_blocks(dy, last_->adjoint, true);
  net_.backward(last_->ws, last_->adjoint, gradient);
}

std::string DeepOnetOperator::summary() const {
  std::ostringstream o;
  std::string sensors;
  for (const int n : sensor_grid(grid_, stride_))
    sensors += (sensors.empty() ? "" : "x") + std::to_string(n);
  o << net_.summary() << "; sensors at stride " << stride_ << " (" << sensors << ")";
  return o.str();
}

}  // namespace tessera::nn
