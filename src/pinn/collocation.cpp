#include "pinn/collocation.hpp"

#include <algorithm>
#include <random>

#include "core/error.hpp"
#include "core/profiling.hpp"

namespace tessera::pinn {

void share(MPI_Comm comm, long n, long& begin, long& end) {
  int rank = 0, size = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  begin = n * rank / size;
  end = n * (rank + 1) / size;
}

namespace {

/// Draws all n points of dims coordinates (each rank draws the same sequence) and keeps this
/// rank's share.
template <class Draw>
nn::Matrix draw_share(MPI_Comm comm, int dims, long n, std::uint64_t seed, const char* label,
                      Draw draw) {
  ProfilingRegion region(Phase::Sampling);
  TESSERA_CHECK(dims >= 1 && dims <= 4, "collocation: points of " << dims << " coordinates");
  long begin = 0, end = 0;
  share(comm, n, begin, end);
  nn::Matrix points(std::string(label), dims, end - begin);
  auto host = Kokkos::create_mirror_view(points);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (long k = 0; k < end; ++k) {
    double point[4];
    draw(rng, unit, point);
    if (k >= begin)
      for (int d = 0; d < dims; ++d) host(d, k - begin) = point[d];
  }
  Kokkos::deep_copy(points, host);
  return points;
}

}  // namespace

nn::Matrix interior_points(MPI_Comm comm, int dims, long global_count, std::uint64_t seed) {
  return draw_share(comm, dims, global_count, seed, "tessera::pinn::interior_points",
                    [dims](auto& rng, auto& unit, double* point) {
                      for (int d = 0; d < dims; ++d) point[d] = unit(rng);
                    });
}

nn::Matrix interior_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed) {
  return interior_points(comm, 2, global_count, seed);
}

nn::Matrix face_points(MPI_Comm comm, int dims, int face_dims, long global_count,
                       std::uint64_t seed) {
  TESSERA_CHECK(face_dims >= 1 && face_dims <= dims,
                "face_points: faces in " << face_dims << " of " << dims << " directions");
  return draw_share(
      comm, dims, global_count, seed ^ 0x9e3779b97f4a7c15ULL, "tessera::pinn::face_points",
      [dims, face_dims](auto& rng, auto& unit, double* point) {
        // The faces all have unit area, so each is drawn with the same chance.
        const int face = std::min(static_cast<int>(2 * face_dims * unit(rng)), 2 * face_dims - 1);
        for (int d = 0; d < dims; ++d) point[d] = unit(rng);
        point[face / 2] = face % 2;
      });
}

nn::Matrix boundary_points_2d(MPI_Comm comm, long global_count, std::uint64_t seed) {
  return draw_share(comm, 2, global_count, seed ^ 0x9e3779b97f4a7c15ULL,
                    "tessera::pinn::boundary_points", [](auto& rng, auto& unit, double* point) {
                      const double t = 4.0 * unit(rng);  // arc length along the perimeter
                      const int edge = t < 4.0 ? static_cast<int>(t) : 3;
                      const double s = t - edge;
                      point[0] = edge == 0 ? s : edge == 1 ? 1.0 : edge == 2 ? 1.0 - s : 0.0;
                      point[1] = edge == 0 ? 0.0 : edge == 1 ? s : edge == 2 ? 1.0 : 1.0 - s;
                    });
}

void map_to_box(const nn::Matrix& points, const std::vector<double>& lower,
                const std::vector<double>& upper) {
  const int dims = static_cast<int>(points.extent(0));
  TESSERA_CHECK(static_cast<int>(lower.size()) == dims && static_cast<int>(upper.size()) == dims,
                "map_to_box: a box of " << lower.size() << " and " << upper.size()
                                        << " bounds for points of " << dims << " coordinates");
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  for (size_t k = 0; k < h.extent(1); ++k)
    for (int d = 0; d < dims; ++d) h(d, k) = lower[d] + (upper[d] - lower[d]) * h(d, k);
  Kokkos::deep_copy(points, h);
}

SpaceTimePoints space_time_points(MPI_Comm comm, long interior, long initial, long boundary,
                                  std::uint64_t seed) {
  SpaceTimePoints p;
  p.interior = interior_points_2d(comm, interior, seed);
  p.initial = interior_points_2d(comm, initial, seed + 1);
  p.boundary = interior_points_2d(comm, boundary, seed + 2);
  // Project uniform points onto t = 0 and onto x in {0, 1} (the side chosen by x < 1/2).
  auto ic = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.initial);
  for (size_t k = 0; k < ic.extent(1); ++k) ic(1, k) = 0.0;
  Kokkos::deep_copy(p.initial, ic);
  auto bc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), p.boundary);
  for (size_t k = 0; k < bc.extent(1); ++k) bc(0, k) = bc(0, k) < 0.5 ? 0.0 : 1.0;
  Kokkos::deep_copy(p.boundary, bc);
  return p;
}

}  // namespace tessera::pinn
