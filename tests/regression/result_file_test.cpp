// The result file of a real run (poisson2d_reduced, written on 4 ranks) read back here on 1 or 2
// ranks: the fields are consistent with each other and with the exact solution, the stored error
// figures are what the stored fields give, and the training history is complete.
#include <gtest/gtest.h>

#include <cmath>

#include "core/decomposition.hpp"
#include "io/field_reader.hpp"
#include "physics/poisson.hpp"

namespace {

using namespace tessera;

const std::string kFile =
    std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/reduced4/poisson2d.h5";

double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b) {
  double s[2] = {0, 0};
  for (size_t k = 0; k < a.size(); ++k) s[0] += (a[k] - b[k]) * (a[k] - b[k]), s[1] += b[k] * b[k];
  MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, comm);
  return std::sqrt(s[0] / s[1]);
}

TEST(ResultFile, FieldsAttributesAndHistoryAgree) {
  io::FieldFileReader file(MPI_COMM_WORLD, kFile);
  const auto grid = file.grid();
  ASSERT_EQ(grid.dim, 2);
  ASSERT_EQ(grid.points[0], 65);
  ASSERT_EQ(grid.points[1], 65);
  EXPECT_DOUBLE_EQ(grid.spacing[0], 1.0 / 64);
  EXPECT_EQ(file.integer_attribute("ranks"), 4);

  Decomposition decomp(MPI_COMM_WORLD, 2, {65, 65, 1});
  const auto x = file.read_field("x", decomp), y = file.read_field("y", decomp);
  const auto pinn = file.read_field("pinn", decomp);
  const auto reference = file.read_field("reference", decomp);
  const auto exact = file.read_field("exact", decomp);
  const auto error = file.read_field("pinn_error", decomp);
  const physics::Poisson2D problem{file.real_attribute("poisson_frequency"),
                                   file.real_attribute("poisson_multiscale_amplitude"),
                                   file.real_attribute("poisson_multiscale_frequency")};
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  for (int j = 0; j < count[1]; ++j)
    for (int i = 0; i < count[0]; ++i) {
      const size_t k = size_t(j) * count[0] + i;
      ASSERT_DOUBLE_EQ(x[k], (start[0] + i) / 64.0);
      ASSERT_DOUBLE_EQ(y[k], (start[1] + j) / 64.0);
      ASSERT_NEAR(exact[k], problem.exact(x[k], y[k]), 1e-15);
      ASSERT_DOUBLE_EQ(error[k], pinn[k] - exact[k]);
    }
  EXPECT_NEAR(relative_l2(MPI_COMM_WORLD, pinn, exact),
              file.real_attribute("relative_l2_pinn_vs_exact"), 1e-12);
  EXPECT_NEAR(relative_l2(MPI_COMM_WORLD, reference, exact),
              file.real_attribute("relative_l2_reference_vs_exact"), 1e-12);
  // Second-order reference at h = 1/64: 2.0e-4 relative L2 (see poisson_reference_test).
  EXPECT_NEAR(file.real_attribute("relative_l2_reference_vs_exact"), 2.008e-4, 0.01e-4);

  const auto history = file.read_table("history");
  ASSERT_GE(history.columns.size(), 6u);
  EXPECT_EQ(history.columns[0], "iteration");
  EXPECT_EQ(history.columns[2], "loss");
  ASSERT_GE(history.rows(), 4u);
  const size_t last = history.rows() - 1;
  EXPECT_EQ(history.at(last, 0), 600);  // 300 Adam + 300 L-BFGS iterations
  EXPECT_NEAR(history.at(last, 2), file.real_attribute("final_loss"), 1e-12);
  EXPECT_EQ(history.at(0, 0), 0);  // the first row is the initial loss the summary reduces from
  EXPECT_EQ(history.at(0, 2), file.real_attribute("initial_loss"));
  EXPECT_NEAR(history.at(last, 2), history.at(last, 3) + history.at(last, 4), 1e-12);
  EXPECT_LT(history.at(last, 2), 1e-2 * history.at(0, 2));
  EXPECT_NE(file.string_attribute("options").find("-pinn_width"), std::string::npos);
}

}  // namespace
