// The FNO data deck, reduced (darcy_fno_full / darcy_fno_resumed, 6 samples solved at 61 x 61 and
// stored at 21 x 21, on 2 ranks): a run stopped after 2 samples and resumed, and a finished
// 2-sample set grown to 6 (darcy_fno_grown), wrote the same file as an uninterrupted run, bit for
// bit (reuse none: every solve starts from zero); the stored coefficients are the threshold field's
// two values at every 3rd node, equal to a recomputation; the pressure equals a fresh solve on the
// fine grid at the stored nodes; the metadata are there.
#include <gtest/gtest.h>
#include <mpi.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/decomposition.hpp"
#include "io/field_reader.hpp"
#include "physics/darcy.hpp"
#include "sample_shards.hpp"
#include "solvers/darcy_reference.hpp"

namespace {

using namespace tessera;

std::string result(const std::string& run) {
  return std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/" + run + "/darcy_fno.h5";
}

using tessera::test::differing_values;

TEST(FnoDataset, ResumedRunEqualsUninterruptedRunBitForBit) {
  const io::FieldFileReader full(MPI_COMM_WORLD, result("darcy_fno_full"));
  const io::FieldFileReader resumed(MPI_COMM_WORLD, result("darcy_fno_resumed"));
  EXPECT_EQ(differing_values(full, resumed), 0);
  EXPECT_EQ(full.integer_attribute("resumed_at"), 0);
  EXPECT_EQ(resumed.integer_attribute("resumed_at"), 2);
  for (const auto* file : {&full, &resumed}) {
    EXPECT_EQ(file->integer_attribute("samples_complete"), 6);
    EXPECT_EQ(file->string_attribute("darcy_family"), "threshold");
  }
}

TEST(FnoDataset, GrownSetEqualsUninterruptedRunBitForBit) {
  // darcy_fno_grown: 2 samples, then grown to 6 by the same deck with -dataset_samples 6.
  const io::FieldFileReader full(MPI_COMM_WORLD, result("darcy_fno_full"));
  const io::FieldFileReader grown(MPI_COMM_WORLD, result("darcy_fno_grown"));
  EXPECT_EQ(differing_values(full, grown), 0);
  EXPECT_EQ(grown.dataset_shape("samples"), full.dataset_shape("samples"));
  EXPECT_EQ(grown.integer_attribute("resumed_at"), 2);
  EXPECT_EQ(grown.integer_attribute("samples_complete"), 6);
}

TEST(FnoDataset, SamplesAreTheThresholdFieldAndItsSolutionAtEveryThirdNode) {
  const io::FieldFileReader file(MPI_COMM_WORLD, result("darcy_fno_full"));
  const auto shard = file.read_sample_shard("samples");
  ASSERT_EQ(shard.fields, (std::vector<std::string>{"permeability", "pressure"}));
  ASSERT_EQ(shard.grid, (std::vector<hsize_t>{21, 21}));
  const int n = static_cast<int>(file.integer_attribute("dataset_points"));
  const int r = static_cast<int>(file.integer_attribute("dataset_subsample"));
  ASSERT_EQ(n, 61);
  ASSERT_EQ(r, 3);
  EXPECT_EQ(file.integer_attribute("stored_points"), 21);
  EXPECT_EQ(file.grid().points[0], 21);
  EXPECT_NEAR(file.grid().spacing[0], 3.0 / 60, 1e-15);

  physics::PermeabilityFieldConfig config;
  config.family = physics::PermeabilityFamily::threshold;
  config.modes = static_cast<int>(file.integer_attribute("darcy_modes"));
  config.seed = static_cast<std::uint64_t>(file.integer_attribute("darcy_seed"));
  config.correlation = file.real_attribute("darcy_correlation");
  config.grf_alpha = file.real_attribute("darcy_grf_alpha");
  config.grf_tau = file.real_attribute("darcy_grf_tau");
  config.threshold_low = file.real_attribute("darcy_threshold_low");
  config.threshold_high = file.real_attribute("darcy_threshold_high");
  EXPECT_EQ(config.modes, n);  // every cosine the grid resolves, as the published script
  EXPECT_EQ(config.threshold_low, 3.0);
  physics::PermeabilitySequence field(config);

  // This rank's samples solved again on this rank alone, GAMG as the deck, to a tighter tolerance.
  PetscOptionsSetValue(nullptr, "-dataset_pc_type", "gamg");
  Decomposition self(MPI_COMM_SELF, 2, {n, n, 1});
  solvers::DarcyReferenceConfig solver_config;
  solver_config.points = n;
  solver_config.krylov.rtol = 1e-11;
  solvers::DarcyReference solver(self, solver_config);
  PetscOptionsClearValue(nullptr, "-dataset_pc_type");
  solver.set_source([](double, double) { return 1.0; });
  long wrong_coefficient = 0, other_values = 0;
  double error = 0, scale = 0;
  for (long long local = 0; local < shard.count; ++local) {
    field.advance_to(static_cast<int>(shard.first + local));
    const auto a = field.tabulate(0, n, 0, n, 1.0 / (n - 1));
    solver.set_coefficient(a);
    solver.solve();
    const auto u = solver.local_solution();
    const double *stored_a = shard.field(local, 0), *stored_u = shard.field(local, 1);
    for (int j = 0; j < 21; ++j)
      for (int i = 0; i < 21; ++i) {
        const size_t fine = static_cast<size_t>(j * r) * n + i * r, stored = j * 21 + i;
        wrong_coefficient += stored_a[stored] != a[fine];
        other_values += stored_a[stored] != 3.0 && stored_a[stored] != 12.0;
        error = std::max(error, std::abs(stored_u[stored] - u[fine]));
        scale = std::max(scale, std::abs(u[fine]));
      }
  }
  EXPECT_EQ(wrong_coefficient, 0);
  EXPECT_EQ(other_values, 0);
  // The stored solves stopped at rtol 1e-8 of the preconditioned residual.
  EXPECT_LT(error, 1e-6 * scale) << "pressure error " << error;
  if (shard.count > 0) {
    EXPECT_GT(scale, 0.001);  // u = O(1/(8 a)) for f = 1 and a between 3 and 12
  }
}

}  // namespace
