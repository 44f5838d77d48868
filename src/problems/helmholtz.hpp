#pragma once
// Helmholtz on (x, y) in [-1, 1]² (-pinn_problem helmholtz, physics/helmholtz.hpp): u = the exact
// mode on the boundary; a PETSc solve of the 5-point discretisation is the reference, and the
// exact mode is compared too.
#include <memory>

#include "problems/box_problem.hpp"

namespace tessera::problems {

class HelmholtzProblem final : public BoxProblem {
public:
  /// Collective over comm: the comparison grid (see Problem); assembles the PETSc reference and
  /// reads its options (solvers::HelmholtzReference).
  HelmholtzProblem(MPI_Comm comm, const ProblemConfig& config,
                   const std::array<int, 3>& process_grid);

  bool time_dependent() const override { return false; }
  Residual residual() const override { return pinn::HelmholtzResidual{problem_}; }
  /// Collective: the PETSc solve.
  std::vector<double> reference() override;
  std::vector<double> exact() const override;
  std::string reference_source() const override { return "PETSc"; }

  static constexpr solvers::SpaceTimeBox kBox{-1.0, 1.0, -1.0, 1.0, false};

private:
  physics::Helmholtz2D problem_;
  solvers::HelmholtzReference reference_;
};

}  // namespace tessera::problems
