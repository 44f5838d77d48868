#include "pinn/collocation.hpp"

#include <random>

#include "core/error.hpp"

namespace tessera::pinn {

void share(MPI_Comm comm, long n, long& begin, long& end) {
  int rank = 0, size = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  begin = n * rank / size;
  end = n * (rank + 1) / size;
}

namespace {

/// Draws all n points (each rank draws the same sequence) and keeps this rank's share.
template <class Draw>
nn::Matrix draw_share(MPI_Comm comm, long n, std::uint64_t seed, const char* label, Draw draw) {
  long begin = 0, end = 0;
  share(comm, n, begin, end);
  nn::Matrix points(std::string(label), 2, end - begin);
  auto host = Kokkos::create_mirror_view(points);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (long k = 0; k < end; ++k) {
    double x, y;
    draw(rng, unit, x, y);
    if (k >= begin) host(0, k - begin) = x, host(1, k - begin) = y;
  }
  Kokkos::deep_copy(points, host);
  return points;
}

}  // namespace

nn::Matrix interior_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed) {
  return draw_share(comm, global_count, seed, "tessera::pinn::interior_points",
                    [](auto& rng, auto& unit, double& x, double& y) {
                      x = unit(rng);
                      y = unit(rng);
                    });
}

nn::Matrix boundary_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed) {
  return draw_share(comm, global_count, seed ^ 0x9e3779b97f4a7c15ULL,
                    "tessera::pinn::boundary_points",
                    [](auto& rng, auto& unit, double& x, double& y) {
                      const double t = 4.0 * unit(rng);  // arc length along the perimeter
                      const int edge = t < 4.0 ? static_cast<int>(t) : 3;
                      const double s = t - edge;
                      x = edge == 0 ? s : edge == 1 ? 1.0 : edge == 2 ? 1.0 - s : 0.0;
                      y = edge == 0 ? 0.0 : edge == 1 ? s : edge == 2 ? 1.0 : 1.0 - s;
                    });
}

void map_to_box(const nn::Matrix& points, const std::array<double, 2>& lower,
                const std::array<double, 2>& upper) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  for (size_t k = 0; k < h.extent(1); ++k)
    for (int d = 0; d < 2; ++d) h(d, k) = lower[d] + (upper[d] - lower[d]) * h(d, k);
  Kokkos::deep_copy(points, h);
}

}  // namespace tessera::pinn
