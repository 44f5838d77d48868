// The LES run (src/run/les_run): a run stopped at a checkpoint and restarted equals the
// uninterrupted run to round-off, on the same rank count and (where the grid splits) on one rank;
// the random isotropic start is the same field on any rank count, scaled to its energy.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "io/field_reader.hpp"
#include "run/les_run.hpp"

namespace {

using namespace tessera;
using run::LesRun;
using run::LesRunConfig;

const std::string kOut = std::string(TESSERA_BINARY_DIR) + "/tests/mpi/les_run_out";

int world_size() {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

// A 16³ Taylor–Green vortex at Re = 400: 3 steps to t = 0.5, 6 to t = 1, landing on the
// checkpoint at t = 0.5.
LesRunConfig small_run(const std::string& name, double end_time) {
  LesRunConfig c;
  c.solver.dim = 3;
  c.solver.cells = 16;
  c.solver.viscosity = 1.0 / 400;
  c.flow.name = "taylor_green";
  c.flow.end_time = end_time;
  c.diagnostics_every = 1;
  c.checkpoint_every = 0.5;
  c.output.directory = kOut + "/np" + std::to_string(world_size()) + "/" + name;
  c.output.name = "les";
  c.output.overwrite = true;
  return c;
}

run::LesSummary run_les(MPI_Comm comm, const LesRunConfig& config) {
  LesRun run(comm, config);
  run.prepare_output();
  return run.execute("");
}

// Velocity components of a result file, this rank's block for decomp. Collective.
std::vector<std::vector<double>> read_velocity(const Decomposition& decomp,
                                               const std::string& path) {
  io::FieldFileReader file(decomp.comm(), path);
  std::vector<std::vector<double>> u;
  for (const char* name : {"velocity_x", "velocity_y", "velocity_z"})
    u.push_back(file.read_field(name, decomp));
  return u;
}

// max |a - b| / max |b| over every rank and component. Collective.
double relative_max_difference(MPI_Comm comm, const std::vector<std::vector<double>>& a,
                               const std::vector<std::vector<double>>& b) {
  double m[2] = {0, 0};
  for (size_t c = 0; c < a.size(); ++c)
    for (size_t p = 0; p < a[c].size(); ++p) {
      m[0] = std::max(m[0], std::abs(a[c][p] - b[c][p]));
      m[1] = std::max(m[1], std::abs(b[c][p]));
    }
  MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, comm);
  return m[0] / m[1];
}

TEST(LesRun, RestartFromCheckpointEqualsUninterruptedRun) {
  const auto full = small_run("full", 1.0);
  const auto half = small_run("half", 0.5);
  auto resumed = small_run("resumed", 1.0);
  resumed.restart_file = half.output.directory + "/les_checkpoint.h5";

  const auto s_full = run_les(MPI_COMM_WORLD, full);
  const auto s_half = run_les(MPI_COMM_WORLD, half);
  const auto s_resumed = run_les(MPI_COMM_WORLD, resumed);
  EXPECT_EQ(s_half.steps, 3);
  EXPECT_EQ(s_full.steps, 6);
  EXPECT_EQ(s_resumed.time, 1.0);

  Decomposition decomp(MPI_COMM_WORLD, 3, {16, 16, 16});
  const auto u_full = read_velocity(decomp, full.output.directory + "/les.h5");
  const auto u_resumed = read_velocity(decomp, resumed.output.directory + "/les.h5");
  // Same rank count, same operations in the same order: expected bit for bit.
  const double same_ranks = relative_max_difference(MPI_COMM_WORLD, u_resumed, u_full);
  if (decomp.rank() == 0)
    std::printf("restart vs uninterrupted, same ranks: relative max difference %.3e\n", same_ranks);
  EXPECT_LE(same_ranks, 1e-13);
  EXPECT_EQ(s_resumed.kinetic_energy, s_full.kinetic_energy);

  // The restarted run's table continues the first run's: one row per step from step 0.
  io::FieldFileReader file(MPI_COMM_WORLD, resumed.output.directory + "/les.h5");
  const auto table = file.read_table("diagnostics");
  ASSERT_EQ(table.rows(), 7u);
  for (size_t r = 0; r < table.rows(); ++r) EXPECT_EQ(table.at(r, 1), double(r));
  EXPECT_EQ(file.integer_attribute("steps"), 6);

  // A checkpoint of another grid or case is refused before anything is written.
  auto other_grid = small_run("other_grid", 1.0);
  other_grid.solver.cells = 8;
  other_grid.restart_file = resumed.restart_file;
  LesRun refused(MPI_COMM_WORLD, other_grid);
  EXPECT_THROW(refused.prepare_output(), InputError);
  auto other_case = small_run("other_case", 1.0);
  other_case.flow.name = "isotropic";
  other_case.restart_file = resumed.restart_file;
  LesRun refused_case(MPI_COMM_WORLD, other_case);
  EXPECT_THROW(refused_case.prepare_output(), InputError);
  EXPECT_FALSE(std::filesystem::exists(other_grid.output.directory));
  EXPECT_FALSE(std::filesystem::exists(other_case.output.directory));

  // On one rank, from the checkpoint the other ranks wrote: the sums of the pressure solves run
  // in another order, so agreement is to round-off (measured 4e-16), not bit for bit.
  if (world_size() > 1) {
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm one;
    MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? 0 : MPI_UNDEFINED, 0, &one);
    if (rank == 0) {
      auto single = resumed;
      single.output.directory += "_one_rank";
      run_les(one, single);
      Decomposition d1(one, 3, {16, 16, 16});
      const auto u_single = read_velocity(d1, single.output.directory + "/les.h5");
      const auto u_reference = read_velocity(d1, full.output.directory + "/les.h5");
      const double one_rank = relative_max_difference(one, u_single, u_reference);
      std::printf("restart on 1 rank vs uninterrupted: relative max difference %.3e\n", one_rank);
      EXPECT_LE(one_rank, 1e-13);
      MPI_Comm_free(&one);
    }
  }
}

