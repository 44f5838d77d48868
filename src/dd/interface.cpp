#include "dd/interface.hpp"

#include <string>

#include "core/error.hpp"
#include "core/random.hpp"

namespace tessera::dd {

FaceKey face_key(const SubdomainGrid& grid, int id, int face) {
  const Neighbour n = grid.neighbour(id, face);
  TESSERA_CHECK(n.exists(), "dd: face " << face_name(face) << " of subdomain " << id
                                        << " is on the domain boundary, not an interface");
  return {face_sign(face) < 0 ? n.id : id, face_axis(face)};
}

long interface_point_count(int dim, long requested) {
  TESSERA_CHECK(requested >= 1, "dd: " << requested << " interface points per face; need >= 1");
  return dim == 1 ? 1 : requested;
}

Corner outward_normal(int face) {
  Corner n{0, 0, 0, 0};
  n[face_axis(face)] = face_sign(face);
  return n;
}

nn::Matrix interface_points(const SubdomainGrid& grid, int id, int face, long count,
                            std::uint64_t seed) {
  const FaceKey key = face_key(grid, id, face);
  const int dim = grid.dim();
  const long n = interface_point_count(dim, count);
  // The lower side's box: both sides then read the same plane and tangential extents.
  const Box lower = grid.box(key.lower);
  const double x_normal = grid.plane(key.axis, lower.coords[key.axis] + 1);
  std::uint64_t state = splitmix64(seed ^ splitmix64(std::uint64_t(key.lower) * 3 + key.axis));
  nn::Matrix points("tessera::dd::interface_points", dim, n);
  auto host = Kokkos::create_mirror_view(points);
  for (long j = 0; j < n; ++j) {
    for (int d = 0; d < dim; ++d) {
      host(d, j) = d == key.axis ? x_normal
                                 : lower.lo[d] + (lower.hi[d] - lower.lo[d]) * uniform_unit(state);
    }
  }
  Kokkos::deep_copy(points, host);
  return points;
}

InterfacePoints::InterfacePoints(const SubdomainGrid& grid, long points_per_face,
                                 std::uint64_t seed) {
  const auto& owned = grid.owned();
  points_.resize(owned.size());
  counts_.assign(owned.size(), std::array<long, kMaxFaces>{});
  for (size_t l = 0; l < owned.size(); ++l) {
    for (int f = 0; f < kMaxFaces; ++f) {
      if (f < grid.face_count() && grid.neighbour(owned[l], f).exists()) {
        points_[l][f] = interface_points(grid, owned[l], f, points_per_face, seed);
        counts_[l][f] = static_cast<long>(points_[l][f].extent(1));
      } else {
        points_[l][f] = nn::Matrix("tessera::dd::interface_points", grid.dim(), 0);
      }
    }
  }
}

}  // namespace tessera::dd
