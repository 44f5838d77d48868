// The Navier–Stokes data deck, reduced (6 samples of 64² to T = 2 on 2 ranks, navier_stokes_full
// and navier_stokes_resumed; 5 samples on 1, 2 and 4 ranks, navier_stokes_dataset_reduced_ranks*):
// a run stopped after 3 samples and resumed, and a finished 3-sample set grown to 6
// (navier_stokes_grown), wrote the same file as an uninterrupted run, bit for bit; the stored
// records are fresh solves of the same samples, bit for bit (the same solver on one rank); the data
// do not depend on the rank count; the layout and metadata are there.
#include <gtest/gtest.h>
#include <mpi.h>

#include <filesystem>
#include <string>

#include "io/field_reader.hpp"
#include "sample_shards.hpp"
#include "solvers/vorticity2d.hpp"

namespace {

using namespace tessera;

std::string result(const std::string& run) {
  return std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/" + run + "/navier_stokes.h5";
}

using tessera::test::differing_values;

TEST(NavierStokesDataset, ResumedRunEqualsUninterruptedRunBitForBit) {
  const io::FieldFileReader full(MPI_COMM_WORLD, result("navier_stokes_full"));
  const io::FieldFileReader resumed(MPI_COMM_WORLD, result("navier_stokes_resumed"));
  EXPECT_EQ(
      differing_values(full.read_sample_shard("samples"), resumed.read_sample_shard("samples")), 0);
  EXPECT_EQ(full.integer_attribute("resumed_at"), 0);
  EXPECT_EQ(resumed.integer_attribute("resumed_at"), 3);
  for (const auto* file : {&full, &resumed}) {
    EXPECT_EQ(file->integer_attribute("samples_complete"), 6);
    EXPECT_EQ(file->string_attribute("dataset_problem"), "navier_stokes");
  }
}

TEST(NavierStokesDataset, GrownSetEqualsUninterruptedRunBitForBit) {
  // navier_stokes_grown: 3 samples, then grown to 6 by the same deck with -dataset_samples 6.
  const io::FieldFileReader full(MPI_COMM_WORLD, result("navier_stokes_full"));
  const io::FieldFileReader grown(MPI_COMM_WORLD, result("navier_stokes_grown"));
  EXPECT_EQ(differing_values(full.read_sample_shard("samples"), grown.read_sample_shard("samples")),
            0);
  EXPECT_EQ(grown.integer_attribute("resumed_at"), 3);
  EXPECT_EQ(grown.integer_attribute("samples_complete"), 6);
  EXPECT_EQ(grown.integer_attribute("dataset_samples"), 6);
}

TEST(NavierStokesDataset, RecordsAreTheSolversVorticityAtEachTime) {
  const io::FieldFileReader file(MPI_COMM_WORLD, result("navier_stokes_full"));
  const auto shard = file.read_sample_shard("samples");
  const int records = static_cast<int>(file.integer_attribute("records"));
  ASSERT_EQ(records, 3);  // t = 0, 1, 2
  ASSERT_EQ(shard.fields, (std::vector<std::string>{"omega_t0", "omega_t1", "omega_t2"}));
  const int n = static_cast<int>(file.integer_attribute("navier_stokes_points"));
  ASSERT_EQ(shard.grid, (std::vector<hsize_t>{hsize_t(n), hsize_t(n)}));
  EXPECT_EQ(file.dataset_shape("samples"), (std::vector<hsize_t>{6, 3, hsize_t(n), hsize_t(n)}));
  EXPECT_NEAR(file.grid().spacing[0], 1.0 / n, 1e-15);

  solvers::Vorticity2DConfig config;
  config.points = n;
  config.viscosity = file.real_attribute("navier_stokes_viscosity");
  config.time_step = file.real_attribute("navier_stokes_time_step");
  config.forcing_amplitude = file.real_attribute("navier_stokes_forcing");
  solvers::RandomVorticityConfig field;
  field.alpha = file.real_attribute("navier_stokes_grf_alpha");
  field.tau = file.real_attribute("navier_stokes_grf_tau");
  field.seed = static_cast<std::uint64_t>(file.integer_attribute("navier_stokes_seed"));
  const long long steps =
      std::llround(file.real_attribute("navier_stokes_record_interval") / config.time_step);
  solvers::Vorticity2D solver(config);
  long differ = 0;
  for (long long local = 0; local < shard.count; ++local) {
    solver.set_random_vorticity(field, static_cast<std::uint64_t>(shard.first + local));
    for (int k = 0; k < records; ++k) {
      if (k > 0) solver.advance(steps);
      const auto omega = solver.vorticity();
      const double* stored = shard.field(local, k);
      for (size_t p = 0; p < omega.size(); ++p) differ += stored[p] != omega[p];
    }
    // The flow moved: the last record is not the first.
    EXPECT_NE(shard.field(local, 0)[0], shard.field(local, records - 1)[0]);
  }
  EXPECT_EQ(differ, 0);
}

TEST(NavierStokesDataset, DataDoNotDependOnTheRankCount) {
  if (!std::filesystem::exists(result("ns_dataset1"))) GTEST_SKIP() << "no 1-rank run";
  const io::FieldFileReader one(MPI_COMM_WORLD, result("ns_dataset1"));
  const auto reference = one.read_sample_shard("samples");
  for (const char* run : {"ns_dataset2", "ns_dataset4"}) {
    if (!std::filesystem::exists(result(run))) continue;
    const io::FieldFileReader other(MPI_COMM_WORLD, result(run));
    EXPECT_EQ(differing_values(reference, other.read_sample_shard("samples")), 0) << run;
    EXPECT_EQ(other.integer_attribute("samples_complete"), 5);
  }
}

}  // namespace
