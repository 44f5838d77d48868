#pragma once
// A PINN problem of the registry (problems/registry.hpp), what the one PINN run
// (run/pinn_run.hpp) asks of it whatever the learner: its residual and box, the points and
// conditions one network trains on, the comparison grid on a Decomposition (aligned with the
// subdomains' process grid for the subdomain learners), its reference solved on that grid, and
// the comparison of a learned solution with the reference: the fields, errors and summary lines
// of the one result writer. Each problem is its own class:
//   problems/poisson.hpp        poisson1d, poisson2d, poisson3d (PETSc reference in 2D and 3D)
//   problems/box_problem.hpp    the scalar problems on a 2D box: burgers.hpp, helmholtz.hpp,
//                               allen_cahn.hpp
//   problems/navier_stokes.hpp  kovasznay, lid_driven_cavity
//   problems/heat3d.hpp         heat3d
// ProblemConfig holds the options of the selected problem only, read only when it is selected.
#include <mpi.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/decomposition.hpp"
#include "physics/allen_cahn.hpp"
#include "physics/burgers.hpp"
#include "physics/heat.hpp"
#include "physics/helmholtz.hpp"
#include "physics/kovasznay.hpp"
#include "physics/lid_driven_cavity.hpp"
#include "physics/poisson_problem.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "problems/residual.hpp"
#include "solvers/allen_cahn_reference.hpp"
#include "solvers/burgers_reference.hpp"
#include "solvers/cavity_reference.hpp"
#include "solvers/heat_reference.hpp"
#include "solvers/helmholtz_reference.hpp"
#include "solvers/poisson3d_reference.hpp"
#include "solvers/poisson_reference.hpp"

namespace tessera {
class Options;
}
namespace tessera::io {
class FieldFile;
}

namespace tessera::problems {

/// Points as one coordinate list per network input, all of the same length.
using Coordinates = std::vector<std::vector<double>>;

/// Output `output` of a learned solution at this rank's points (Learner::sample). Collective.
using Sampler = std::function<std::vector<double>(const Coordinates& points, int output)>;

/// What one network trains on: this rank's interior points and its conditions.
struct TrainingPoints {
  nn::Matrix interior;
  std::vector<pinn::ConditionPoints> conditions;
};

/// An attribute of a result file.
struct ResultAttribute {
  std::string name;
  std::variant<int, double, std::string> value;
};

/// A learned solution compared with the problem's reference on its comparison grid: what the
/// result file holds beside what every PINN result holds (run/pinn_result.hpp), in write order.
struct ProblemComparison {
  std::array<double, 3> origin{0, 0, 0}, spacing{1, 1, 1};  // of the result's uniform grid
  std::vector<std::pair<std::string, std::vector<double>>> fields;
  std::vector<std::pair<std::string, std::array<std::vector<double>, 2>>> vectors;  // 2D
  std::vector<ResultAttribute> attributes;
  std::string summary;  // the error lines of the run's summary, each ending in a newline
  // The headline errors (PinnOutcome's): 0 where the problem has no such comparison.
  double pinn_vs_exact = 0, reference_vs_exact = 0, pinn_vs_reference = 0;
};

/// The options of the selected problem: its physics block, its reference's, its comparison grid.
struct ProblemConfig {
  std::string name = "poisson2d";                     // a registry entry's name
  physics::PoissonProblem poisson;                    // poisson1d, 2d, 3d: of dimension inputs()
  solvers::PoissonReferenceConfig poisson_reference;  // 2D; in 1D only its points
  solvers::Poisson3DReferenceConfig poisson3d_reference;
  physics::Burgers1D burgers;
  solvers::BurgersReferenceConfig burgers_reference;
  physics::Helmholtz2D helmholtz;
  solvers::HelmholtzReferenceConfig helmholtz_reference;
  physics::AllenCahn1D allen_cahn;
  solvers::AllenCahnReferenceConfig allen_cahn_reference;
  int grid_x = 256, grid_t = 101;  // Burgers' and Allen–Cahn's comparison grid over (x, t)
  physics::Heat3D heat3d;
  double heat_final_time = 1.0;  // T: the network's time input spans [0, T]
  solvers::HeatReferenceConfig heat_reference;
  physics::Kovasznay kovasznay;                        // Re 40 (NSFnets, Jin et al. 2021)
  int kovasznay_grid_x = 151, kovasznay_grid_y = 201;  // comparison grid, h = 0.01
  physics::LidDrivenCavity cavity;                     // Re 100, regularised lid
  int cavity_cells = 64;  // PETSc cells per direction = comparison grid
  solvers::CavitySteadyConfig cavity_steady;

