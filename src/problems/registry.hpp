#pragma once
// The PINN problems Tessera solves and the learners that train them (every learner trains every
// problem): what `run: pinn` offers under -pinn_problem and -pinn_learner, and the one place the
// older run kinds (poisson, xpinn, fbpinn, pde) are mapped to it. A problem's own options (its
// physics block, e.g. `helmholtz: {wavenumber: ...}`, and its reference solver's) are read only
// when it is selected; a key of another problem's block stops the run, naming the problem it
// belongs to.
//
// Learners:
//   single  one network, its points shared over the ranks, its gradient summed (data parallel)
//   xpinn   one network per subdomain of a tiling over the ranks, interface conditions between
//           neighbours (dd/xpinn_loss.hpp)
//   fbpinn  one network per overlapping subdomain, the solution their windowed sum
//           (dd/fbpinn_loss.hpp)
#include <memory>
#include <string>
#include <vector>

#include "dd/domain_conditions.hpp"

namespace tessera {
class Options;
}

namespace tessera::problems {

class ProblemConfig;

/// Declares and reads the options of problem `name` (its own class's `read`). Not collective.
using ProblemReader = std::shared_ptr<const ProblemConfig> (*)(Options& options,
                                                               const std::string& name);

/// What a problem is trained with beyond its residual (ProblemEntry::traits).
enum ProblemTraits : unsigned {
  kTimeMarching = 1,  // (x, t): time windows (-pde_time_windows) and causal training
  kPeriodicInX = 2,   // x periodic: the periodic embedding (-pinn_periodic_harmonics)
};

/// One problem. Adding a problem: its ProblemConfig and Problem classes, and its entry here.
struct ProblemEntry {
  std::string name;         // the -pinn_problem value, and the problem attribute of its results
  std::string description;  // one line for -help
  int inputs;               // network inputs: space, then time where it has one
  int outputs;              // network outputs
  std::vector<std::string> option_blocks;  // prefixes of its own options, e.g. "helmholtz_"
  ProblemReader read = nullptr;            // its ProblemConfig subclass's reader
  /// What the subdomain learners impose on the faces of its box (domain_conditions()).
  dd::DomainConditions conditions{};
  /// Its physics options that a restart of its checkpoints checks (io/recorded_options.hpp;
  /// the Poisson problems' checkpoints are those of their older run kinds, listed there).
  std::vector<std::string> restart_options{};
  unsigned traits = 0;  // ProblemTraits

  bool has(ProblemTraits trait) const { return (traits & trait) != 0; }
};

/// Every PINN problem, in the order -help lists them.
const std::vector<ProblemEntry>& registry();

/// The entry named name; an internal error if there is none. Not collective.
const ProblemEntry& find_problem(const std::string& name);

/// "burgers and allen_cahn": the problems with trait, for messages. Not collective.
std::string problems_with(ProblemTraits trait);

/// The conditions of problem `name` on the faces of its box, -x, +x, -y (or -t), +y (or +t), -z,
/// +z (, -t, +t), for the subdomain learners: a face's conditions are the outputs it fixes to the
/// problem's condition() or whose normal derivative it holds at 0:
///   poisson1d/2d/3d, helmholtz  u = the exact solution on every face
///   heat3d             u = the exact mode on the cube's faces and at t = 0; t = T free
///   burgers            u = 0 at x = ±1, u(x, 0) = -sin(πx); t = 1 free
///   allen_cahn         u_x = 0 at x = ±1 (pinn::AllenCahnResidual says why), u(x, 0); t = 1 free
///   kovasznay          u, v exact on every face, p exact on the outlet x = 1 (its gauge)
///   lid_driven_cavity  u, v on every face (p's constant is free; comparisons remove means)
/// Not collective.
const dd::DomainConditions& domain_conditions(const std::string& name);

/// single, xpinn, fbpinn.
const std::vector<std::string>& learner_names();

/// The run kinds of a PINN: pinn, then its older names poisson, xpinn, fbpinn, pde.
const std::vector<std::string>& pinn_run_kinds();

/// What a PINN deck trains: a problem of the registry with a learner.
struct PinnSelection {
  std::string problem = "poisson2d";
  std::string learner = "single";
  std::string kind = "pinn";  // the run kind the deck named, whose keys messages name

  /// Reads the selection of run kind `kind`: pinn reads -pinn_problem and -pinn_learner; the
  /// older kinds read their own keys (poisson: none, poisson2d single; xpinn and fbpinn: -dd_dim,
  /// the dimension of their Poisson problem; pde: -pde and -pde_method). Tells options which
  /// problem owns the option blocks of the problems not selected, so an unknown key of one is
  /// named.
  /// Not collective.
  static PinnSelection from_options(Options& options, const std::string& kind);

  /// The network inputs of the problem (its dimension, time included).
  int inputs() const;

  /// "-pinn_problem" (or "-pde" under run: pde): the key that selects the problem, for messages.
  std::string problem_key() const;
  /// "-pinn_learner" (or "-pde_method").
  std::string learner_key() const;
  /// "-pinn_problem burgers": the problem as the deck selected it.
  std::string problem_flag() const { return problem_key() + " " + problem; }
  /// "-pinn_learner xpinn" (or "-pde_method xpinn"; "run: xpinn" under the kinds that fix the
  /// learner).
  std::string learner_flag() const;

  /// "run: pinn -pinn_problem poisson3d -pinn_learner xpinn": what an older kind maps to.
  std::string as_deck() const;
};

}  // namespace tessera::problems
