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
// Adding a problem: its ProblemConfig and Problem classes, one registry entry
// (problems/registry.cpp) naming them, and its residual's type in problems/residual.hpp if new.
#include <mpi.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/decomposition.hpp"
#include "nn/mlp.hpp"
#include "pinn/point_sets.hpp"
#include "pinn/trainer.hpp"
#include "problems/registry.hpp"
#include "problems/residual.hpp"

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

class Problem;

/// The options of the selected problem, read only when it is selected (its registry entry's
/// `read`), and what the run needs of them before a Problem exists: its box and comparison grid.
/// Each problem's own subclass holds its physics block and its reference's options, beside its
/// Problem class: PoissonConfig (problems/poisson.hpp), BurgersConfig, HelmholtzConfig,
/// AllenCahnConfig (burgers.hpp, ...), Heat3DConfig, KovasznayConfig, CavityConfig
/// (navier_stokes.hpp).
class ProblemConfig {
public:
  virtual ~ProblemConfig();

  /// Declares and reads the options of problem `name` only (a key of another problem's block
  /// stays unknown): its registry entry's reader. Problems are reported to options. Not
  /// collective.
  static std::shared_ptr<const ProblemConfig> from_options(Options& options,
                                                           const std::string& name);

  std::string name;  // a registry entry's name

  /// Network inputs (space, then time): the registry's.
  int inputs() const { return find_problem(name).inputs; }
  /// The box of the network's inputs: its lower and upper corners, one entry per input.
  virtual std::vector<double> lower() const = 0;
  virtual std::vector<double> upper() const = 0;
  /// The dimension of the comparison grid: the inputs' without time (space-time: its plane).
  virtual int grid_dim() const { return 2; }
  /// Points per direction of the comparison grid (1 beyond its dimension).
  virtual std::array<int, 3> grid_points() const = 0;
  /// The comparison grid in messages: its size ("the 256 x 101 comparison grid of
  /// <problem_flag>", problem_flag as the deck selected the problem: "-pinn_problem burgers"),
  /// or the option that sets it.
  virtual std::string grid_name(const std::string& problem_flag) const;
  /// Reports to options what of the network does not suit the problem (none by default).
  virtual void check_network(Options& options, const nn::MlpShape& network) const;

  /// Collective over comm. The problem, its comparison grid over process_grid (the subdomain
  /// learners': each rank compares its own subdomains; {0, 0, 0}: PETSc's choice) and its
  /// reference set up (a PETSc solver reads its options, a grid is checked): an InputError or
  /// tessera::Error on every rank if it does not fit. Touches no file.
  virtual std::unique_ptr<Problem> make(MPI_Comm comm,
                                        const std::array<int, 3>& process_grid) const = 0;

protected:
  explicit ProblemConfig(std::string problem_name) : name(std::move(problem_name)) {}
  ProblemConfig(const ProblemConfig&) = default;
  ProblemConfig& operator=(const ProblemConfig&) = default;
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

  /// The problem's own name in the registry.
  const std::string& name() const { return name_; }

  /// This rank's block of the comparison grid's points on the unit box, x fastest, one list per
  /// dimension of the grid: coordinate d of global index i is coordinate(i, n_d), n_d points
  /// along d (each problem computes it as its reference does, to the last bit). Not collective.
  Coordinates unit_box_points(double (*coordinate)(int i, int n)) const;

  Decomposition decomp_;

private:
  std::string name_;
};

/// poisson1d, poisson2d, poisson3d: the problems of PoissonProblem.
inline bool is_poisson(const std::string& name) { return name.rfind("poisson", 0) == 0; }

/// Collective over comm. ||a - b|| / ||b|| over the union of every rank's a and b.
double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b);

/// "  PINN vs exact       1.234e-02": a line of a comparison's summary (without its newline), the
/// name padded to 20 characters. Not collective.
std::string summary_row(const std::string& name, double value);

/// a - b, entry by entry. Not collective.
std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace tessera::problems
