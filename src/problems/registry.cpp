#include "problems/registry.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "problems/allen_cahn.hpp"
#include "problems/burgers.hpp"
#include "problems/heat3d.hpp"
#include "problems/helmholtz.hpp"
#include "problems/navier_stokes.hpp"
#include "problems/poisson.hpp"

namespace tessera::problems {

namespace {

using dd::BoundaryCondition;

/// Space-time (x, t): the sides x = ±1 hold `side`, t = 0 the initial value, t = 1 is free.
dd::DomainConditions space_time_conditions(BoundaryCondition side) {
  dd::DomainConditions faces;
  faces[0] = faces[1] = {side};
  faces[2] = {BoundaryCondition{0, -1}};
  return faces;
}

/// 3D space and time: u on the cube's faces and at t = 0 (the exact mode); t = T is free.
dd::DomainConditions heat_conditions() {
  dd::DomainConditions faces;
  for (int f = 0; f < 7; ++f) faces[f] = {BoundaryCondition{0, -1}};
  return faces;
}

/// u and v on every face of the square; p on the upper x face too where it has a gauge there.
dd::DomainConditions velocity_conditions(bool pressure_on_outlet) {
  dd::DomainConditions faces;
  for (int f = 0; f < 4; ++f) faces[f] = {{0, -1}, {1, -1}};
  if (pressure_on_outlet) faces[1].push_back({2, -1});
  return faces;
}

}  // namespace

const std::vector<ProblemEntry>& registry() {
  static const std::vector<ProblemEntry> entries{
      {"poisson1d",
       "-u'' = f on [0, 1], u = sin(k pi x)",
       1,
       1,
       {"poisson_", "reference_"},
       &PoissonConfig::read,
       dd::dirichlet_everywhere()},
      {"poisson2d",
       "-Laplace u = f on the unit square, manufactured u",
       2,
       1,
       {"poisson_", "reference_"},
       &PoissonConfig::read,
       dd::dirichlet_everywhere()},
      {"poisson3d",
       "-Laplace u = f on the unit cube, manufactured u (optionally multiscale)",
       3,
       1,
       {"poisson3d_"},
       &PoissonConfig::read,
       dd::dirichlet_everywhere(),
       {"poisson3d_multiscale_amplitude", "poisson3d_multiscale_frequency"}},
      {"heat3d",
       "u_t = kappa Laplace u on the unit cube, t in [0, T], exact mode",
       4,
       1,
       {"heat_"},
       &Heat3DConfig::read,
       heat_conditions(),
       {"heat_diffusivity", "heat_mode", "heat_final_time"}},
      {"burgers",
       "viscous Burgers on (x, t) in [-1, 1] x [0, 1], Cole-Hopf reference",
       2,
       1,
       {"burgers_", "pde_grid_"},
       &BurgersConfig::read,
       space_time_conditions(BoundaryCondition{0, -1}),
       {"burgers_viscosity"},
       kTimeMarching},
      {"helmholtz",
       "Helmholtz on [-1, 1]^2, exact mode and PETSc reference",
       2,
       1,
       {"helmholtz_"},
       &HelmholtzConfig::read,
       dd::dirichlet_everywhere(),
       {"helmholtz_wavenumber", "helmholtz_mode_x", "helmholtz_mode_y"}},
      // u_x = 0 on the sides: pinn::AllenCahnResidual says why.
      {"allen_cahn",
       "Allen-Cahn on (x, t) in [-1, 1] x [0, 1], PETSc TS reference",
       2,
       1,
       {"allen_cahn_", "pde_grid_"},
       &AllenCahnConfig::read,
       space_time_conditions(BoundaryCondition{0, 0}),
       {"allen_cahn_diffusion", "allen_cahn_reaction"},
       kTimeMarching | kPeriodicInX},
      {"kovasznay",
       "steady Navier-Stokes, Kovasznay flow (exact)",
       2,
       3,
       {"kovasznay_"},
       &KovasznayConfig::read,
       velocity_conditions(true),
       {"kovasznay_reynolds"}},
      {"lid_driven_cavity",
       "steady Navier-Stokes, lid-driven cavity, PETSc MAC reference",
       2,
       3,
       {"cavity_"},
       &CavityConfig::read,
       velocity_conditions(false),
       {"cavity_reynolds", "cavity_lid"}},
  };
  return entries;
}

const ProblemEntry& find_problem(const std::string& name) {
  for (const auto& e : registry())
    if (e.name == name) return e;
  TESSERA_THROW("no PINN problem '" << name << "' in the registry");
}

std::string problems_with(ProblemTraits trait) {
  std::vector<std::string> names;
  for (const auto& e : registry())
    if (e.has(trait)) names.push_back(e.name);
  return word_list(names);
}

const dd::DomainConditions& domain_conditions(const std::string& name) {
  return find_problem(name).conditions;
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
  for (const auto& e : registry()) problem_help += "\n        " + e.name + ": " + e.description;
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
  explain_other_blocks(options, find_problem(s.problem), s.problem_key());
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
