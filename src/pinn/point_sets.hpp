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

  /// Reads the -pinn_ point options. unbatched_because non-empty: the run evaluates its interior
  /// points at once, and a -pinn_batch_points given is refused with that reason. Not collective.
  static PointSetConfig from_options(Options& options, const std::string& unbatched_because = "");
};

}  // namespace tessera::pinn
