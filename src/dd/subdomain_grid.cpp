#include "dd/subdomain_grid.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace tessera::dd {

namespace {

constexpr const char* kAxisNames = "xyzt";

std::string grid_text(const std::array<int, 3>& n, int dim) {
  std::string text;
  for (int d = 0; d < dim; ++d) text += (d ? " x " : "") + std::to_string(n[d]);
  return text;
}

[[noreturn]] void input_error(const std::string& message, int line) {
  throw InputError("SubdomainGrid: " + message, __FILE__, line);
}

}  // namespace

const char* face_name(int face) {
  static const char* const names[kMaxFaces] = {"-x", "+x", "-y", "+y", "-z", "+z", "-t", "+t"};
  return face >= 0 && face < kMaxFaces ? names[face] : "?";
}

namespace {

bool divides(const std::array<int, 3>& procs, const std::array<int, 3>& subdomains, int dim) {
  for (int d = 0; d < dim; ++d)
    if (subdomains[d] % procs[d] != 0) return false;
  return true;
}

/// The process grid of `size` ranks whose P_d divide the subdomain counts and equal the given
/// ones (entries > 0), the largest P_d as small as possible (the most balanced; among equals the
/// fewest processes along x); {0, 0, 0} if there is none.
std::array<int, 3> fitting_process_grid(int size, int dim, const std::array<int, 3>& subdomains,
                                        const std::array<int, 3>& given) {
  std::array<int, 3> best{0, 0, 0};
  int best_largest = size + 1;
  const auto candidates = [&](int d) {
    std::vector<int> p;
    for (int q = 1; q <= size; ++q)
      if (d >= dim ? q == 1
                   : (given[d] == 0 || q == given[d]) && subdomains[d] % q == 0 && size % q == 0)
        p.push_back(q);
    return p;
  };
  for (int p0 : candidates(0))
    for (int p1 : candidates(1))
      for (int p2 : candidates(2))
        if (p0 * p1 * p2 == size && std::max({p0, p1, p2}) < best_largest) {
          best = {p0, p1, p2};
          best_largest = std::max({p0, p1, p2});
        }
  return best;
}

}  // namespace

std::array<int, 3> SubdomainGrid::checked_process_grid(MPI_Comm comm, int box_dim, const Corner& lo,
                                                       const Corner& hi,
                                                       const std::array<int, 3>& subdomains,
                                                       const std::array<int, 3>& process_grid) {
  // Every check reads only arguments that all ranks share, so all ranks throw together.
  if (box_dim < 1 || box_dim > kMaxDim)
    input_error("dimension " + std::to_string(box_dim) + " is not 1, 2, 3 or 4", __LINE__);
  for (int d = 0; d < box_dim; ++d)
    if (!(lo[d] < hi[d]) || !std::isfinite(lo[d]) || !std::isfinite(hi[d])) {
      std::ostringstream m;
      m << "the box along " << kAxisNames[d] << " is [" << lo[d] << ", " << hi[d]
        << "]; it needs finite lo < hi";
      input_error(m.str(), __LINE__);
    }
  const int dim = std::min(box_dim, kMaxTiledDim);
  int size = 1;
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  int given = 1;
  bool all_given = true;
  for (int d = 0; d < dim; ++d) {
    std::ostringstream where;
    where << " along " << kAxisNames[d];
    if (subdomains[d] < 1)
      input_error(std::to_string(subdomains[d]) + " subdomains" + where.str() + "; it needs >= 1",
                  __LINE__);
    if (process_grid[d] < 0)
      input_error(std::to_string(process_grid[d]) + " processes" + where.str() +
                      "; give >= 1, or 0 to let MPI_Dims_create choose",
                  __LINE__);
    if (process_grid[d] > 0) given *= process_grid[d];
    all_given = all_given && process_grid[d] > 0;
  }
  if (size % given != 0 || (all_given && given != size))
    input_error("the process grid " + grid_text(process_grid, dim) + " does not fit " +
                    std::to_string(size) + " ranks",
                __LINE__);
  int dims[3] = {0, 0, 0};
  for (int d = 0; d < dim; ++d) dims[d] = process_grid[d];
  TESSERA_MPI_CALL(MPI_Dims_create(size, dim, dims));
  std::array<int, 3> procs{1, 1, 1};
  for (int d = 0; d < dim; ++d) procs[d] = dims[d];
  if (!divides(procs, subdomains, dim)) {
    // MPI_Dims_create balances the grid without looking at the tiling (3 x 2 subdomains get 2 x 1
    // processes on 2 ranks); the most balanced grid that fits the tiling, if any, runs instead.
    const auto fitting = fitting_process_grid(size, dim, subdomains, process_grid);
    if (fitting[0] > 0) return fitting;
  }
  for (int d = 0; d < dim; ++d) {
    if (subdomains[d] % procs[d] != 0)
      input_error(std::to_string(subdomains[d]) + " subdomains along " + kAxisNames[d] +
                      " are not divisible by the " + std::to_string(procs[d]) +
                      " processes along " + kAxisNames[d] + " (subdomain grid " +
                      grid_text(subdomains, dim) + ", process grid " + grid_text(procs, dim) +
                      " on " + std::to_string(size) +
                      " ranks, and no other process grid fits both); use multiples of the "
                      "process grid or give a process grid",
                  __LINE__);
  }
  return procs;
}

