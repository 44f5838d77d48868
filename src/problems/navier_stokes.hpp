#pragma once
// Steady incompressible Navier–Stokes PINNs: a network (x, y) -> (u, v, p) trained on the momentum
// and continuity residuals (pinn::SteadyNavierStokesResidual) with the velocity given on the whole
// boundary, for two flows:
//   -pinn_problem kovasznay           Kovasznay flow, compared with the exact solution;
//   -pinn_problem lid_driven_cavity   the unit cavity, compared with the PETSc steady cavity
//                                     (solvers/cavity_reference.hpp) on the same Decomposition,
//                                     each component on its own MAC points.
// Errors are relative L2 over the comparison grid, of u, v, the velocity vector and the pressure
// up to its mean.
#include <array>
#include <string>
#include <vector>

#include "physics/kovasznay.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "problems/problem.hpp"
#include "solvers/cavity_reference.hpp"

namespace tessera::problems {

struct KovasznayConfig final : ProblemConfig {
  physics::Kovasznay kovasznay;    // Re 40 (NSFnets, Jin et al. 2021)
  int grid_x = 151, grid_y = 201;  // comparison grid, h = 0.01

  KovasznayConfig() : ProblemConfig("kovasznay") {}
  /// The Kovasznay block (-kovasznay_*).
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);
  std::vector<double> lower() const override;
  std::vector<double> upper() const override;
  std::array<int, 3> grid_points() const override { return {grid_x, grid_y, 1}; }
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

struct CavityConfig final : ProblemConfig {
  physics::LidDrivenCavity cavity;  // Re 100, regularised lid
  int cells = 64;                   // PETSc cells per direction = comparison grid
  solvers::CavitySteadyConfig steady;

  CavityConfig() : ProblemConfig("lid_driven_cavity") {}
  /// The cavity block (-cavity_*) and its reference's options.
  static std::shared_ptr<const ProblemConfig> read(Options& options, const std::string& name);
  std::vector<double> lower() const override { return {0.0, 0.0}; }
  std::vector<double> upper() const override { return {1.0, 1.0}; }
  std::array<int, 3> grid_points() const override { return {cells, cells, 1}; }
  std::unique_ptr<Problem> make(MPI_Comm comm,
                                const std::array<int, 3>& process_grid) const override;
};

/// A velocity-pressure field on this rank's comparison points.
struct FlowField {
  std::vector<double> u, v, p;
};

/// Relative L2 errors of a flow against a reference over the global comparison grid.
struct FlowErrors {
  double u = 0, v = 0;
  double velocity = 0;  // of the vector (u, v): sqrt(sum |du|² / sum |u|²)
  double pressure = 0;  // both pressures with their global mean removed (the gauges differ)
};

/// Collective over comm. The errors of flow against reference, both on the same points.
FlowErrors flow_errors(MPI_Comm comm, const FlowField& flow, const FlowField& reference);

/// This rank's comparison points (x, y) of the cavity for output k of (u, v, p) on decomp's cells
/// of the unit square: the u faces (i h, (j + 1/2) h), the v faces, or the cell centres, laid out
/// as IncompressibleSolver::local_velocity() (x fastest). Not collective.
std::array<std::vector<double>, 2> cavity_points(const Decomposition& decomp, int output);

/// What the two flows share: the training points, the comparison and its fields.
class NavierStokesProblem : public Problem {
public:
  bool time_dependent() const override { return false; }
  /// The interior and the boundary (u and v given there), with the flow's pressure points.
  TrainingPoints training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
  /// u, v and p at their points.
  std::vector<Coordinates> comparison_points() const override;
  ProblemComparison compare(const Sampler& sample, const std::string& label) override;

protected:
  /// Collective over comm: the comparison grid (see Problem).
  NavierStokesProblem(MPI_Comm comm, const ProblemConfig& config,
                      const std::array<int, 3>& process_grid)
      : Problem(comm, config, process_grid), lower_(config.lower()), upper_(config.upper()) {}

  /// Collective. This rank's points where p is given (none: its constant is free).
  virtual nn::Matrix pressure_points(MPI_Comm comm, const pinn::PointSetConfig& p) const = 0;

  FlowField reference_;                                    // at comparison_points()
  std::array<std::vector<double>, 2> reference_velocity_;  // (u, v) at grid_points()
  std::array<double, 3> origin_{0, 0, 0}, spacing_{1, 1, 1};
  std::string reference_name_;  // "exact" or "reference": the suffix of its fields
  std::string versus_;          // "the exact solution": what the summary compares with
  std::string staggering_;      // where the components lie, if not on the grid's points

private:
  std::vector<double> lower_, upper_;  // the box
};

class KovasznayProblem final : public NavierStokesProblem {
public:
  /// Collective over comm: the comparison grid (see Problem).
  KovasznayProblem(MPI_Comm comm, const KovasznayConfig& config,
                   const std::array<int, 3>& process_grid);
  std::string description() const override;
  Coordinates grid_points() const override;
  Residual residual() const override {
    return pinn::SteadyNavierStokesResidual<physics::Kovasznay>{config_.kovasznay};
  }
  /// The exact flow at the grid's points.
  void solve_reference() override;

private:
  KovasznayConfig config_;

  /// p = (1 - e^{2λ})/2 on the outlet x = 1.
  nn::Matrix pressure_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
};

class CavityProblem final : public NavierStokesProblem {
public:
  /// Collective over comm: the comparison grid of the cavity's cells (see Problem).
  CavityProblem(MPI_Comm comm, const CavityConfig& config, const std::array<int, 3>& process_grid);
  std::string description() const override;
  /// The cells' centres.
  Coordinates grid_points() const override;
  Residual residual() const override {
    return pinn::SteadyNavierStokesResidual<physics::LidDrivenCavity>{config_.cavity};
  }
  std::vector<Coordinates> comparison_points() const override;
  /// Collective: the PETSc cavity run to its steady state, logged.
  void solve_reference() override;

private:
  CavityConfig config_;

  /// None: p enters the residuals through its gradient only, so its constant is free; the
  /// comparison removes both means.
  nn::Matrix pressure_points(MPI_Comm, const pinn::PointSetConfig&) const override { return {}; }
};

}  // namespace tessera::problems
