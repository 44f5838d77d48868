#pragma once
// Viscous Burgers on (x, t) in [-1, 1] x [0, 1] (-pinn_problem burgers, physics/burgers.hpp):
// u = 0 on x = ±1, u(x, 0) = -sin(πx); its exact Cole–Hopf solution is the reference.
#include "physics/burgers.hpp"
#include "problems/box_problem.hpp"
#include "solvers/burgers_reference.hpp"

namespace tessera::problems {

struct BurgersConfig final : SpaceTimeConfig {
  physics::Burgers1D burgers;
  solvers::BurgersReferenceConfig reference;

  BurgersConfig() : SpaceTimeConfig("burgers") {}
  /// The Burgers block (-burgers_*), its reference's options and the comparison grid.
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);
  solvers::SpaceTimeBox box() const override { return solvers::BurgersReference::box; }
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

class BurgersProblem final : public BoxProblem {
public:
  /// Collective over comm: the comparison grid (see Problem).
  BurgersProblem(MPI_Comm comm, const BurgersConfig& config,
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
