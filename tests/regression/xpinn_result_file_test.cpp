// The result file of a real run: xpinn (xpinn_reduced, 2 x 2 subdomains, written on 4 ranks) read
// back here on 1 or 2 ranks: the subdomain field follows the lower-side rule, the error field is
// prediction minus exact, and the per-subdomain histories add up to the global one (pde and
// boundary terms summed, interface terms summed and halved) at every progress line.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/decomposition.hpp"
#include "io/field_reader.hpp"

namespace {

using namespace tessera;

const std::string kFile =
    std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/xpinn4/poisson2d_xpinn.h5";

TEST(XpinnResultFile, SubdomainFieldAndHistoriesAgree) {
  io::FieldFileReader file(MPI_COMM_WORLD, kFile);
  EXPECT_EQ(file.integer_attribute("ranks"), 4);
  ASSERT_EQ(file.integer_attribute("subdomains"), 4);
  Decomposition decomp(MPI_COMM_WORLD, 2, {65, 65, 1});
  const auto x = file.read_field("x", decomp), y = file.read_field("y", decomp);
  const auto subdomain = file.read_field("subdomain", decomp);
  const auto pinn = file.read_field("pinn", decomp), exact = file.read_field("exact", decomp);
  const auto error = file.read_field("pinn_error", decomp);
  for (size_t k = 0; k < x.size(); ++k) {
    // A point on x = 1/2 or y = 1/2 belongs to the lower subdomain.
    ASSERT_EQ(subdomain[k], (x[k] > 0.5 ? 1 : 0) + 2 * (y[k] > 0.5 ? 1 : 0))
        << x[k] << ", " << y[k];
    ASSERT_DOUBLE_EQ(error[k], pinn[k] - exact[k]);
  }

  // What the coded values mean, without the code that wrote them.
  EXPECT_NE(file.dataset_string_attribute("subdomain", "subdomain_meaning").find("index"),
            std::string::npos);
  EXPECT_EQ(file.dataset_string_attribute("history", "phase_meaning"), "0: Adam, 1: L-BFGS");
  const auto global = file.read_table("history");
  const std::vector<std::string> terms{"pde",     "boundary", "continuity",
                                       "average", "flux",     "residual_jump"};
  ASSERT_EQ(global.columns.size(), 3 + terms.size() + 1);  // iteration, phase, loss, ..., seconds
  // The global history has a row per iteration; the subdomains' tables one per progress line
  // (the first and last iteration included), where their terms add up to the global ones.
  for (size_t r = 0; r < global.rows(); ++r) ASSERT_EQ(global.at(r, 0), double(r));
  const auto first = file.read_table("history_subdomain_0");
  ASSERT_GE(first.rows(), 2u);
  ASSERT_LT(first.rows(), global.rows());
  EXPECT_EQ(first.at(0, 0), 0);
  EXPECT_EQ(first.at(first.rows() - 1, 0), global.at(global.rows() - 1, 0));
  for (size_t row = 0; row < first.rows(); ++row) {
    const auto at = static_cast<size_t>(first.at(row, 0));
    std::vector<double> sums(terms.size(), 0.0);
    for (int id = 0; id < 4; ++id) {
      const auto h = file.read_table("history_subdomain_" + std::to_string(id));
      ASSERT_EQ(h.rows(), first.rows());
      ASSERT_EQ(h.columns.size(), 3 + terms.size());
      for (size_t t = 0; t < terms.size(); ++t) EXPECT_EQ(h.columns[3 + t], terms[t]);
      if (row == 0) {
        EXPECT_EQ(file.dataset_string_attribute("history_subdomain_" + std::to_string(id),
                                                "phase_meaning"),
                  "0: Adam, 1: L-BFGS");
      }
      ASSERT_EQ(h.at(row, 0), double(at));
      double own = 0;
      for (size_t t = 0; t < terms.size(); ++t) {
        own += h.at(row, 3 + t);
        sums[t] += (t < 2 ? 1.0 : 0.5) * h.at(row, 3 + t);
      }
      EXPECT_NEAR(h.at(row, 2), own, 1e-14 * own);
    }
    for (size_t t = 0; t < terms.size(); ++t)
      EXPECT_NEAR(global.at(at, 3 + t), sums[t], 1e-13 * (std::abs(sums[t]) + 1e-300))
          << terms[t] << " at iteration " << at;
  }
}

}  // namespace
