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

class BoxProblem : public Problem {
public:
  /// The box of problem `name` (burgers, helmholtz or allen_cahn).
  static solvers::SpaceTimeBox box(const std::string& name);

  /// "PINN for burgers".
  std::string description() const override { return "PINN for " + config_.name; }
  /// Space-time: the interior, t = t0 and the sides x = x0, x1 (the condition the subdomain
  /// learners hold there, problems/domain_conditions.hpp); space: the interior and the boundary.
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
  BoxProblem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid)
      : Problem(comm, config, process_grid), box_(box(config.name)) {}

  solvers::SpaceTimeBox box_;

private:
  std::vector<double> reference_;  // of solve_reference()
};

}  // namespace tessera::problems