SubdomainGrid::SubdomainGrid(MPI_Comm comm, int dim, const Corner& lo, const Corner& hi,
                             std::array<int, 3> subdomains, std::array<int, 3> process_grid)
    : dim_(dim),
      decomposition_(comm, std::min(dim, kMaxTiledDim), subdomains,
                     checked_process_grid(comm, dim, lo, hi, subdomains, process_grid)) {
  for (int d = 0; d < dim; ++d) lo_[d] = lo[d], hi_[d] = hi[d];
  const auto& start = decomposition_.local_start();
  const auto& n = decomposition_.local_count();
  owned_.reserve(static_cast<size_t>(n[0]) * n[1] * n[2]);
  for (int k = 0; k < n[2]; ++k)
    for (int j = 0; j < n[1]; ++j)
      for (int i = 0; i < n[0]; ++i)
        owned_.push_back(id({start[0] + i, start[1] + j, start[2] + k}));
}

int SubdomainGrid::count() const {
  const auto& s = subdomains();
  return s[0] * s[1] * s[2];
}

int SubdomainGrid::local_index(int id) const {
  // Owned subdomains form a block, so the local index follows from the coordinates.
  const auto c = coords(id);
  const auto& start = decomposition_.local_start();
  const auto& n = decomposition_.local_count();
  std::array<int, 3> r{};
  for (int d = 0; d < 3; ++d) {
    r[d] = c[d] - start[d];
    if (r[d] < 0 || r[d] >= n[d]) return -1;
  }
  return r[0] + n[0] * (r[1] + n[1] * r[2]);
}

std::array<int, 3> SubdomainGrid::coords(int id) const {
  TESSERA_CHECK(id >= 0 && id < count(),
                "SubdomainGrid: subdomain " << id << " is not in 0.." << count() - 1);
  const auto& s = subdomains();
  return {id % s[0], (id / s[0]) % s[1], id / (s[0] * s[1])};
}

int SubdomainGrid::id(const std::array<int, 3>& c) const {
  const auto& s = subdomains();
  for (int d = 0; d < 3; ++d)
    TESSERA_CHECK(c[d] >= 0 && c[d] < s[d], "SubdomainGrid: coordinate "
                                                << c[d] << " along " << kAxisNames[d]
                                                << " is not in 0.." << s[d] - 1);
  return c[0] + s[0] * (c[1] + s[1] * c[2]);
}

int SubdomainGrid::subdomains_along(int axis) const {
  return axis < tiled_dim() ? subdomains()[axis] : 1;
}

int SubdomainGrid::coordinate(int id, int axis) const {
  return axis < tiled_dim() ? coords(id)[axis] : 0;
}

double SubdomainGrid::plane(int axis, int k) const {
  const int s = subdomains_along(axis);
  // The last plane is hi itself rather than lo + (hi - lo), which may round differently.
  return k == s ? hi_[axis] : lo_[axis] + (hi_[axis] - lo_[axis]) * k / s;
}

Box SubdomainGrid::box(int id) const {
  Box b;
  b.id = id;
  b.coords = coords(id);
  for (int d = 0; d < dim(); ++d) {
    b.lo[d] = plane(d, coordinate(id, d));
    b.hi[d] = plane(d, coordinate(id, d) + 1);
  }
  return b;
}

int SubdomainGrid::owner(int id) const {
  const auto c = coords(id);
  const auto& s = subdomains();
  const auto& p = process_grid();
  std::array<int, 3> pc{};
  for (int d = 0; d < 3; ++d) pc[d] = c[d] / (s[d] / p[d]);
  return pc[0] + p[0] * (pc[1] + p[1] * pc[2]);
}

Neighbour SubdomainGrid::neighbour(int id, int face) const {
  TESSERA_CHECK(face >= 0 && face < face_count(),
                "SubdomainGrid: face " << face << " is not in 0.." << face_count() - 1);
  const int axis = face_axis(face);
  const int across = coordinate(id, axis) + face_sign(face);
  Neighbour n;
  if (across < 0 || across >= subdomains_along(axis)) return n;
  auto c = coords(id);
  c[axis] = across;
  n.id = this->id(c);
  n.rank = owner(n.id);
  return n;
}

}  // namespace tessera::dd
