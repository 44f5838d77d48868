#include "pinn/point_sets.hpp"

#include <Kokkos_Core.hpp>

#include "core/options.hpp"

namespace tessera::pinn {

long PointSetConfig::default_batch_points() {
  using Space = Kokkos::DefaultExecutionSpace::memory_space;
  return Kokkos::SpaceAccessibility<Kokkos::HostSpace, Space>::accessible ? 256 : 0;
}

PointSetConfig PointSetConfig::from_options(Options& options,
                                            const std::string& unbatched_because) {
  PointSetConfig c;
  c.interior_points = options.integer("pinn_interior_points", 4096, 1, 100000000,
                                      "interior collocation points (global, split over ranks)");
  c.boundary_points = options.integer("pinn_boundary_points", 512, 1, 100000000,
                                      "boundary collocation points (global, split over ranks)");
  c.residual_weight =
      options.real("pinn_residual_weight", 1.0, 0.0, 1e12, "weight of the PDE residual loss");
  c.boundary_weight =
      options.real("pinn_boundary_weight", 1.0, 0.0, 1e12, "weight of the boundary loss");
  const size_t batch_key = options.declared_count();
  c.batch_points = options.integer(
      "pinn_batch_points", static_cast<int>(unbatched_because.empty() ? c.batch_points : 0), 0,
      100000000,
      unbatched_because.empty()
          ? "interior points per forward/backward batch, 0 for all at once (default: cache-sized "
            "on CPU backends, all on GPUs)"
          : "not for this problem: its interior points are evaluated at once (0)");
  if (!unbatched_because.empty()) options.refuse_given_since(batch_key, unbatched_because);
  c.seed = static_cast<std::uint64_t>(options.integer(
      "pinn_seed", 1234, 0, 2147483647, "seed for collocation points and network initialisation"));
  return c;
}

}  // namespace tessera::pinn
