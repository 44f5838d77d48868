#include "pinn/point_sets.hpp"

#include <Kokkos_Core.hpp>

#include "core/options.hpp"

namespace tessera::pinn {

long PointSetConfig::default_batch_points() {
  using Space = Kokkos::DefaultExecutionSpace::memory_space;
  return Kokkos::SpaceAccessibility<Kokkos::HostSpace, Space>::accessible ? 256 : 0;
}

PointSetConfig PointSetConfig::from_options(Options& options, bool batched_by_default) {
  PointSetConfig c;
  c.interior_points = options.integer("pinn_interior_points", 4096, 1, 100000000,
                                      "interior collocation points (global, split over ranks)");
  c.boundary_points = options.integer("pinn_boundary_points", 512, 1, 100000000,
                                      "boundary collocation points (global, split over ranks)");
  c.residual_weight =
      options.real("pinn_residual_weight", 1.0, 0.0, 1e12, "weight of the PDE residual loss");
  c.boundary_weight =
      options.real("pinn_boundary_weight", 1.0, 0.0, 1e12, "weight of the boundary loss");
  c.batch_points = options.integer(
      "pinn_batch_points", static_cast<int>(batched_by_default ? c.batch_points : 0), 0, 100000000,
      batched_by_default
          ? "interior points per forward/backward batch, 0 for all at once (default: cache-sized "
            "on CPU backends, all on GPUs)"
          : "interior points per forward/backward batch (default 0, all at once: this problem's "
            "published figures were measured so)");
  c.seed = static_cast<std::uint64_t>(options.integer(
      "pinn_seed", 1234, 0, 2147483647, "seed for collocation points and network initialisation"));
  return c;
}

}  // namespace tessera::pinn
