// Data-parallel DeepONet (nn/deeponet): the functions of a batch split over the ranks (unevenly
// where the count does not divide), each rank's squared error normalised by the global count,
// plus one allreduce_gradient, equal the whole batch's mean-squared-error gradient on one rank.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "../deeponet_reference.hpp"
#include "../grid_layouts.hpp"
#include "core/allreduce.hpp"

namespace {

using namespace tessera;
using nn::DeepOnetForm;

constexpr int kFunctions = 11, kPoints = 6;

/// Columns [begin, end) of m as a matrix of their own (an empty m stays empty).
nn::Matrix column_range(const nn::Matrix& m, long begin, long end) {
  if (m.extent(0) == 0) return m;
  nn::Matrix part("part", m.extent(0), end - begin);
  Kokkos::deep_copy(part, Kokkos::subview(m, Kokkos::ALL(), std::make_pair(begin, end)));
  return part;
}

/// Rows [begin, end) of m.
nn::Matrix row_range(const nn::Matrix& m, long begin, long end) {
  nn::Matrix part("part", end - begin, m.extent(1));
  Kokkos::deep_copy(part, Kokkos::subview(m, std::make_pair(begin, end), Kokkos::ALL()));
  return part;
}

/// The mean squared error over the functions [begin, end) of the batch (normalised by the whole
/// batch's output count) and its gradient, added into gradient.
double local_loss(const nn::DeepOnet& net, DeepOnetForm form, const nn::Matrix& sensors,
                  const nn::Matrix& tasks, const nn::Matrix& points, const nn::Matrix& target,
                  long begin, long end, const nn::Vector& gradient) {
  const long count = end - begin;
  const bool aligned = form == DeepOnetForm::Aligned;
  nn::DeepOnetWorkspace ws;
  net.prepare(ws, form, static_cast<int>(count), kPoints);
  const auto& g = net.forward(column_range(sensors, begin, end), column_range(tasks, begin, end),
                              aligned ? column_range(points, begin, end) : points, ws);
  nn::Matrix adjoint("adjoint", g.extent(0), g.extent(1));
  const double outputs = double(kFunctions) * target.extent(1);
  const double l = nn::squared_error(g, row_range(target, begin, end), adjoint, 1.0 / outputs);
  net.backward(ws, adjoint, gradient);
  return l / outputs;
}

struct Case {
  const char* name;
  DeepOnetForm form;
  int channels, task_inputs;
};

class DeepOnetDataParallel : public ::testing::TestWithParam<Case> {};

TEST_P(DeepOnetDataParallel, SplitBatchPlusAllreduceEqualsTheWholeBatch) {
  const Case c = GetParam();
  nn::DeepOnetShape shape;
  shape.sensors = 9;
  shape.task_inputs = c.task_inputs;
  shape.coordinates = 2;
  shape.features = 6;
  shape.out_channels = c.channels;
  shape.branch_width = 8;
  shape.trunk_width = 7;
  shape.trunk_depth = 2;
  shape.activation = nn::Activation::Tanh;
  nn::DeepOnet net(shape);
  net.initialize(21);
  const bool aligned = c.form == DeepOnetForm::Aligned;
  const auto sensors = test::random_matrix(9, kFunctions, 1);
  const auto tasks =
      c.task_inputs > 0 ? test::random_matrix(c.task_inputs, kFunctions, 2) : nn::Matrix();
  const auto points = test::random_matrix(2, aligned ? kFunctions : kPoints, 3, 0.0, 1.0);
  const auto target =
      test::random_matrix(kFunctions, aligned ? c.channels : c.channels * kPoints, 4);

  nn::Vector whole("whole", net.parameter_count());
  const double whole_loss =
      local_loss(net, c.form, sensors, tasks, points, target, 0, kFunctions, whole);

  const int rank = test::world_rank(), size = test::world_size();
  const long begin = long(rank) * kFunctions / size, end = long(rank + 1) * kFunctions / size;
  nn::Vector split("split", net.parameter_count());
  double loss = 0;
  if (end > begin)
    loss = local_loss(net, c.form, sensors, tasks, points, target, begin, end, split);
  net.allreduce_gradient(split, MPI_COMM_WORLD);
  loss = allreduce_sum(MPI_COMM_WORLD, loss);

  EXPECT_NEAR(loss, whole_loss, 1e-12 * whole_loss);
  const double error = test::relative_error(test::to_host(split), test::to_host(whole));
  RecordProperty("relative_error", test::scientific(error));
  EXPECT_LT(error, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Forms, DeepOnetDataParallel,
                         ::testing::Values(Case{"cartesian", DeepOnetForm::Cartesian, 1, 0},
                                           Case{"aligned", DeepOnetForm::Aligned, 2, 0},
                                           Case{"mt_cartesian", DeepOnetForm::Cartesian, 2, 3},
                                           Case{"mt_aligned", DeepOnetForm::Aligned, 1, 2}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
