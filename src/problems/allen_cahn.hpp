#pragma once
// Allen–Cahn on (x, t) in [-1, 1] x [0, 1], periodic in x (-pinn_problem allen_cahn,
// physics/allen_cahn.hpp): u(x, 0) = x² cos(πx), and one network holds u_x = 0 on x = ±1
// (pinn::AllenCahnResidual says why); the reference is a PETSc TS integration on a 1D DMDA.
#include "physics/allen_cahn.hpp"
#include "problems/box_problem.hpp"
#include "solvers/allen_cahn_reference.hpp"

namespace tessera::problems {

struct AllenCahnConfig final : SpaceTimeConfig {
  physics::AllenCahn1D allen_cahn;
  solvers::AllenCahnReferenceConfig reference;

  AllenCahnConfig() : SpaceTimeConfig("allen_cahn") {}
  /// The Allen-Cahn block (-allen_cahn_*), its reference's options and the comparison grid.
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);
  solvers::SpaceTimeBox box() const override { return solvers::AllenCahnReference::box; }
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

class AllenCahnProblem final : public BoxProblem {
public:
  /// Collective over comm: the comparison grid (see Problem); throws tessera::Error naming
  /// -allen_cahn_reference_points if the reference grid does not refine the comparison grid's x
  /// points.
  AllenCahnProblem(MPI_Comm comm, const AllenCahnConfig& config,
                   const std::array<int, 3>& process_grid);

  bool time_dependent() const override { return true; }
  Residual residual() const override { return pinn::AllenCahnResidual{problem_}; }
  /// Collective: integrates to the end of this rank's time range.
  std::vector<double> reference() override { return reference_.local_solution(); }
  std::string reference_source() const override { return "PETSc TS"; }

private:
  physics::AllenCahn1D problem_;
  solvers::AllenCahnReference reference_;
};

}  // namespace tessera::problems
