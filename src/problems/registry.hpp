#pragma once
// The PINN problems Tessera solves and the learners each can be trained with: what `run: pinn`
// offers under -pinn_problem and -pinn_learner, and the one place the older run kinds (poisson,
// xpinn, fbpinn, pde) are mapped to it. A problem's own options (its physics block, e.g.
// `helmholtz: {wavenumber: ...}`, and its reference solver's) are read only when it is selected;
// a key of another problem's block stops the run, naming the problem it belongs to.
//
// Learners:
//   single  one network, its points shared over the ranks, its gradient summed (data parallel)
//   xpinn   one network per subdomain of a tiling over the ranks, interface conditions between
//           neighbours (dd/xpinn_loss.hpp)
//   fbpinn  one network per overlapping subdomain, the solution their windowed sum
//           (dd/fbpinn_loss.hpp)
#include <string>
#include <vector>

namespace tessera {
class Options;
}

namespace tessera::problems {

struct ProblemEntry {
  std::string name;         // the -pinn_problem value, and the problem attribute of its results
  std::string description;  // one line for -help
  int inputs;               // network inputs: space, then time where it has one
  int outputs;              // network outputs
  std::vector<std::string> learners;       // the learners implemented for it
  std::vector<std::string> option_blocks;  // prefixes of its own options, e.g. "helmholtz_"
};

/// Every PINN problem, in the order -help lists them.
const std::vector<ProblemEntry>& registry();

/// The entry named name; an internal error if there is none. Not collective.
const ProblemEntry& find_problem(const std::string& name);

/// single, xpinn, fbpinn.
const std::vector<std::string>& learner_names();

/// The run kinds of a PINN: pinn, then its older names poisson, xpinn, fbpinn, pde.
const std::vector<std::string>& pinn_run_kinds();

/// What a PINN deck trains: a problem of the registry with one of its learners.
struct PinnSelection {
  std::string problem = "poisson2d";
  std::string learner = "single";
  std::string kind = "pinn";  // the run kind the deck named, whose keys messages name

  /// Reads the selection of run kind `kind`: pinn reads -pinn_problem and -pinn_learner; the
  /// older kinds read their own keys (poisson: none, poisson2d single; xpinn and fbpinn: -dd_dim,
  /// the dimension of their Poisson problem; pde: -pde and -pde_method). A learner the problem
  /// lacks is reported to options (exit 2 in the options pass). Tells options which problem
  /// owns the option blocks of the problems not selected, so an unknown key of one is named.
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
