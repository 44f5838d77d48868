#include "problems/box_problem.hpp"

#include "core/error.hpp"
#include "core/options.hpp"
#include "problems/allen_cahn.hpp"
#include "problems/burgers.hpp"
#include "problems/helmholtz.hpp"

namespace tessera::problems {

bool BoxProblemConfig::is_box_problem(const std::string& name) {
  return name == "burgers" || name == "helmholtz" || name == "allen_cahn";
}

BoxProblemConfig BoxProblemConfig::from_options(Options& options, const std::string& name) {
  TESSERA_CHECK(is_box_problem(name), "BoxProblemConfig: " << name << " is not a box problem");
  BoxProblemConfig c;
  c.name = name;
  if (name == "burgers") {
    c.burgers = physics::Burgers1D::from_options(options);
    c.burgers_reference = solvers::BurgersReferenceConfig::from_options(options);
  } else if (name == "helmholtz") {
    c.helmholtz = physics::Helmholtz2D::from_options(options);
    c.helmholtz_reference = solvers::HelmholtzReferenceConfig::from_options(options);
    return c;  // its comparison grid is its reference's
  } else {
    c.allen_cahn = physics::AllenCahn1D::from_options(options);
    c.allen_cahn_reference = solvers::AllenCahnReferenceConfig::from_options(options);
  }
  c.grid_x = options.integer("pde_grid_x", c.grid_x, 2, 1 << 16,
                             "Burgers / Allen-Cahn comparison grid points in x");
  c.grid_t =
      options.integer("pde_grid_t", c.grid_t, 2, 1 << 16,
                      "Burgers / Allen-Cahn comparison grid points in t, t = 0 and 1 included");
  return c;
}

solvers::SpaceTimeBox BoxProblemConfig::box() const {
  if (name == "burgers") return solvers::BurgersReference::box;
  if (name == "allen_cahn") return solvers::AllenCahnReference::box;
  return HelmholtzProblem::kBox;
}

std::array<int, 3> BoxProblemConfig::grid_points() const {
  if (name == "helmholtz") return {helmholtz_reference.points, helmholtz_reference.points, 1};
  return {grid_x, grid_t, 1};
}

std::unique_ptr<BoxProblem> make_box_problem(const BoxProblemConfig& config,
                                             const Decomposition& decomp) {
  if (config.name == "burgers") return std::make_unique<BurgersProblem>(config, decomp);
  if (config.name == "allen_cahn") return std::make_unique<AllenCahnProblem>(config, decomp);
  return std::make_unique<HelmholtzProblem>(config, decomp);
}

}  // namespace tessera::problems
