#pragma once
// The Poisson problem in 1, 2 or 3 dimensions on the unit box (-pinn_problem poisson1d, poisson2d,
// poisson3d; physics/poisson_problem.hpp): u = the manufactured solution on the boundary; a PETSc
// solve is the reference (PoissonReference in 2D, Poisson3DReference in 3D; in 1D the exact
// solution stands for it), and the exact solution is compared too, on the reference's grid.
#include <memory>
#include <string>
#include <vector>

#include "physics/poisson_problem.hpp"
#include "problems/problem.hpp"
#include "solvers/poisson3d_reference.hpp"
#include "solvers/poisson_reference.hpp"

namespace tessera::problems {

struct PoissonConfig final : ProblemConfig {
  physics::PoissonProblem poisson;            // of dimension inputs()
  solvers::PoissonReferenceConfig reference;  // 2D; in 1D only its points
  solvers::Poisson3DReferenceConfig reference3d;

  /// name: poisson1d, poisson2d or poisson3d.
  explicit PoissonConfig(std::string name = "poisson2d") : ProblemConfig(std::move(name)) {}
  /// The problem of name's dimension and its reference's options (none but the comparison
  /// grid's points in 1D, where the exact solution stands for the reference).
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);

  std::vector<double> lower() const override { return std::vector<double>(inputs(), 0.0); }
  std::vector<double> upper() const override { return std::vector<double>(inputs(), 1.0); }
  int grid_dim() const override { return inputs(); }
  std::array<int, 3> grid_points() const override;
  /// "-reference_points = 33" (3D: -poisson3d_reference_points).
  std::string grid_name(const std::string& problem_flag) const override;
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

class PoissonProblem final : public Problem {
public:
  /// Collective over comm: the reference grid (see Problem) and the solver of the problem's
  /// dimension, which reads its PETSc options.
  PoissonProblem(MPI_Comm comm, const PoissonConfig& config,
                 const std::array<int, 3>& process_grid);
  ~PoissonProblem() override;

  /// "2D Poisson, k = 4", or the 3D multiscale mode.
  std::string description() const override;
  bool time_dependent() const override { return false; }
  Residual residual() const override;
  /// The unit square's own draws in 2D (the published figures' points), the box's faces
  /// otherwise.
  TrainingPoints training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
  Coordinates grid_points() const override;
  /// Collective: the PETSc solve, logged (the exact solution in 1D).
  void solve_reference() override;
  ProblemComparison compare(const Sampler& sample, const std::string& label) override;

private:
  PoissonConfig config_;

  int dim() const { return config_.poisson.dim; }
  double h() const { return 1.0 / (decomp_.global_points()[0] - 1); }
  /// The frequency k of the problem's sine mode (1 in 3D, where it is fixed).
  double frequency() const;
  /// The exact solution at this rank's grid points. Not collective.
  std::vector<double> exact() const;

  std::unique_ptr<solvers::PoissonReference> reference2d_;
  std::unique_ptr<solvers::Poisson3DReference> reference3d_;
  std::vector<double> reference_;  // of solve_reference()
  int iterations_ = 0;
  double seconds_ = 0;
};

}  // namespace tessera::problems
