#pragma once
// Viscous Burgers on (x, t) in [-1, 1] x [0, 1] (-pinn_problem burgers, physics/burgers.hpp):
// u = 0 on x = ±1, u(x, 0) = -sin(πx); its exact Cole–Hopf solution is the reference.
#include "problems/box_problem.hpp"

namespace tessera::problems {

class BurgersProblem final : public BoxProblem {
public:
  /// Collective over comm: the comparison grid (see Problem).
  BurgersProblem(MPI_Comm comm, const ProblemConfig& config,
                 const std::array<int, 3>& process_grid);

  bool time_dependent() const override { return true; }
  Residual residual() const override { return pinn::BurgersResidual{problem_}; }
  /// Not collective: the Cole–Hopf solution at this rank's points.
  std::vector<double> reference() override { return reference_.local_solution(); }
  std::string reference_source() const override { return "Cole-Hopf, exact"; }

private:
  physics::Burgers1D problem_;
  solvers::BurgersReference reference_;
};

}  // namespace tessera::problems
