#include "dd/checkpoint.hpp"

#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"

namespace tessera::dd {

namespace {

/// Parameters x subdomains as a 3D point grid over the subdomain grid's process grid: the
/// parameter index is the fastest direction and never split, so a rank's block is its networks'
/// flat vector.
Decomposition parameter_layout(const SubdomainGrid& grid, long parameters_per_network) {
  TESSERA_CHECK(grid.dim() <= 2,
                "dd checkpoints support 1D and 2D tilings, not " << grid.dim() << "D");
  const auto& s = grid.subdomains();
  const auto& p = grid.process_grid();
  return Decomposition(grid.comm(), 3, {static_cast<int>(parameters_per_network), s[0], s[1]},
                       {1, p[0], p[1]});
}

const char* const kFields[] = {"parameters", "adam_first_moment", "adam_second_moment"};

}  // namespace

void write_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                      const std::string& path, const pinn::AdamCheckpoint& state) {
  const Decomposition layout = parameter_layout(grid, parameters_per_network);
  io::FieldFile file(grid.comm(), path);
  const nn::Vector* vectors[] = {&state.parameters, &state.first_moment, &state.second_moment};
  for (int k = 0; k < 3; ++k) {
    auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), *vectors[k]);
    TESSERA_CHECK(
        static_cast<long>(host.extent(0)) == layout.local_size(),
        "write_checkpoint: " << host.extent(0) << " values, expected " << layout.local_size());
    file.write_field(kFields[k], layout, host.data());
  }
  file.set_attribute("iteration", state.iteration);
  file.set_attribute("adam_steps", state.adam_steps);
  file.set_attribute("parameters_per_network", parameters_per_network);
  file.commit();
}

pinn::AdamCheckpoint read_checkpoint(const SubdomainGrid& grid, long parameters_per_network,
                                     const std::string& path) {
  const Decomposition layout = parameter_layout(grid, parameters_per_network);
  io::FieldFileReader reader(grid.comm(), path);
  pinn::AdamCheckpoint state;
  nn::Vector* vectors[] = {&state.parameters, &state.first_moment, &state.second_moment};
  for (int k = 0; k < 3; ++k) {
    // read_field names both shapes if the file holds another tiling or network size.
    const auto values = reader.read_field(kFields[k], layout);
    *vectors[k] = nn::Vector(std::string("tessera::dd::checkpoint_") + kFields[k], values.size());
    auto host = Kokkos::create_mirror_view(*vectors[k]);
    for (size_t i = 0; i < values.size(); ++i) host(i) = values[i];
    Kokkos::deep_copy(*vectors[k], host);
  }
  state.iteration = static_cast<int>(reader.integer_attribute("iteration"));
  state.adam_steps = reader.integer_attribute("adam_steps");
  return state;
}

}  // namespace tessera::dd
