#pragma once
// How many collocation points, how they are weighted, and the seed that draws them.
#include <cstdint>
#include <string>

namespace tessera {
class Options;
}

namespace tessera::pinn {

struct PointSetConfig {
  long interior_points = 4096;
  long boundary_points = 512;
  double residual_weight = 1.0;
  double boundary_weight = 1.0;
  std::uint64_t seed = 1234;  // draws the points and initialises the network
  // Interior points per forward/backward batch (0: all at once). On CPU backends a batch sized
  // to stay in cache between the passes is faster; GPUs want one large batch.
  long batch_points = default_batch_points();

  static long default_batch_points();

  /// Reads the -pinn_ point options. batched_by_default false: -pinn_batch_points defaults to 0,
  /// all interior points at once (a problem whose published figures were measured so, since
  /// batching changes a training's round-off). Not collective.
  static PointSetConfig from_options(Options& options, bool batched_by_default = true);
};

}  // namespace tessera::pinn
