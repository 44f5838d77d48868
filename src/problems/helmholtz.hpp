#pragma once
// Helmholtz on (x, y) in [-1, 1]² (-pinn_problem helmholtz, physics/helmholtz.hpp): u = the exact
// mode on the boundary; a PETSc solve of the 5-point discretisation is the reference, and the
// exact mode is compared too.
#include <memory>

#include "problems/box_problem.hpp"

namespace tessera::problems {

class HelmholtzProblem final : public BoxProblem {
public:
  /// Collective over decomp's communicator. decomp must be the 2D decomposition of the
  /// comparison grid (config.helmholtz_reference.points per direction) and outlive the problem;
  /// assembles the PETSc reference and reads its options (solvers::HelmholtzReference).
  HelmholtzProblem(const BoxProblemConfig& config, const Decomposition& decomp);

  bool time_dependent() const override { return false; }
  Residual residual() const override { return pinn::HelmholtzResidual{problem_}; }
  /// Collective: the PETSc solve.
  std::vector<double> reference() override;
  std::vector<double> exact() const override;
  std::string reference_source() const override { return "PETSc"; }

  static constexpr solvers::SpaceTimeBox kBox{-1.0, 1.0, -1.0, 1.0, false};

private:
  const Decomposition& decomp_;
  physics::Helmholtz2D problem_;
  solvers::HelmholtzReference reference_;
};

}  // namespace tessera::problems
