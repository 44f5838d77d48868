#pragma once
// The 3D heat equation on (x, y, z, t) over the unit cube and [0, T] (-pinn_problem heat3d,
// physics/heat.hpp): u = the exact mode at t = 0 and on the cube's faces; the reference is a PETSc
// Crank–Nicolson solve on the 3D comparison grid, and the learned solution is compared with it
// and with the exact solution at half the final time and at the final time.
#include <memory>
#include <string>
#include <vector>

#include "problems/problem.hpp"

namespace tessera::problems {

class Heat3DProblem final : public Problem {
public:
  /// Collective over comm: the 3D reference grid (see Problem) and the PETSc reference, which
  /// reads its options; throws tessera::Error if the grid does not suit it.
  Heat3DProblem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid);
  ~Heat3DProblem() override;

  std::string description() const override { return "PINN for heat3d"; }
  bool time_dependent() const override { return true; }
  Residual residual() const override { return pinn::Heat3DResidual{config_.heat3d}; }
  /// The interior, t = 0 and the cube's faces, t on [0, T].
  TrainingPoints training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
  /// x, y, z of this rank's block (t is the comparison's).
  Coordinates grid_points() const override;
  /// Collective: the reference advanced to T/2 and to T.
  void solve_reference() override;
  /// The errors of the summary and PinnOutcome are those at T.
  ProblemComparison compare(const Sampler& sample, const std::string& label) override;

private:
  std::unique_ptr<solvers::HeatReference> reference_;
  std::vector<std::vector<double>> solutions_;  // at times() of solve_reference()
  std::vector<double> times() const;
};

}  // namespace tessera::problems
