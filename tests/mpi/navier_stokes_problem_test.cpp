// The comparison of the Navier–Stokes PINN runs (problems/navier_stokes.hpp): the errors of a flow
// against a reference (exact Kovasznay fields against themselves, a known perturbation, a pressure
// that differs by a constant), and the cavity's comparison points lying where the PETSc
// reference's MAC grid holds each component, at every rank count.
#include <gtest/gtest.h>

#include <cmath>

#include "core/decomposition.hpp"
#include "physics/kovasznay.hpp"
#include "problems/navier_stokes.hpp"
#include "solvers/incompressible.hpp"
#include "solvers/space_time_block.hpp"

namespace {

using tessera::Decomposition;
using tessera::physics::Kovasznay;
using tessera::problems::FlowField;

// This rank's exact Kovasznay fields on a grid over the standard box.
FlowField kovasznay_block(const Decomposition& decomp, const Kovasznay& flow) {
  const tessera::solvers::SpaceTimeBox box{Kovasznay::x_min, Kovasznay::x_max, Kovasznay::y_min,
                                           Kovasznay::y_max, false};
  FlowField f;
  f.u = tessera::solvers::sample_space_time_block(
      decomp, box, [&](double x, double y) { return flow.velocity_x(x, y); });
  f.v = tessera::solvers::sample_space_time_block(
      decomp, box, [&](double x, double y) { return flow.velocity_y(x, y); });
  f.p = tessera::solvers::sample_space_time_block(
      decomp, box, [&](double x, double y) { return flow.pressure(x, y); });
  return f;
}

double global_sum_of_squares(const std::vector<double>& a) {
  double s = 0;
  for (double x : a) s += x * x;
  MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return s;
}

TEST(FlowErrors, ExactKovasznayAgainstItselfIsZero) {
  const Decomposition decomp(MPI_COMM_WORLD, 2, {31, 41, 1});
  const auto exact = kovasznay_block(decomp, Kovasznay{40.0});
  const auto e = tessera::problems::flow_errors(MPI_COMM_WORLD, exact, exact);
  EXPECT_EQ(e.u, 0.0);
  EXPECT_EQ(e.v, 0.0);
  EXPECT_EQ(e.velocity, 0.0);
  EXPECT_EQ(e.pressure, 0.0);
}

// u scaled by 1.01 and p shifted by 3: u is off by 1%, v not at all, the velocity vector by
// 1% of |u|'s share of it, and the pressure not at all (the means are removed).
TEST(FlowErrors, ScaledVelocityAndShiftedPressure) {
  const Decomposition decomp(MPI_COMM_WORLD, 2, {31, 41, 1});
  const auto exact = kovasznay_block(decomp, Kovasznay{20.0});
  auto flow = exact;
  for (double& u : flow.u) u *= 1.01;
  for (double& p : flow.p) p += 3.0;
  const auto e = tessera::problems::flow_errors(MPI_COMM_WORLD, flow, exact);
  const double uu = global_sum_of_squares(exact.u), vv = global_sum_of_squares(exact.v);
  EXPECT_NEAR(e.u, 0.01, 1e-13);
  EXPECT_EQ(e.v, 0.0);
  EXPECT_NEAR(e.velocity, 0.01 * std::sqrt(uu / (uu + vv)), 1e-13);
  EXPECT_NEAR(e.pressure, 0.0, 1e-13);
}

// A field set on the PETSc cavity's faces (set_velocity at face_position) and read back through
// local_velocity() equals the same function at cavity_points(): the PINN is sampled where the
// reference lives, component by component. The functions vanish on the walls, where the solver
// holds zero normal velocity whatever it is given.
TEST(CavityPoints, MatchTheReferencesMacFaces) {
  const int n = 8;
  const Decomposition decomp(MPI_COMM_WORLD, 2, {n, n, 1});
  tessera::solvers::IncompressibleConfig config;
  config.dim = 2;
  config.cells = n;
  config.length = 1.0;
  config.boundary = tessera::solvers::Boundary::cavity;
  tessera::solvers::IncompressibleSolver solver(decomp, config);
  auto field = [](int c, double x, double y) {
    return c == 0 ? std::sin(M_PI * x) * (1 + y * y) : std::sin(M_PI * y) * (2 + x);
  };
  solver.set_velocity([&](int c, const std::array<double, 3>& x) { return field(c, x[0], x[1]); });
  for (int c = 0; c < 2; ++c) {
    const auto held = solver.local_velocity(c);
    const auto points = tessera::problems::cavity_points(decomp, c);
    ASSERT_EQ(points[0].size(), held.size());
    for (size_t k = 0; k < held.size(); ++k)
      EXPECT_NEAR(held[k], field(c, points[0][k], points[1][k]), 1e-14)
          << "component " << c << " at (" << points[0][k] << ", " << points[1][k] << ")";
  }
  const auto centres = tessera::problems::cavity_points(decomp, 2);
  const auto& s = decomp.local_start();
  EXPECT_DOUBLE_EQ(centres[0][0], (s[0] + 0.5) / n);
  EXPECT_DOUBLE_EQ(centres[1][0], (s[1] + 0.5) / n);
}

}  // namespace
