#pragma once
// What each problem of the registry imposes on the faces of its box, for the subdomain learners
// (dd/domain_conditions.hpp): a face's conditions are the outputs it fixes to the problem's
// condition() or whose normal derivative it holds at 0.
#include <string>

#include "dd/domain_conditions.hpp"

namespace tessera::problems {

/// The conditions of problem `name` (the registry's) on the faces of its box, -x, +x, -y (or -t),
/// +y (or +t), -z, +z:
///   poisson1d/2d/3d, helmholtz  u = the exact solution on every face
///   burgers            u = 0 at x = ±1, u(x, 0) = -sin(πx); t = 1 free
///   allen_cahn         u_x = 0 at x = ±1 (pinn::AllenCahnResidual says why), u(x, 0); t = 1 free
///   kovasznay          u, v exact on every face, p exact on the outlet x = 1 (its gauge)
///   lid_driven_cavity  u, v on every face (p's constant is free; comparisons remove means)
/// An internal error for a problem without subdomain learners (heat3d). Not collective.
dd::DomainConditions domain_conditions(const std::string& name);

}  // namespace tessera::problems