// The case's scales, through the options: on a box of side L = 1 the 2D Taylor–Green vortex
// has ℓ = 1/2π, so -les_reynolds 50 with V0 = 0.5 means ν = V0 ℓ/50, and its energy decays
// exactly as (V0²/4) exp(-4νt/ℓ²).
TEST(LesRun, TaylorGreenScalesWithTheBox) {
  PetscOptionsClear(nullptr);
  for (const auto& [name, value] :
       std::vector<std::pair<const char*, const char*>>{{"-les_dim", "2"},
                                                        {"-les_cells", "32"},
                                                        {"-les_length", "1"},
                                                        {"-les_velocity_scale", "0.5"},
                                                        {"-les_reynolds", "50"},
                                                        {"-les_end_time", "0.4"}})
    PetscOptionsSetValue(nullptr, name, value);
  Options options(MPI_COMM_WORLD, 0, nullptr);
  auto c = LesRunConfig::from_options(options);
  PetscOptionsClear(nullptr);
  ASSERT_NO_THROW(options.check());
  const double l = 1.0 / (2 * M_PI), nu = 0.5 * l / 50;
  EXPECT_DOUBLE_EQ(c.solver.viscosity, nu);
  c.output = small_run("tgv2d", 0.4).output;
  const auto s = run_les(MPI_COMM_WORLD, c);
  const double initial = 0.25 * 0.5 * 0.5, exact = initial * std::exp(-4 * nu * 0.4 / (l * l));
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("2D TGV, L = 1, 32^2: E(0.4) %.8f, exact %.8f, decayed to %.4f\n", s.kinetic_energy,
                exact, s.kinetic_energy / initial);
  // Second order in h = 1/32 and third in dt: measured 3.2e-4 relative at t = 0.4.
  EXPECT_NEAR(s.kinetic_energy / exact, 1.0, 1e-3);
  EXPECT_LT(s.kinetic_energy / initial, 0.95);  // it decayed measurably in this window
}

