#include "problems/domain_conditions.hpp"

#include "core/error.hpp"

namespace tessera::problems {

dd::DomainConditions domain_conditions(const std::string& name) {
  using dd::BoundaryCondition;
  dd::DomainConditions faces;
  if (name == "burgers" || name == "allen_cahn") {
    const BoundaryCondition side =
        name == "burgers" ? BoundaryCondition{0, -1} : BoundaryCondition{0, 0};  // u_x = 0
    faces[0] = faces[1] = {side};
    faces[2] = {BoundaryCondition{0, -1}};  // the initial value; the final time is free
    return faces;
  }
  if (name == "helmholtz" || name == "poisson1d" || name == "poisson2d" || name == "poisson3d")
    return dd::dirichlet_everywhere();
  if (name == "kovasznay" || name == "lid_driven_cavity") {
    for (int f = 0; f < 4; ++f) faces[f] = {{0, -1}, {1, -1}};
    if (name == "kovasznay") faces[1].push_back({2, -1});  // the pressure gauge on the outlet
    return faces;
  }
  TESSERA_THROW("domain_conditions: problem " << name << " has no subdomain conditions");
}

}  // namespace tessera::problems
