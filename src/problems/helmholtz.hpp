#pragma once
// Helmholtz on (x, y) in [-1, 1]² (-pinn_problem helmholtz, physics/helmholtz.hpp): u = the exact
// mode on the boundary; a PETSc solve of the 5-point discretisation is the reference, and the
// exact mode is compared too.
#include <memory>

#include "physics/helmholtz.hpp"
#include "problems/box_problem.hpp"
#include "solvers/helmholtz_reference.hpp"

namespace tessera::problems {

struct HelmholtzConfig final : BoxConfig {
  physics::Helmholtz2D helmholtz;
  solvers::HelmholtzReferenceConfig reference;  // its points: the comparison grid's too

  HelmholtzConfig() : BoxConfig("helmholtz") {}
  /// The Helmholtz block (-helmholtz_*) and its reference's options.
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);
  solvers::SpaceTimeBox box() const override { return {-1.0, 1.0, -1.0, 1.0, false}; }
  std::array<int, 3> grid_points() const override {
    return {reference.points, reference.points, 1};
  }
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

class HelmholtzProblem final : public BoxProblem {
public:
  /// Collective over comm: the comparison grid (see Problem); assembles the PETSc reference and
  /// reads its options (solvers::HelmholtzReference).
  HelmholtzProblem(MPI_Comm comm, const HelmholtzConfig& config,
                   const std::array<int, 3>& process_grid);

  bool time_dependent() const override { return false; }
  Residual residual() const override { return pinn::HelmholtzResidual{problem_}; }
  /// Collective: the PETSc solve.
  std::vector<double> reference() override;
  std::vector<double> exact() const override;
  std::string reference_source() const override { return "PETSc"; }

private:
  physics::Helmholtz2D problem_;
  solvers::HelmholtzReference reference_;
};

}  // namespace tessera::problems
