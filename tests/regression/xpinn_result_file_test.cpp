// The result file of a real run: xpinn (xpinn_reduced, 2 x 2 subdomains, written on 4 ranks) read
// back here on 1 or 2 ranks: the subdomain field follows the lower-side rule, the error field is
// prediction minus exact, and the per-subdomain histories add up to the global one (pde and
// boundary terms summed, interface terms summed and halved).
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

  const auto global = file.read_table("history");
  const std::vector<std::string> terms{"pde",     "boundary", "continuity",
                                       "average", "flux",     "residual_jump"};
  ASSERT_EQ(global.columns.size(), 3 + terms.size() + 1);  // iteration, phase, loss, ..., seconds
  std::vector<double> sums(terms.size(), 0.0);
  const size_t last = global.rows() - 1;
  for (int id = 0; id < 4; ++id) {
    const auto h = file.read_table("history_subdomain_" + std::to_string(id));
    ASSERT_EQ(h.rows(), global.rows());
    ASSERT_EQ(h.columns.size(), 3 + terms.size());
    for (size_t t = 0; t < terms.size(); ++t) EXPECT_EQ(h.columns[3 + t], terms[t]);
    double own = 0;
    for (size_t t = 0; t < terms.size(); ++t) {
      own += h.at(last, 3 + t);
      sums[t] += (t < 2 ? 1.0 : 0.5) * h.at(last, 3 + t);
    }
    EXPECT_EQ(h.at(last, 0), global.at(last, 0));
    EXPECT_NEAR(h.at(last, 2), own, 1e-14 * own);
  }
  for (size_t t = 0; t < terms.size(); ++t)
    EXPECT_NEAR(global.at(last, 3 + t), sums[t], 1e-13 * (std::abs(sums[t]) + 1e-300)) << terms[t];
}

}  // namespace
