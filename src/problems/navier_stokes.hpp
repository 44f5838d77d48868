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

#include "problems/problem.hpp"

namespace tessera::problems {

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
  /// The points of the result grid: the cells' centres (the grid's points for Kovasznay).
  Coordinates grid_points() const override;
  /// u, v and p at their points.
  std::vector<Coordinates> comparison_points() const override;
  ProblemComparison compare(const Sampler& sample, const std::string& label) override;

protected:
  using Problem::Problem;

  /// Collective. This rank's points where p is given (none: its constant is free).
  virtual nn::Matrix pressure_points(MPI_Comm comm, const pinn::PointSetConfig& p) const = 0;

  FlowField reference_;                                    // at comparison_points()
  std::array<std::vector<double>, 2> reference_velocity_;  // (u, v) at grid_points()
  std::array<double, 3> origin_{0, 0, 0}, spacing_{1, 1, 1};
  std::string reference_name_;  // "exact" or "reference": the suffix of its fields
  std::string versus_;          // "the exact solution": what the summary compares with
};

class KovasznayProblem final : public NavierStokesProblem {
public:
  /// Collective over comm: the comparison grid (see Problem).
  KovasznayProblem(MPI_Comm comm, const ProblemConfig& config,
                   const std::array<int, 3>& process_grid);
  std::string description() const override;
  Residual residual() const override {
    return pinn::SteadyNavierStokesResidual<physics::Kovasznay>{config_.kovasznay};
  }
  /// The exact flow at the grid's points.
  void solve_reference() override;

private:
  /// p = (1 - e^{2λ})/2 on the outlet x = 1.
  nn::Matrix pressure_points(MPI_Comm comm, const pinn::PointSetConfig& p) const override;
};

class CavityProblem final : public NavierStokesProblem {
public:
  /// Collective over comm: the comparison grid of the cavity's cells (see Problem).
  CavityProblem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid);
  std::string description() const override;
  Residual residual() const override {
    return pinn::SteadyNavierStokesResidual<physics::LidDrivenCavity>{config_.cavity};
  }
  std::vector<Coordinates> comparison_points() const override;
  /// Collective: the PETSc cavity run to its steady state, logged.
  void solve_reference() override;

private:
  /// None: p enters the residuals through its gradient only, so its constant is free; the
  /// comparison removes both means.
  nn::Matrix pressure_points(MPI_Comm, const pinn::PointSetConfig&) const override { return {}; }
};

}  // namespace tessera::problems
