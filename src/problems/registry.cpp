#include "problems/registry.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::problems {

const std::vector<ProblemEntry>& registry() {
  static const std::vector<ProblemEntry> entries{
      {"poisson1d",
       "-u'' = f on [0, 1], u = sin(k pi x)",
       1,
       1,
       {"single", "xpinn", "fbpinn"},
       {"poisson_", "reference_"}},
      {"poisson2d",
       "-Laplace u = f on the unit square, manufactured u",
       2,
       1,
       {"single", "xpinn", "fbpinn"},
       {"poisson_", "reference_"}},
      {"poisson3d",
       "-Laplace u = f on the unit cube, manufactured u (optionally multiscale)",
       3,
       1,
       {"single", "xpinn", "fbpinn"},
       {"poisson3d_"}},
      {"heat3d",
       "u_t = kappa Laplace u on the unit cube, t in [0, T], exact mode",
       4,
       1,
       {"single"},
       {"heat_"}},
      {"burgers",
       "viscous Burgers on (x, t) in [-1, 1] x [0, 1], Cole-Hopf reference",
       2,
       1,
       {"single", "xpinn", "fbpinn"},
       {"burgers_", "pde_grid_"}},
      {"helmholtz",
       "Helmholtz on [-1, 1]^2, exact mode and PETSc reference",
       2,
       1,
       {"single", "xpinn", "fbpinn"},
       {"helmholtz_"}},
      {"allen_cahn",
       "Allen-Cahn on (x, t) in [-1, 1] x [0, 1], PETSc TS reference",
       2,
       1,
       {"single", "xpinn", "fbpinn"},
       {"allen_cahn_", "pde_grid_"}},
      {"kovasznay",
       "steady Navier-Stokes, Kovasznay flow (exact)",
       2,
       3,
       {"single", "xpinn", "fbpinn"},
       {"kovasznay_"}},
      {"lid_driven_cavity",
       "steady Navier-Stokes, lid-driven cavity, PETSc MAC reference",
       2,
       3,
       {"single", "xpinn", "fbpinn"},
       {"cavity_"}},
  };
  return entries;
}

const ProblemEntry& find_problem(const std::string& name) {
  for (const auto& e : registry())
    if (e.name == name) return e;
  TESSERA_THROW("no PINN problem '" << name << "' in the registry");
}

const std::vector<std::string>& learner_names() {
  static const std::vector<std::string> names{"single", "xpinn", "fbpinn"};
  return names;
}

const std::vector<std::string>& pinn_run_kinds() {
  static const std::vector<std::string> kinds{"pinn", "poisson", "xpinn", "fbpinn", "pde"};
  return kinds;
}

namespace {

std::vector<std::string> problem_names() {
  std::vector<std::string> names;
  for (const auto& e : registry()) names.push_back(e.name);
  return names;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : ", ") + w;
  return text;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// Tells options, for each option block of a problem not selected, which problems it belongs to.
void explain_other_blocks(Options& options, const ProblemEntry& selected,
                          const std::string& problem_key) {
  std::vector<std::string> prefixes;
  for (const auto& e : registry())
    for (const auto& p : e.option_blocks)
      if (std::find(prefixes.begin(), prefixes.end(), p) == prefixes.end()) prefixes.push_back(p);
  for (const auto& prefix : prefixes) {
    const auto& own = selected.option_blocks;
    if (std::any_of(own.begin(), own.end(), [&](const std::string& p) {
          return starts_with(prefix, p) || starts_with(p, prefix);
        }))
      continue;
    std::vector<std::string> owners;
    for (const auto& e : registry())
      if (std::find(e.option_blocks.begin(), e.option_blocks.end(), prefix) !=
          e.option_blocks.end())
        owners.push_back(e.name);
    options.explain_unknown(prefix, "an option of " + problem_key + " " + joined(owners) +
                                        ", which this run does not solve (" + problem_key + " " +
                                        selected.name + ")");
  }
}

}  // namespace

PinnSelection PinnSelection::from_options(Options& options, const std::string& kind) {
  const auto& kinds = pinn_run_kinds();
  TESSERA_CHECK(std::find(kinds.begin(), kinds.end(), kind) != kinds.end(),
                "PinnSelection: run kind '" << kind << "' is not a PINN run");
  PinnSelection s;
  s.kind = kind;
  std::string problem_help = "the PINN problem:";
  for (const auto& e : registry())
    problem_help +=
        "\n        " + e.name + ": " + e.description + " (learners " + joined(e.learners) + ")";
  const std::string learner_help =
      "single: one data-parallel network; xpinn: one network per subdomain with interface "
      "conditions; fbpinn: overlapping subdomains, networks weighed by a partition of unity";
  if (kind == "pinn") {
    s.problem = options.choice("pinn_problem", s.problem, problem_names(), problem_help);
    s.learner = options.choice("pinn_learner", s.learner, learner_names(), learner_help);
  } else if (kind == "xpinn" || kind == "fbpinn") {
    const int dim = options.integer("dd_dim", 2, 1, 3,
                                    "dimension of the Poisson problem and of its tiling: 1, 2 or 3 "
                                    "(run: " +
                                        kind + " is run: pinn -pinn_problem poisson<dim>d)");
    s.problem = "poisson" + std::to_string(dim) + "d";
    s.learner = kind;
  } else if (kind == "pde") {
    s.problem = options.choice("pde", "burgers", problem_names(),
                               problem_help + "\n      (run: pde is run: pinn -pinn_problem)");
    s.learner = options.choice("pde_method", s.learner, learner_names(),
                               learner_help + " (run: pde is run: pinn -pinn_learner)");
  }
  const auto& entry = find_problem(s.problem);
  if (std::find(entry.learners.begin(), entry.learners.end(), s.learner) == entry.learners.end()) {
    options.report(s.learner_flag() + ": " + s.problem_flag() +
                   " is implemented for the learners " + joined(entry.learners));
    s.learner = entry.learners.front();
  }
  explain_other_blocks(options, entry, s.problem_key());
  return s;
}

std::string PinnSelection::problem_key() const { return kind == "pde" ? "-pde" : "-pinn_problem"; }

std::string PinnSelection::learner_key() const {
  return kind == "pde" ? "-pde_method" : "-pinn_learner";
}

std::string PinnSelection::learner_flag() const {
  if (kind == "pinn" || kind == "pde") return learner_key() + " " + learner;
  return "run: " + kind;
}

int PinnSelection::inputs() const { return find_problem(problem).inputs; }

std::string PinnSelection::as_deck() const {
  return "run: pinn -pinn_problem " + problem + " -pinn_learner " + learner;
}

}  // namespace tessera::problems
