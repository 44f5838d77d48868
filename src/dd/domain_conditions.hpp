#pragma once
// The conditions a subdomain loss (XpinnLoss, FbpinnLoss) imposes on the faces of the domain box:
// per face, a list of value or normal-derivative conditions on the networks' outputs, as
// pinn::ConditionPoints are for one network. A face without any is free (a space-time box's
// final time).
#include <array>
#include <vector>

#include "dd/subdomain_grid.hpp"

namespace tessera::dd {

/// u_k = pde.condition(k, x), or du_k/dx_d = 0 when derivative = d >= 0.
struct BoundaryCondition {
  int output = 0;
  int derivative = -1;
};

/// The conditions on each face of the domain box, -x, +x, -y, +y, -z, +z, -t, +t (faces beyond the
/// dimension unused).
using DomainConditions = std::array<std::vector<BoundaryCondition>, kMaxFaces>;

/// Output 0 given on every face: the Dirichlet problems of one unknown.
DomainConditions dirichlet_everywhere();

/// Throws a tessera::Error, naming `loss`, if a condition on one of the 2 dim faces names an
/// output beyond `outputs` or an input beyond dim.
void check_domain_conditions(const DomainConditions& conditions, int dim, int outputs,
                             const char* loss);

}  // namespace tessera::dd
