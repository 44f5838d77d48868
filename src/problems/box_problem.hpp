#pragma once
// A scalar PINN problem on a 2D box, space-time (x, t) or space (x, y), whose learned solution is
// compared with its reference on a grid over the box (-pinn_problem burgers, helmholtz,
// allen_cahn): what the PINN run (run/pde_run.hpp) asks of it, whatever the learner: its box and
// comparison grid (BoxProblemConfig), its residual, the conditions of one network on the box's
// sides, the reference on the Decomposition of the comparison grid, the exact solution where it
// has one. Each problem is its own class: problems/burgers.hpp, helmholtz.hpp, allen_cahn.hpp.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "physics/allen_cahn.hpp"
#include "physics/burgers.hpp"
#include "physics/helmholtz.hpp"
#include "problems/residual.hpp"
#include "solvers/allen_cahn_reference.hpp"
#include "solvers/burgers_reference.hpp"
#include "solvers/helmholtz_reference.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera {
class Options;
}

namespace tessera::problems {

class BoxProblem {
public:
  virtual ~BoxProblem() = default;

  /// The second input is time (an initial value at t0, t1 free) rather than y.
  virtual bool time_dependent() const = 0;
  /// The residual the learners train on.
  virtual Residual residual() const = 0;

  /// Collective over the decomposition's communicator. This rank's block of the reference on the
  /// comparison grid over the box, x fastest (solvers/space_time_block.hpp), solved here.
  virtual std::vector<double> reference() = 0;
  /// Not collective. This rank's block of the exact solution on the comparison grid; empty where
  /// the problem has none, or where the exact solution is the reference.
  virtual std::vector<double> exact() const { return {}; }
  /// Where the reference comes from, for the summary: "Cole-Hopf, exact", "PETSc", "PETSc TS".
  virtual std::string reference_source() const = 0;
};

/// The selected box problem's own options: its physics block and its reference's, and the
/// comparison grid.
struct BoxProblemConfig {
  std::string name;  // burgers, helmholtz or allen_cahn
  physics::Burgers1D burgers;
  solvers::BurgersReferenceConfig burgers_reference;
  physics::Helmholtz2D helmholtz;
  solvers::HelmholtzReferenceConfig helmholtz_reference;
  physics::AllenCahn1D allen_cahn;
  solvers::AllenCahnReferenceConfig allen_cahn_reference;
  int grid_x = 256, grid_t = 101;  // the comparison grid over (x, t) (Burgers, Allen–Cahn)

  /// Whether `name` is a box problem.
  static bool is_box_problem(const std::string& name);

  /// Declares and reads the physics and reference options of problem `name` only (a key of
  /// another problem's block stays unknown). Not collective.
  static BoxProblemConfig from_options(Options& options, const std::string& name);

  /// The box of the problem.
  solvers::SpaceTimeBox box() const;
  /// The comparison grid's points in x and in t (or y), and 1.
  std::array<int, 3> grid_points() const;
};

/// Collective over decomp's communicator; decomp is the comparison grid's (grid_points() over
/// box()) and must outlive the problem. Sets the reference up (a PETSc solver reads its options, a
/// grid is checked against the decomposition): an InputError or tessera::Error on every rank if it
/// does not fit. Touches no file.
std::unique_ptr<BoxProblem> make_box_problem(const BoxProblemConfig& config,
                                             const Decomposition& decomp);

}  // namespace tessera::problems
