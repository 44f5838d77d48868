#include "io/recorded_options.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "problems/registry.hpp"

namespace tessera::io {

std::string option_text(const OptionValue& value) {
  std::ostringstream text;
  std::visit([&](const auto& v) { text << v; }, value);
  return text.str();
}

void record_options(FieldFile& file, const RecordedOptions& options) {
  for (const auto& [name, value] : options)
    std::visit([&, &name = name](const auto& v) { file.set_attribute(name, v); }, value);
}

OptionDifference first_difference(const FieldFileReader& file, const RecordedOptions& options) {
  for (const auto& [name, value] : options) {
    if (!file.has_attribute(name)) return {name, true, value, value};
    OptionValue stored;
    if (std::holds_alternative<long long>(value))
      stored = file.integer_attribute(name);
    else if (std::holds_alternative<double>(value))
      stored = file.real_attribute(name);
    else
      stored = file.string_attribute(name);
    if (stored != value) return {name, false, value, stored};
  }
  return {};
}

std::vector<std::string> physics_option_names(const std::string& kind) {
  const std::vector<std::string> network{
      "pinn_width",         "pinn_depth",         "pinn_activation",        "pinn_fourier_features",
      "pinn_fourier_scale", "pinn_hard_boundary", "pinn_periodic_harmonics"};
  auto with_network = [&](std::vector<std::string> names) {
    names.insert(names.end(), network.begin(), network.end());
    return names;
  };
  if (kind == "xpinn" || kind == "fbpinn")
    return with_network({"dd_dim", "poisson_frequency", "poisson_peak_width",
                         "poisson_multiscale_amplitude", "poisson_multiscale_frequency",
                         "poisson3d_multiscale_amplitude", "poisson3d_multiscale_frequency",
                         "dd_subdomains_x", "dd_subdomains_y", "dd_subdomains_z",
                         "fbpinn_overlap"});
  if (kind == "interface_bandit")  // each training's frequency and interface weights are its own
    return with_network({"poisson_peak_width", "poisson_multiscale_amplitude",
                         "poisson_multiscale_frequency", "dd_subdomains_x", "dd_subdomains_y",
                         "bandit_frequencies", "bandit_policy", "bandit_seed", "bandit_exploration",
                         "bandit_length_scale", "bandit_arm_correlation", "bandit_signal_variance",
                         "bandit_noise_variance", "bandit_reference_table"});
  if (kind == "poisson")  // run: poisson, one network
    return with_network({"poisson_frequency", "poisson_peak_width", "poisson_multiscale_amplitude",
                         "poisson_multiscale_frequency"});
  if (kind == "les")  // -les_case, -les_dim, -les_cells, -les_length: checked by the LES itself
    return {"les_reynolds",          "les_viscosity",     "les_velocity_scale",
            "les_layer_thickness",   "les_subgrid_model", "les_smagorinsky_constant",
            "les_test_filter_ratio", "les_boundary",      "les_lid_velocity"};
  const std::string pde_prefix = "pde_";
  if (kind.compare(0, pde_prefix.size(), pde_prefix) == 0) {
    // pde_<method>_<pde>: the PDE's own coefficients, the tiling and the networks, and the time
    // windows, which set the problem each stage of the run trains on (dd::ReplicatedCheckpoints).
    std::vector<std::string> names{"pde", "dd_subdomains_x", "dd_subdomains_y", "fbpinn_overlap",
                                   "pde_time_windows"};
    for (const auto& problem : problems::registry()) {
      const auto& pde = problem.name;
      if (kind.size() > pde.size() &&
          kind.compare(kind.size() - pde.size(), pde.size(), pde) == 0 &&
          kind[kind.size() - pde.size() - 1] == '_')
        names.insert(names.end(), problem.restart_options.begin(), problem.restart_options.end());
    }
    return with_network(names);
  }
  TESSERA_THROW("physics_option_names: no physics options listed for run kind '" << kind << "'");
}

RestartPhysics RestartPhysics::from_options(Options& options, const std::string& kind) {
  RestartPhysics p;
  p.warm_start = options.flag(
      "restart_warm_start", false,
      "continue from a checkpoint of other physics or discretisation options on purpose: the "
      "differences are listed rather than refused");
  for (auto& [name, value] : options.values(physics_option_names(kind)))
    p.options.emplace_back(name, value);
  return p;
}

void RestartPhysics::require_same(const FieldFileReader& file) const {
  RecordedOptions left = options;
  while (const auto d = first_difference(file, left)) {
    const std::string what =
        "checkpoint '" + file.path() + "'" +
        (d.missing ? " does not record -" + d.name + " (written by an older Tessera?)"
                   : ": -" + d.name + " is " + option_text(d.here) + " in this run but " +
                         option_text(d.stored) + " in the checkpoint");
    if (!warm_start)
      throw InputError(
          what + "; a restart continues the same problem" +
              (warm_start_allowed ? " (-restart_warm_start true starts from it on purpose)" : ""),
          __FILE__, __LINE__);
    TESSERA_LOG("warm start (-restart_warm_start): " << what);
    // Go on to the next difference: drop everything up to and including this option.
    const auto at = std::find_if(left.begin(), left.end(),
                                 [&](const auto& option) { return option.first == d.name; });
    left.erase(left.begin(), at + 1);
  }
}

}  // namespace tessera::io
