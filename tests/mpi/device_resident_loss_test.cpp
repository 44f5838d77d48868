// The subdomain losses (dd/xpinn_loss, dd/fbpinn_loss) evaluate on the device: during one loss
// evaluation the only copies between memory spaces are the staging of the neighbour messages
// (each byte a rank sends or receives, once) and one row of a few terms per owned subdomain for
// the allreduce. Counted with Kokkos Tools' deep-copy callback, which fires for every deep_copy
// whether or not the two views share memory, so the count on a host backend is the count a GPU
// build makes (fills, deep_copy(view, scalar), are kernels and not counted).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "dd/fbpinn_loss.hpp"
#include "dd/xpinn_loss.hpp"
#include "dd_test_support.hpp"

namespace {

using namespace tessera;
using test_support::poisson;

struct CopyCount {
  long copies = 0, bytes = 0;
};
CopyCount counted;

void on_deep_copy(Kokkos::Tools::SpaceHandle, const char*, const void*, Kokkos::Tools::SpaceHandle,
                  const char* src_label, const void*, uint64_t size) {
  if (std::strcmp(src_label, "Scalar") == 0) return;  // a fill
  ++counted.copies;
  counted.bytes += static_cast<long>(size);
}

/// The copies of one evaluation of loss at its networks' parameters, after a first one.
CopyCount copies_per_evaluation(pinn::Loss& loss, nn::StackedMlp& nets) {
  nn::Vector gradient("gradient", nets.parameter_count());
  loss.value_and_gradient(nets.parameters(), gradient);
  counted = {};
  Kokkos::Tools::Experimental::set_begin_deep_copy_callback(on_deep_copy);
  loss.value_and_gradient(nets.parameters(), gradient);
  Kokkos::Tools::Experimental::set_begin_deep_copy_callback(nullptr);
  return counted;
}

dd::SubdomainPointConfig points() {
  dd::SubdomainPointConfig c;
  c.interior_points = 128;
  c.face_points = 16;
  c.seed = 9;
  return c;
}

nn::StackedMlp networks(const dd::SubdomainGrid& grid) {
  nn::StackedMlp nets({2, 1, 12, 2, nn::Activation::Tanh}, static_cast<int>(grid.owned().size()));
  std::vector<std::uint64_t> seeds;
  for (int id : grid.owned()) seeds.push_back(300 + id);
  nets.initialize_glorot(seeds);
  return nets;
}

TEST(DeviceResidentLoss, XpinnCopiesOnlyItsMessagesAndOneRowPerSubdomain) {
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, {0, 0, 0}, {1, 1, 1}, {4, 2, 1});
  auto nets = networks(grid);
  auto loss = dd::poisson_xpinn_loss(grid, nets, poisson(2, 1.0), points(), {});
  const auto copies = copies_per_evaluation(*loss, nets);
  const long message = loss->exchange().bytes_per_exchange();  // sent, and as much received
  const long rows = static_cast<long>(grid.owned().size()) * dd::kFaceColumns * sizeof(double);
  // Out and in once each (none without a neighbour rank), then the rows.
  EXPECT_EQ(copies.copies, message > 0 ? 3 : 1);
  EXPECT_EQ(copies.bytes, 2 * message + rows);
}

TEST(DeviceResidentLoss, FbpinnCopiesOnlyItsMessagesAndOneRowPerSubdomain) {
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, {0, 0, 0}, {1, 1, 1}, {4, 2, 1});
  dd::PartitionOfUnity windows(grid, 0.3);
  auto nets = networks(grid);
  auto loss = dd::poisson_fbpinn_loss(grid, windows, nets, poisson(2, 1.0), points());
  const auto copies = copies_per_evaluation(*loss, nets);
  // Jets out and in (forward), adjoints out and in (backward): each message byte staged once.
  const long messages = loss->sum().bytes_per_evaluation();
  const long rows =
      static_cast<long>(grid.owned().size()) * dd::FbpinnLossBase::kTerms * sizeof(double);
  EXPECT_EQ(copies.copies, messages > 0 ? 5 : 1);
  EXPECT_EQ(copies.bytes, 2 * messages + rows);
}

}  // namespace
