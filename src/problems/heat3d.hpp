#pragma once
// The 3D heat equation on (x, y, z, t) over the unit cube and [0, T] (-pinn_problem heat3d,
// physics/heat.hpp): u = the exact mode at t = 0 and on the cube's faces; the reference is a PETSc
// Crank–Nicolson solve on the 3D comparison grid, and the learned solution is compared with it
// and with the exact solution at half the final time and at the final time.
#include <memory>
#include <string>
#include <vector>

#include "physics/heat.hpp"
#include "problems/problem.hpp"
#include "solvers/heat_reference.hpp"

namespace tessera::problems {

struct Heat3DConfig final : ProblemConfig {
  physics::Heat3D heat3d;
  double final_time = 1.0;  // T: the network's time input spans [0, T]
  solvers::HeatReferenceConfig reference;

  Heat3DConfig() : ProblemConfig("heat3d") {}
  /// The heat block (-heat_*) and its reference's options.
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);

  std::vector<double> lower() const override { return {0.0, 0.0, 0.0, 0.0}; }
  std::vector<double> upper() const override { return {1.0, 1.0, 1.0, final_time}; }
  int grid_dim() const override { return 3; }
  std::array<int, 3> grid_points() const override;
  /// -pinn_hard_boundary: its ansatz vanishes on every face of the box, t = 0 included.
  void check_network(Options& options, const nn::MlpShape& network) const override;
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

class Heat3DProblem final : public Problem {
public:
  /// Collective over comm: the 3D reference grid (see Problem) and the PETSc reference, which
  /// reads its options; throws tessera::Error if the grid does not suit it.
  Heat3DProblem(MPI_Comm comm, const Heat3DConfig& config, const std::array<int, 3>& process_grid);
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
  Heat3DConfig config_;
  std::unique_ptr<solvers::HeatReference> reference_;
  std::vector<std::vector<double>> solutions_;  // at times() of solve_reference()
  std::vector<double> times() const;
};

}  // namespace tessera::problems
