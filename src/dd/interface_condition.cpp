#include "dd/interface_condition.hpp"

#include "core/options.hpp"

namespace tessera::dd {

InterfaceWeights InterfaceWeights::from_options(Options& options) {
  InterfaceWeights w;
  w.continuity = options.real("dd_continuity", w.continuity, 0.0, 1e12,
                              "weight of solution continuity (u_i - u_j)^2 on interfaces");
  w.average = options.real("dd_average", w.average, 0.0, 1e12,
                           "weight of the average-solution term (u_i - (u_i + u_j)/2)^2");
  w.flux = options.real("dd_flux", w.flux, 0.0, 1e12,
                        "weight of normal-flux continuity (d_n u_i - d_n u_j)^2 (cPINN)");
  w.residual = options.real("dd_residual", w.residual, 0.0, 1e12,
                            "weight of PDE-residual continuity (r_i - r_j)^2 (XPINN)");
  return w;
}

std::vector<std::string> InterfaceCondition::term_names() {
  return {"continuity", "average", "flux", "residual_jump"};
}

}  // namespace tessera::dd