// -les_reynolds uses each case's scales: ν = U ℓ / Re with (lid velocity, L) for the cavity and
// (U, δ = layer_thickness L) for the mixing layer.
TEST(LesRun, ReynoldsNumberUsesEachCasesScales) {
  auto viscosity_for = [](const std::vector<std::pair<const char*, const char*>>& settings) {
    PetscOptionsClear(nullptr);
    for (const auto& [name, value] : settings) PetscOptionsSetValue(nullptr, name, value);
    Options options(MPI_COMM_WORLD, 0, nullptr);
    const auto c = LesRunConfig::from_options(options);
    PetscOptionsClear(nullptr);
    EXPECT_NO_THROW(options.check());
    return c.solver.viscosity;
  };
  EXPECT_DOUBLE_EQ(viscosity_for({{"-les_case", "cavity"},
                                  {"-les_boundary", "cavity"},
                                  {"-les_lid_velocity", "2"},
                                  {"-les_length", "0.5"},
                                  {"-les_reynolds", "100"}}),
                   2 * 0.5 / 100);
  EXPECT_DOUBLE_EQ(viscosity_for({{"-les_case", "mixing_layer"},
                                  {"-les_velocity_scale", "3"},
                                  {"-les_layer_thickness", "0.05"},
                                  {"-les_length", "4"},
                                  {"-les_cells", "16"},
                                  {"-les_reynolds", "200"}}),
                   3 * 0.05 * 4 / 200);
}

// The random start evaluates its modes pointwise, so each rank's block equals the same block of a
// one-rank run (every rank builds one on MPI_COMM_SELF) up to the projection's round-off; its
// energy is d u'²/2 exactly after the rescaling.
TEST(LesRun, IsotropicStartIsTheSameOnAnyRankCount) {
  solvers::IncompressibleConfig config;
  config.dim = 3;
  config.cells = 16;
  run::LesFlowConfig flow;
  flow.name = "isotropic";
  flow.velocity_scale = 0.7;
  flow.peak_wavenumber = 3;
  flow.modes = 60;
  flow.seed = 7;
  Decomposition world(MPI_COMM_WORLD, 3, {16, 16, 16});
  Decomposition self(MPI_COMM_SELF, 3, {16, 16, 16});
  solvers::IncompressibleSolver parallel(world, config), serial(self, config);
  run::set_initial_velocity(parallel, flow, config);
  run::set_initial_velocity(serial, flow, config);
  EXPECT_NEAR(parallel.kinetic_energy(), 1.5 * 0.7 * 0.7, 1e-14);
  EXPECT_LE(parallel.max_divergence(), 1e-8);

  const auto& start = world.local_start();
  const auto& count = world.local_count();
  double difference = 0, largest = 0;
  for (int c = 0; c < 3; ++c) {
    const auto mine = parallel.local_velocity(c), all = serial.local_velocity(c);
    for (int k = 0; k < count[2]; ++k)
      for (int j = 0; j < count[1]; ++j)
        for (int i = 0; i < count[0]; ++i) {
          const double a = mine[(size_t(k) * count[1] + j) * count[0] + i];
          const double b = all[(size_t(start[2] + k) * 16 + start[1] + j) * 16 + start[0] + i];
          difference = std::max(difference, std::abs(a - b));
          largest = std::max(largest, std::abs(b));
        }
  }
  MPI_Allreduce(MPI_IN_PLACE, &difference, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  if (world.rank() == 0)
    std::printf("isotropic start, %d ranks vs 1: relative max difference %.3e\n", world.size(),
                difference / largest);
  EXPECT_LE(difference / largest, 1e-10);
  // A different seed is a different field: as far from this one as two independent fields.
  const auto seed7 = serial.local_velocity(0);
  flow.seed = 8;
  run::set_initial_velocity(serial, flow, config);
  const auto seed8 = serial.local_velocity(0);
  double squares[2] = {0, 0};
  for (size_t p = 0; p < seed7.size(); ++p)
    squares[0] += (seed8[p] - seed7[p]) * (seed8[p] - seed7[p]), squares[1] += seed7[p] * seed7[p];
  EXPECT_GT(std::sqrt(squares[0] / squares[1]), 0.5);
}

}  // namespace
