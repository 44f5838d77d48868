// The Taylor–Green vortex at Re = 1600 through the LES run, 32³ without a subgrid model, from
// t = 0 to 3 (the laminar phase, before the vortex sheets roll up), against the 512³ spectral DNS
// in input/reference: the kinetic energy and the dissipation rate -dE/dt, and the result file's
// attributes, diagnostics and spectrum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "core/decomposition.hpp"
#include "io/field_reader.hpp"
#include "run/les_run.hpp"

namespace {

using namespace tessera;

TEST(LesTaylorGreen, DissipationFollowsTheSpectralReference) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  run::LesRunConfig c;
  c.solver.dim = 3;
  c.solver.cells = 32;
  c.solver.viscosity = 1.0 / 1600;
  c.flow.name = "taylor_green";
  c.flow.end_time = 3;
  c.diagnostics_every = 1;
  c.snapshot_every = 3;
  c.reference_file =
      std::string(TESSERA_SOURCE_DIR) + "/input/reference/tgv_re1600_spectral_dns.dat";
  c.output.directory =
      std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/les_tgv_np" + std::to_string(size);
  c.output.name = "tgv";
  c.output.overwrite = true;
  run::LesRun run(MPI_COMM_WORLD, c);
  run.prepare_output();
  const auto s = run.execute("");

  // Measured at 1, 2 and 4 ranks: 6.77e-2 (from E_k) and 6.84e-2 (semi-discrete rate). The
  // second-order scheme on 32³ underestimates the dissipation more and more as the vortex sheets
  // thin (by 11 % at t = 3), hence a few per cent over the window. Measured misfits: viscosity
  // 10 % low 0.145, the dynamic model (active in this laminar phase) 1.85; 10 % high 0.057, which
  // the under-resolution hides, so the bound checks the run's wiring, not the viscosity to 10 %.
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("TGV 32^3 to t = 3: -dE/dt relative L2 %.4e (semi-discrete %.4e), E_k(3) %.7f\n",
                s.dissipation_relative_l2, s.rate_relative_l2, s.kinetic_energy);
  EXPECT_LT(s.dissipation_relative_l2, 0.08);
  EXPECT_LT(s.rate_relative_l2, 0.08);
  // Reference E_k(3) = 0.1230239; measured 0.1231051 (6.6e-4 relative).
  EXPECT_NEAR(s.kinetic_energy, 0.1230239, 1.5e-4);
  // The reference's own peak, found by the comparison: 0.012858 at t = 8.97.
  EXPECT_NEAR(s.reference_peak_dissipation, 0.012858, 1e-6);
  EXPECT_NEAR(s.reference_peak_time, 8.97, 0.01);

  io::FieldFileReader file(MPI_COMM_WORLD, s.output_file);
  EXPECT_EQ(file.real_attribute("dissipation_relative_l2"), s.dissipation_relative_l2);
  EXPECT_EQ(file.integer_attribute("steps"), s.steps);
  const auto diagnostics = file.read_table("diagnostics");
  EXPECT_EQ(diagnostics.rows(), std::size_t(s.steps) + 1);
  // Parseval: the shells of the end spectrum hold the kinetic energy.
  const auto spectrum = file.read_table("spectrum");
  ASSERT_EQ(spectrum.rows(), 17u);
  double sum = 0;
  for (std::size_t k = 0; k < spectrum.rows(); ++k) sum += spectrum.at(k, 1);
  EXPECT_NEAR(sum, s.kinetic_energy, 1e-12);
  // Semi-discrete -dE/dt = resolved + subgrid dissipation; no model: subgrid = 0.
  for (std::size_t r = 0; r < diagnostics.rows(); ++r) {
    EXPECT_NEAR(diagnostics.at(r, 4), diagnostics.at(r, 6) + diagnostics.at(r, 7), 1e-9);
    EXPECT_EQ(diagnostics.at(r, 7), 0.0);
  }
}

// The snapshot at t = 0 of the same run: velocity on the faces, as its attribute says, equal to
// the sampled vortex (which is discretely divergence-free, so the projection leaves it), and the
// pressure at the cell centres against the exact initial pressure
// p = (cos 2x + cos 2y)(cos 2z + 2)/16 (V0 = 1, ρ = 1).
TEST(LesTaylorGreen, InitialSnapshotHoldsTheVortexAndItsPressure) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::string path = std::string(TESSERA_BINARY_DIR) + "/tests/regression/out/les_tgv_np" +
                           std::to_string(size) + "/tgv_snapshot_0000.h5";
  io::FieldFileReader file(MPI_COMM_WORLD, path);
  EXPECT_EQ(file.real_attribute("time"), 0.0);
  EXPECT_NE(file.string_attribute("velocity_location").find("lower face"), std::string::npos);
  Decomposition decomp(MPI_COMM_WORLD, 3, {32, 32, 32});
  const auto u = file.read_field("velocity_x", decomp);
  const auto p = file.read_field("pressure", decomp);
  const double h = 2 * M_PI / 32;
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  double velocity_error = 0, sums[2] = {0, 0};
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i) {
        const size_t n = (size_t(k) * count[1] + j) * count[0] + i;
        const double x = (start[0] + i) * h, y = (start[1] + j + 0.5) * h,
                     z = (start[2] + k + 0.5) * h;
        velocity_error =
            std::max(velocity_error, std::abs(u[n] - std::sin(x) * std::cos(y) * std::cos(z)));
        const double xc = x + 0.5 * h;
        const double exact = (std::cos(2 * xc) + std::cos(2 * y)) * (std::cos(2 * z) + 2) / 16;
        sums[0] += (p[n] - exact) * (p[n] - exact);
        sums[1] += exact * exact;
      }
  MPI_Allreduce(MPI_IN_PLACE, &velocity_error, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  const double pressure_error = std::sqrt(sums[0] / sums[1]);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    std::printf("TGV snapshot 0, 32^3: velocity max error %.2e, pressure relative L2 %.3e\n",
                velocity_error, pressure_error);
  EXPECT_LE(velocity_error, 1e-9);
  // The velocity vector at the cell centres, the grid's points: each component the mean of its
  // cell's two faces, (sin x_i + sin x_(i+1))/2 cos y_c cos z_c for u, and w = 0.
  const auto centred = file.read_vector_field("velocity", decomp);
  double centre_error = 0;
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i) {
        const size_t n = (size_t(k) * count[1] + j) * count[0] + i;
        const double x = (start[0] + i) * h, xc = x + 0.5 * h, yc = (start[1] + j + 0.5) * h,
                     zc = (start[2] + k + 0.5) * h;
        const double u = 0.5 * (std::sin(x) + std::sin(x + h)) * std::cos(yc) * std::cos(zc);
        const double v =
            -0.5 * std::cos(xc) * (std::sin(yc - 0.5 * h) + std::sin(yc + 0.5 * h)) * std::cos(zc);
        centre_error = std::max({centre_error, std::abs(centred[3 * n] - u),
                                 std::abs(centred[3 * n + 1] - v), std::abs(centred[3 * n + 2])});
      }
  MPI_Allreduce(MPI_IN_PLACE, &centre_error, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_LE(centre_error, 1e-9);
  EXPECT_EQ(file.dataset_string_attribute("velocity", "units"), "length/time");
  EXPECT_EQ(file.dataset_string_attribute("velocity_x", "units"), "length/time");
  EXPECT_EQ(file.string_attribute("grid_units"), "length");
  // Second order in h: measured 9.6e-3 at 32³ (the discrete Δ_h p = ∇_h·F(u) vs the PDE's).
  EXPECT_LE(pressure_error, 1.2e-2);
}

}  // namespace
