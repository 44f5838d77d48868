// The result file of a real run (poisson2d_reduced, written on 4 ranks) read back here on 1 or 2
// ranks: the fields are consistent with each other and with the exact solution, the stored error
// figures are what the stored fields give, and the training history is complete,
// one row per iteration.
#include <gtest/gtest.h>

#include <cmath>

#include "core/decomposition.hpp"
#include "core/version.hpp"
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
  // One row per iteration: Adam's 0..299, the switch to L-BFGS at 300, L-BFGS's 301..600.
  ASSERT_EQ(history.rows(), 601u);
  for (size_t r = 0; r < history.rows(); ++r) {
    ASSERT_EQ(history.at(r, 0), double(r));
    ASSERT_EQ(history.at(r, 1), r < 300 ? 0.0 : 1.0) << "phase at iteration " << r;
  }
  EXPECT_EQ(history.at(0, 0), 0);  // the first row is the initial loss the summary reduces from
  EXPECT_EQ(history.at(0, 2), file.real_attribute("initial_loss"));
  EXPECT_NEAR(history.at(last, 2), history.at(last, 3) + history.at(last, 4), 1e-12);
  EXPECT_LT(history.at(last, 2), 1e-2 * history.at(0, 2));
  EXPECT_NE(file.string_attribute("options").find("-pinn_width"), std::string::npos);
}

// What an h5py user reads without Tessera's code: the provenance, the units and the meaning of the
// phase codes.
TEST(ResultFile, AttributesSayWhatTheValuesAre) {
  io::FieldFileReader file(MPI_COMM_WORLD, kFile);
  EXPECT_EQ(file.string_attribute("git_revision"), git_revision);
  const std::string written = file.string_attribute("written_utc");
  ASSERT_EQ(written.size(), 20u) << written;
  EXPECT_EQ(written.substr(0, 2), "20");
  EXPECT_EQ(written[10], 'T');
  EXPECT_EQ(written[19], 'Z');
  EXPECT_EQ(file.string_attribute("grid_units"), "nondimensional");
  for (const char* field : {"x", "y", "pinn", "reference", "exact", "pinn_error"})
    EXPECT_EQ(file.dataset_string_attribute(field, "units"), "nondimensional") << field;
  EXPECT_EQ(file.dataset_string_attribute("history", "phase_meaning"), "0: Adam, 1: L-BFGS");
  // The phase column holds just those codes: Adam's rows, then L-BFGS's.
  const auto history = file.read_table("history");
  ASSERT_GE(history.rows(), 2u);
  EXPECT_EQ(history.at(0, 1), 0);
  EXPECT_EQ(history.at(history.rows() - 1, 1), 1);
  for (size_t r = 1; r < history.rows(); ++r)
    EXPECT_TRUE(history.at(r, 1) == history.at(r - 1, 1) ||
                (history.at(r - 1, 1) == 0 && history.at(r, 1) == 1))
        << "row " << r;
}

}  // namespace
