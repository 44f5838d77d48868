#pragma once
// A scalar PINN problem on a 2D box, space-time (x, t) or space (x, y), compared with its
// reference on a uniform grid over the box (-pinn_problem burgers, helmholtz, allen_cahn): what
// they share (the points one network trains on, the comparison grid and the comparison); each
// problem gives its residual, its reference on the comparison grid and its exact solution where
// it has one: problems/burgers.hpp, helmholtz.hpp, allen_cahn.hpp.
#include <string>
#include <vector>

#include "problems/problem.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera::problems {

/// The options of a problem on a 2D box: the box is its own.
struct BoxConfig : ProblemConfig {
  virtual solvers::SpaceTimeBox box() const = 0;
  std::vector<double> lower() const override;
  std::vector<double> upper() const override;

protected:
  using ProblemConfig::ProblemConfig;
};

/// A box problem in (x, t) compared on a grid of its own size (-pde_grid_x, -pde_grid_t).
struct SpaceTimeConfig : BoxConfig {
  int grid_x = 256, grid_t = 101;
  std::array<int, 3> grid_points() const override { return {grid_x, grid_t, 1}; }

protected:
  using BoxConfig::BoxConfig;
  /// Reads -pde_grid_x and -pde_grid_t. Not collective.
  void read_grid(Options& options);
};

class BoxProblem : public Problem {
public:
  /// The box of the network's inputs.
  const solvers::SpaceTimeBox& box() const { return box_; }

  /// "PINN for burgers".
  std::string description() const override { return "PINN for " + name(); }
  /// Space-time: the interior, t = t0 and the sides x = x0, x1 (the condition the subdomain
  /// learners hold there, problems::domain_conditions); space: the interior and the boundary.
  TrainingPoints training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
  Coordinates grid_points() const override;
  /// Collective: reference() (its solve, where it has one).
  void solve_reference() override { reference_ = reference(); }
  ProblemComparison compare(const Sampler& sample, const std::string& label) override;

  /// Collective over the decomposition's communicator. This rank's block of the reference on the
  /// comparison grid over the box, x fastest (solvers/space_time_block.hpp), solved here.
  virtual std::vector<double> reference() = 0;
  /// Not collective. This rank's block of the exact solution on the comparison grid; empty where
  /// the problem has none, or where the exact solution is the reference.
  virtual std::vector<double> exact() const { return {}; }
  /// Where the reference comes from, for the summary: "Cole-Hopf, exact", "PETSc", "PETSc TS".
  virtual std::string reference_source() const = 0;

protected:
  /// Collective over comm: the comparison grid (see Problem).
  BoxProblem(MPI_Comm comm, const BoxConfig& config, const std::array<int, 3>& process_grid)
      : Problem(comm, config, process_grid), box_(config.box()) {}

  solvers::SpaceTimeBox box_;

private:
  std::vector<double> reference_;  // of solve_reference()
};

}  // namespace tessera::problems
