// The box problems of run: pinn (problems/box_problem.hpp) as the PINN run sees them: each one's
// residual and side condition (that of the subdomain learners and of one network's points), and its
// reference on the comparison grid of its box, whatever the ranks: the Burgers and Allen–Cahn
// references hold their initial values at t = 0, the Helmholtz PETSc reference converges to the
// exact mode at second order, and the grid lies on the box.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <variant>
#include <vector>

#include "core/decomposition.hpp"
#include "core/log.hpp"
#include "problems/allen_cahn.hpp"
#include "problems/burgers.hpp"
#include "problems/helmholtz.hpp"
#include "problems/registry.hpp"

namespace {

using tessera::problems::BoxProblem;
using tessera::problems::ProblemConfig;

// A space-time problem's options on a small comparison grid.
template <class Config>
Config config_of() {
  Config c;
  c.grid_x = 64;  // divides the Allen–Cahn reference's 512 points
  c.grid_t = 11;
  return c;
}

// The box problem of config on its comparison grid over every rank.
std::unique_ptr<BoxProblem> make_box_problem(const ProblemConfig& config) {
  auto problem = config.make(MPI_COMM_WORLD, {0, 0, 0});
  return std::unique_ptr<BoxProblem>(dynamic_cast<BoxProblem*>(problem.release()));
}

// The condition one network holds on the sides x = x0, x1: the training points' "boundary" set.
int side_derivative(const BoxProblem& problem) {
  tessera::pinn::PointSetConfig points;
  points.interior_points = 64;
  points.boundary_points = 16;
  const auto training = problem.training_points(MPI_COMM_WORLD, points);
  EXPECT_EQ(training.conditions.size(), 2u);
  EXPECT_EQ(training.conditions.back().name, "boundary");
  return training.conditions.back().derivative;
}

// The largest |reference - initial(x)| over this rank's points at t = t0, over every rank.
template <class Initial>
double initial_row_error(const BoxProblem& problem, const std::vector<double>& reference,
                         const Initial& initial) {
  const auto& decomp = problem.decomposition();
  const auto box = problem.box();
  const auto xs =
      tessera::solvers::sample_space_time_block(decomp, box, [](double x, double) { return x; });
  const auto ts =
      tessera::solvers::sample_space_time_block(decomp, box, [](double, double t) { return t; });
  double worst = 0;
  for (size_t k = 0; k < xs.size(); ++k)
    if (ts[k] == box.t0) worst = std::max(worst, std::abs(reference[k] - initial(xs[k])));
  MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_DOUBLE, MPI_MAX, decomp.comm());
  return worst;
}

TEST(BoxProblem, BurgersReferenceStartsAtItsInitialValue) {
  const auto problem = make_box_problem(config_of<tessera::problems::BurgersConfig>());
  EXPECT_TRUE(problem->time_dependent());
  EXPECT_EQ(tessera::problems::domain_conditions("burgers")[0].front().derivative, -1);  // u = 0
  EXPECT_EQ(side_derivative(*problem), -1);
  EXPECT_TRUE(std::holds_alternative<tessera::pinn::BurgersResidual>(problem->residual()));
  EXPECT_TRUE(problem->exact().empty());  // the reference is the exact solution
  const auto reference = problem->reference();
  EXPECT_LT(initial_row_error(*problem, reference, [](double x) { return -std::sin(M_PI * x); }),
            1e-12);
}

TEST(BoxProblem, AllenCahnReferenceStartsAtItsInitialValue) {
  const auto problem = make_box_problem(config_of<tessera::problems::AllenCahnConfig>());
  EXPECT_TRUE(problem->time_dependent());
  EXPECT_EQ(tessera::problems::domain_conditions("allen_cahn")[0].front().derivative, 0);  // u_x
  EXPECT_EQ(side_derivative(*problem), 0);
  EXPECT_TRUE(std::holds_alternative<tessera::pinn::AllenCahnResidual>(problem->residual()));
  const auto reference = problem->reference();
  EXPECT_LT(
      initial_row_error(*problem, reference, [](double x) { return x * x * std::cos(M_PI * x); }),
      1e-14);
}

// Relative L2 of the Helmholtz reference against the exact mode on an n x n grid.
double helmholtz_error(int n) {
  tessera::problems::HelmholtzConfig config;
  config.reference.points = n;
  const auto problem = make_box_problem(config);
  EXPECT_EQ(problem->decomposition().global_points()[0], n);
  EXPECT_FALSE(problem->time_dependent());
  EXPECT_TRUE(std::holds_alternative<tessera::pinn::HelmholtzResidual>(problem->residual()));
  const auto reference = problem->reference();
  const auto exact = problem->exact();
  EXPECT_EQ(reference.size(), exact.size());
  return tessera::problems::relative_l2(MPI_COMM_WORLD, reference, exact);
}

TEST(BoxProblem, HelmholtzReferenceConvergesToTheExactModeAtSecondOrder) {
  const double coarse = helmholtz_error(33), fine = helmholtz_error(65);
  tessera::print_root("Helmholtz reference vs exact: " + std::to_string(coarse) + " (33^2), " +
                      std::to_string(fine) + " (65^2), order " +
                      std::to_string(std::log2(coarse / fine)));
  EXPECT_NEAR(std::log2(coarse / fine), 2.0, 0.1);
}

}  // namespace
