#pragma once
// Interface point sets on the faces shared by two subdomains. Both sides generate a face's points
// themselves, without communication, from the face's global identity (its lower subdomain and
// axis) and a seed, never from the rank: the two sets are bitwise identical on any rank count, so
// interface terms can pair values point by point.
#include <array>
#include <cstdint>
#include <vector>

#include "dd/subdomain_grid.hpp"
#include "nn/types.hpp"

namespace tessera::dd {

/// The global identity of a shared face: the subdomain on its lower side and the normal axis.
struct FaceKey {
  int lower = -1;
  int axis = 0;
  bool operator<(const FaceKey& o) const {
    return lower != o.lower ? lower < o.lower : axis < o.axis;
  }
  bool operator==(const FaceKey& o) const { return lower == o.lower && axis == o.axis; }
};

/// Key of face `face` of subdomain id, seen from either side. Throws if it is a domain boundary.
FaceKey face_key(const SubdomainGrid& grid, int id, int face);

/// Points per shared face for a requested count: in 1D a face is a single point, so 1.
long interface_point_count(int dim, long requested);

/// Unit outward normal of a subdomain across face (entries beyond the dimension are 0).
Corner outward_normal(int face);

/// The points of one shared face (dim x interface_point_count(dim, count)), uniform at random
/// over the face with the coordinate along the normal exactly the shared plane. Identical for
/// (id, face) and (neighbour, opposite face). Local: no communication.
nn::Matrix interface_points(const SubdomainGrid& grid, int id, int face, long count,
                            std::uint64_t seed);

/// Per local subdomain and face, a point count (0 on domain-boundary faces and beyond 2 dim).
using FaceCounts = std::vector<std::array<long, kMaxFaces>>;

/// The interface points of every face of this rank's subdomains, built once.
class InterfacePoints {
public:
  /// Local: every rank generates only its own faces.
  InterfacePoints(const SubdomainGrid& grid, long points_per_face, std::uint64_t seed);

  /// dim x count(local, face) points of face of the local-th owned subdomain (dim x 0 on a
  /// domain-boundary face).
  const nn::Matrix& points(int local, int face) const { return points_.at(local).at(face); }
  long count(int local, int face) const { return counts_.at(local).at(face); }
  const FaceCounts& counts() const { return counts_; }

private:
  std::vector<std::array<nn::Matrix, kMaxFaces>> points_;
  FaceCounts counts_;
};

}  // namespace tessera::dd
