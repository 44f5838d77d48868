#include "dd/domain_conditions.hpp"

#include "core/error.hpp"

namespace tessera::dd {

DomainConditions dirichlet_everywhere() {
  DomainConditions conditions;
  for (auto& face : conditions) face = {BoundaryCondition{}};
  return conditions;
}

void check_domain_conditions(const DomainConditions& conditions, int dim, int outputs,
                             const char* loss) {
  for (int f = 0; f < 2 * dim; ++f)
    for (const auto& c : conditions[f])
      TESSERA_CHECK(c.output >= 0 && c.output < outputs && c.derivative < dim,
                    loss << ": a condition on face " << face_name(f) << " names output " << c.output
                         << " or input " << c.derivative << " the networks lack");
}

}  // namespace tessera::dd
