#pragma once
// The residuals of the registry's problems (pinn/pde_residuals.hpp) as one type: what a problem
// hands to any learner (the single network's PdeLoss and the subdomain learners' losses are
// templates over them; a learner visits the one it is given).
#include <variant>

#include "physics/lid_driven_cavity.hpp"
#include "pinn/pde_residuals.hpp"

namespace tessera::problems {

using Residual =
    std::variant<pinn::PoissonResidual<1>, pinn::PoissonResidual<2>, pinn::PoissonResidual<3>,
                 pinn::BurgersResidual, pinn::HelmholtzResidual, pinn::AllenCahnResidual,
                 pinn::Heat3DResidual, pinn::SteadyNavierStokesResidual<physics::Kovasznay>,
                 pinn::SteadyNavierStokesResidual<physics::LidDrivenCavity>>;

}  // namespace tessera::problems