  /// Declares and reads the options of problem `name` only (a key of another problem's block
  /// stays unknown). Not collective.
  static ProblemConfig from_options(Options& options, const std::string& name);

  /// Network inputs (space, then time) and outputs: the registry's.
  int inputs() const { return find_problem(name).inputs; }
  int outputs() const { return find_problem(name).outputs; }
  /// The box of the network's inputs: its lower and upper corners, one entry per input.
  std::vector<double> lower() const;
  std::vector<double> upper() const;
  /// The dimension of the comparison grid: the inputs' without time (space-time: its plane).
  int grid_dim() const;
  /// Points per direction of the comparison grid (1 beyond its dimension).
  std::array<int, 3> grid_points() const;
  /// The comparison grid in messages: its option for the Poisson problems ("-reference_points =
  /// 33"), its size otherwise ("the 256 x 101 comparison grid of <problem_flag>", problem_flag as
  /// the deck selected the problem: "-pinn_problem burgers").
  std::string grid_name(const std::string& problem_flag) const;
};

class Problem {
public:
  virtual ~Problem();
  Problem(const Problem&) = delete;
  Problem& operator=(const Problem&) = delete;

  /// What the run's first log line says of the problem: "2D Poisson, k = 4", "PINN for burgers".
  virtual std::string description() const = 0;
  /// The last input is time (an initial value at its lower end, the upper end free).
  virtual bool time_dependent() const = 0;
  /// The residual the learners train on.
  virtual Residual residual() const = 0;
  /// Collective over comm. This rank's points and conditions for one network over the box, drawn
  /// from p's counts and seed.
  virtual TrainingPoints training_points(MPI_Comm comm, const pinn::PointSetConfig& p) const = 0;

  /// The decomposition of the comparison grid.
  const Decomposition& decomposition() const { return decomp_; }
  /// This rank's points of the result file's grid, one list per spatial (or space-time) axis of
  /// the grid. Not collective.
  virtual Coordinates grid_points() const = 0;
  /// This rank's points where the learned solution is compared, of every output that has its own
  /// (the cavity's staggered components); the grid's points otherwise. Not collective.
  virtual std::vector<Coordinates> comparison_points() const { return {grid_points()}; }

  /// Collective. Solves the reference on the comparison grid (before training, so a solve that
  /// fails stops the run before the training's hours).
  virtual void solve_reference() = 0;
  /// Collective. Samples the learned solution on the comparison grid and compares it with the
  /// reference (and the exact solution where there is one); label names the learned solution in
  /// the summary ("PINN", "FBPINN").
  virtual ProblemComparison compare(const Sampler& sample, const std::string& label) = 0;

protected:
  /// Collective over comm. The comparison grid of config (its grid_points()) over process_grid
  /// ({0, 0, 0}: PETSc's choice).
  Problem(MPI_Comm comm, const ProblemConfig& config, const std::array<int, 3>& process_grid);

  /// This rank's block of the comparison grid's points on the unit box, x fastest, one list per
  /// dimension of the grid: coordinate d of global index i is coordinate(i, n_d), n_d points
  /// along d (each problem computes it as its reference does, to the last bit). Not collective.
  Coordinates unit_box_points(double (*coordinate)(int i, int n)) const;

  ProblemConfig config_;
  Decomposition decomp_;
};

/// Collective over comm. The problem of config.name, its comparison grid over process_grid (the
/// subdomain learners': each rank compares its own subdomains; {0, 0, 0}: PETSc's choice) and its
/// reference set up (a PETSc solver reads its options, a grid is checked): an InputError or
/// tessera::Error on every rank if it does not fit. Touches no file.
std::unique_ptr<Problem> make_problem(MPI_Comm comm, const ProblemConfig& config,
                                      const std::array<int, 3>& process_grid = {0, 0, 0});

/// poisson1d, poisson2d, poisson3d: the problems of PoissonProblem.
inline bool is_poisson(const std::string& name) { return name.rfind("poisson", 0) == 0; }

/// Collective over comm. ||a - b|| / ||b|| over the union of every rank's a and b.
double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b);

/// a - b, entry by entry. Not collective.
std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace tessera::problems
