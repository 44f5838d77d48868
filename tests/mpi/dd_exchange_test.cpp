// Domain decomposition pieces: the tiling of a box into subdomains over ranks, the interface point
// sets of shared faces, and the exchange of per-point values across them. Every tiling is run at
// 1, 2 and 4 ranks; the checks hold for each, so results do not depend on the rank count.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dd/exchange.hpp"
#include "dd/interface.hpp"
#include "dd/subdomain_grid.hpp"

namespace {

using namespace tessera;

// A box with awkward bounds, so plane coordinates are not exact binary fractions.
const dd::Corner kLo{-1.0, 0.1, 2.0, 0.0}, kHi{1.3, 0.7, 3.3, 1.0};
constexpr std::uint64_t kSeed = 11;

struct Tiling {
  int dim;
  std::array<int, 3> subdomains, process_grid;
};

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// Tilings valid at 1, 2 and 4 ranks, several subdomains per rank in each.
std::vector<Tiling> tilings() {
  const int p = world_size();
  return {{1, {8, 1, 1}, {0, 0, 0}},
          {2, {4, 2, 1}, {0, 0, 0}},
          {2, {4, 2, 1}, {p, 1, 0}},  // strips along x only
          {3, {2, 2, 2}, {0, 0, 0}},
          {3, {4, 2, 2}, {0, 0, 0}}};
}

std::string describe(const dd::SubdomainGrid& g) {
  std::string s = std::to_string(g.dim()) + "D, subdomains";
  for (int d = 0; d < g.dim(); ++d) s += " " + std::to_string(g.subdomains()[d]);
  s += ", processes";
  for (int d = 0; d < g.dim(); ++d) s += " " + std::to_string(g.process_grid()[d]);
  return s;
}

std::vector<double> sum_over_ranks(std::vector<double> v) {
  MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(v.size()), MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);
  return v;
}

/// FNV-1a over the bytes of a host copy: equal exactly when the point sets are bitwise equal.
std::uint64_t checksum(const nn::Matrix& points) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), points);
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t j = 0; j < h.extent(1); ++j)
    for (size_t d = 0; d < h.extent(0); ++d) {
      unsigned char bytes[sizeof(double)];
      std::memcpy(bytes, &h(d, j), sizeof(double));
      for (unsigned char b : bytes) hash = (hash ^ b) * 0x100000001b3ULL;
    }
  return hash;
}

TEST(SubdomainGrid, OwnedSubdomainsCoverTheTilingOnceAndBoxesTileTheDomain) {
  for (const auto& t : tilings()) {
    dd::SubdomainGrid grid(MPI_COMM_WORLD, t.dim, kLo, kHi, t.subdomains, t.process_grid);
    SCOPED_TRACE(describe(grid));
    const int n = grid.count();
    ASSERT_EQ(static_cast<int>(grid.owned().size()) * grid.size(), n);
    std::vector<double> hits(n, 0.0), owners(n, 0.0);
    for (int id : grid.owned()) {
      hits[id] += 1;
      owners[id] += grid.rank();
      EXPECT_EQ(grid.owner(id), grid.rank());
      EXPECT_EQ(grid.owned()[grid.local_index(id)], id);
    }
    hits = sum_over_ranks(hits);
    owners = sum_over_ranks(owners);
    double volume = 0, domain = 1;
    for (int d = 0; d < t.dim; ++d) domain *= kHi[d] - kLo[d];
    for (int id = 0; id < n; ++id) {
      EXPECT_EQ(hits[id], 1.0) << "subdomain " << id;
      EXPECT_EQ(owners[id], grid.owner(id)) << "subdomain " << id;
      EXPECT_EQ(grid.local_index(id) >= 0, grid.owner(id) == grid.rank());
      EXPECT_EQ(grid.id(grid.coords(id)), id);
      const dd::Box b = grid.box(id);
      double v = 1;
      for (int d = 0; d < t.dim; ++d) v *= b.hi[d] - b.lo[d];
      volume += v;
      for (int f = 0; f < grid.face_count(); ++f) {
        const int axis = dd::face_axis(f);
        const bool upper = dd::face_sign(f) > 0;
        const dd::Neighbour nb = grid.neighbour(id, f);
        const double here = upper ? b.hi[axis] : b.lo[axis];
        if (!nb.exists()) {
          EXPECT_EQ(b.coords[axis], upper ? grid.subdomains()[axis] - 1 : 0);
          EXPECT_EQ(here, upper ? kHi[axis] : kLo[axis]) << "boundary face " << dd::face_name(f);
          continue;
        }
        EXPECT_EQ(nb.rank, grid.owner(nb.id));
        EXPECT_EQ(grid.neighbour(nb.id, dd::opposite_face(f)).id, id) << "not symmetric";
        const dd::Box o = grid.box(nb.id);
        EXPECT_EQ(here, upper ? o.lo[axis] : o.hi[axis]) << "faces do not coincide";
        for (int d = 0; d < t.dim; ++d) {
          if (d == axis) continue;
          EXPECT_EQ(b.lo[d], o.lo[d]);
          EXPECT_EQ(b.hi[d], o.hi[d]);
        }
      }
    }
    EXPECT_NEAR(volume, domain, 1e-13 * domain);
  }
}

TEST(InterfacePoints, BothSidesOfEveryFaceGenerateBitwiseIdenticalPoints) {
  constexpr long kPoints = 7;
  for (const auto& t : tilings()) {
    dd::SubdomainGrid grid(MPI_COMM_WORLD, t.dim, kLo, kHi, t.subdomains, t.process_grid);
    // The whole tiling on this rank alone: the points must not depend on who generates them.
    dd::SubdomainGrid alone(MPI_COMM_SELF, t.dim, kLo, kHi, t.subdomains);
    SCOPED_TRACE(describe(grid));
    const dd::InterfacePoints ip(grid, kPoints, kSeed);
    // [face key][side], side 0 the lower subdomain's, as uint64 bit patterns in doubles' place.
    const int n = grid.count();
    std::vector<std::uint64_t> sums(2 * 3 * n, 0);
    for (int l = 0; l < static_cast<int>(grid.owned().size()); ++l) {
      const int id = grid.owned()[l];
      const dd::Box b = grid.box(id);
      for (int f = 0; f < grid.face_count(); ++f) {
        if (!grid.neighbour(id, f).exists()) {
          EXPECT_EQ(ip.count(l, f), 0);
          continue;
        }
        const auto key = dd::face_key(grid, id, f);
        const auto& pts = ip.points(l, f);
        ASSERT_EQ(pts.extent(0), static_cast<size_t>(t.dim));
        ASSERT_EQ(static_cast<long>(pts.extent(1)), t.dim == 1 ? 1 : kPoints);
        sums[2 * (3 * key.lower + key.axis) + (dd::face_sign(f) > 0 ? 0 : 1)] = checksum(pts);
        EXPECT_EQ(checksum(pts), checksum(dd::interface_points(alone, id, f, kPoints, kSeed)));
        // On the face: the normal coordinate is the shared plane, the others inside the box.
        auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pts);
        const int axis = dd::face_axis(f);
        const auto normal = dd::outward_normal(f);
        EXPECT_EQ(normal[axis], dd::face_sign(f));
        for (size_t j = 0; j < h.extent(1); ++j)
          for (int d = 0; d < t.dim; ++d) {
            if (d == axis) {
              EXPECT_EQ(h(d, j), normal[axis] > 0 ? b.hi[d] : b.lo[d]);
            } else {
              EXPECT_GE(h(d, j), b.lo[d]);
              EXPECT_LT(h(d, j), b.hi[d]);
            }
          }
      }
    }
    MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(sums.size()), MPI_UINT64_T, MPI_SUM,
                  MPI_COMM_WORLD);
    std::set<std::uint64_t> distinct;
    int faces = 0;
    for (int id = 0; id < n; ++id)
      for (int axis = 0; axis < t.dim; ++axis) {
        if (!grid.neighbour(id, 2 * axis + 1).exists()) continue;
        ++faces;
        const int k = 3 * id + axis;
        EXPECT_NE(sums[2 * k], 0u) << "face (" << id << ", " << axis << ") lower side missing";
        EXPECT_EQ(sums[2 * k], sums[2 * k + 1])
            << "face (" << id << ", axis " << axis << ") differs between its two sides";
        distinct.insert(sums[2 * k]);
      }
    // In 1D every face is one point at a distinct plane; elsewhere distinct seeds.
    EXPECT_EQ(static_cast<int>(distinct.size()), faces) << "two faces share their points";
  }
}

/// What a side writes for value m at point j of its face f: depends on everything that identifies
/// the slot, and on the point's coordinates as this side holds them.
double side_value(int id, int face, int m, long j, const double* x, int dim, int round) {
  double v = 1e4 * id + 1e3 * face + 1e2 * m + j + 0.5 * round;
  for (int d = 0; d < dim; ++d) v += (d + 1.5) * std::sin(x[d] + m);
  return v;
}

TEST(InterfaceExchange, EveryFaceReceivesExactlyWhatItsNeighbourComputed) {
  constexpr long kPoints = 5;
  constexpr int kValues = 3;  // e.g. value, normal derivative, residual
  for (const auto& t : tilings()) {
    dd::SubdomainGrid grid(MPI_COMM_WORLD, t.dim, kLo, kHi, t.subdomains, t.process_grid);
    SCOPED_TRACE(describe(grid));
    const dd::InterfacePoints ip(grid, kPoints, kSeed);
    dd::InterfaceExchange exchange(grid, ip.counts(), kValues);
    const int local = static_cast<int>(grid.owned().size());
    const long points = dd::interface_point_count(t.dim, kPoints);
    for (int round = 0; round < 2; ++round) {
      auto out = Kokkos::create_mirror_view(exchange.send_buffer());
      for (int l = 0; l < local; ++l)
        for (int f = 0; f < grid.face_count(); ++f) {
          const long offset = exchange.slot(l, f).offset;
          auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ip.points(l, f));
          for (long j = 0; j < ip.count(l, f); ++j)
            for (int m = 0; m < kValues; ++m)
              out(offset + m + kValues * j) =
                  side_value(grid.owned()[l], f, m, j, &x(0, j), t.dim, round);
        }
      Kokkos::deep_copy(exchange.send_buffer(), out);
      exchange.begin();
      EXPECT_TRUE(exchange.in_flight());
      exchange.end();
      long checked = 0, wrong = 0;
      const auto received =
          Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), exchange.receive_buffer());
      for (int l = 0; l < local; ++l)
        for (int f = 0; f < grid.face_count(); ++f) {
          const dd::Neighbour nb = grid.neighbour(grid.owned()[l], f);
          const auto slot = exchange.slot(l, f);
          const auto in = [&](int m, long j) { return received(slot.offset + m + kValues * j); };
          ASSERT_EQ(slot.count, nb.exists() ? points : 0);
          auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ip.points(l, f));
          for (long j = 0; j < ip.count(l, f); ++j)
            for (int m = 0; m < kValues; ++m) {
              const double expected =
                  side_value(nb.id, dd::opposite_face(f), m, j, &x(0, j), t.dim, round);
              ++checked;
              if (in(m, j) != expected && wrong++ == 0)
                ADD_FAILURE() << "rank " << grid.rank() << " subdomain " << grid.owned()[l]
                              << " face " << dd::face_name(f) << " point " << j << " value " << m
                              << ": received " << in(m, j) << ", neighbour " << nb.id << " (rank "
                              << nb.rank << ") computed " << expected;
            }
        }
      EXPECT_EQ(wrong, 0) << "values received wrong on rank " << grid.rank();
      const auto total = sum_over_ranks({double(checked)});
      // Every shared face counted from both sides.
      int faces = 0, cut = 0;
      for (int id = 0; id < grid.count(); ++id)
        for (int axis = 0; axis < t.dim; ++axis) {
          const dd::Neighbour nb = grid.neighbour(id, 2 * axis + 1);
          if (!nb.exists()) continue;
          ++faces;
          if (nb.rank != grid.owner(id)) ++cut;
        }
      EXPECT_EQ(total[0], 2.0 * faces * points * kValues);
      // Only faces cut by a rank boundary travel through MPI, once each way.
      const auto bytes = sum_over_ranks({double(exchange.bytes_per_exchange())});
      EXPECT_EQ(bytes[0], 2.0 * cut * points * kValues * sizeof(double));
      if (grid.size() == 1) {
        EXPECT_EQ(exchange.messages_per_exchange(), 0);
      }
      if (round == 1 && grid.rank() == 0)
        std::printf("[ dd ] %s on %d ranks: %d faces, %d cut, %.0f bytes sent per exchange\n",
                    describe(grid).c_str(), grid.size(), faces, cut, bytes[0]);
    }
    EXPECT_EQ(exchange.exchanges(), 2);
    EXPECT_EQ(exchange.bytes_sent(), 2LL * exchange.bytes_per_exchange());
  }
}

TEST(InterfaceExchange, MisuseIsReported) {
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, kLo, kHi, {4, 2, 1});
  const dd::InterfacePoints ip(grid, 3, kSeed);
  dd::InterfaceExchange exchange(grid, ip.counts(), 2);
  EXPECT_THROW(exchange.end(), Error);
  exchange.begin();
  EXPECT_THROW(exchange.begin(), Error);
  exchange.end();
  auto counts = ip.counts();
  counts[0][5] = 1;  // a +z face in 2D
  EXPECT_THROW(dd::InterfaceExchange(grid, counts, 2), Error);
  EXPECT_THROW(dd::InterfaceExchange(grid, ip.counts(), 0), Error);
}

/// Expects an InputError whose message contains every one of parts.
void expect_input_error(const std::function<void()>& make, const std::vector<std::string>& parts) {
  try {
    make();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    for (const auto& p : parts) EXPECT_NE(e.message().find(p), std::string::npos) << e.message();
  }
}

TEST(SubdomainGrid, DefaultProcessGridFitsTheTiling) {
  // MPI_Dims_create alone would put 2 processes along x on 2 and 4 ranks, which 3 columns of
  // subdomains cannot split; every process goes along y instead.
  const int p = world_size();
  if (p != 2 && p != 4) GTEST_SKIP() << "for 2 and 4 ranks";
  dd::SubdomainGrid grid(MPI_COMM_WORLD, 2, kLo, kHi, {3, 4, 1});
  EXPECT_EQ(grid.process_grid()[0], 1);
  EXPECT_EQ(grid.process_grid()[1], p);
  // A tiling MPI_Dims_create's grid divides keeps that grid.
  dd::SubdomainGrid square(MPI_COMM_WORLD, 2, kLo, kHi, {4, 4, 1});
  EXPECT_EQ(square.process_grid()[0], 2);
  EXPECT_EQ(square.process_grid()[1], p == 2 ? 1 : 2);
}

TEST(SubdomainGrid, BadTilingsAreInputErrorsNamingTheNumbers) {
  const int p = world_size();
  auto make = [](int dim, std::array<int, 3> s, std::array<int, 3> procs) {
    return [=] { dd::SubdomainGrid grid(MPI_COMM_WORLD, dim, kLo, kHi, s, procs); };
  };
  if (p > 1) {
    // 2p + 1 strips on p processes along x.
    const std::string s = std::to_string(2 * p + 1);
    expect_input_error(make(2, {2 * p + 1, 2, 1}, {p, 1, 0}),
                       {s + " subdomains along x are not divisible by the " + std::to_string(p) +
                        " processes along x"});
    // The default process grid puts 2 processes along x at 2 and 4 ranks, and no other grid of
    // 2 or 4 processes divides 3 x 3.
    expect_input_error(make(2, {3, 3, 1}, {0, 0, 0}), {"3 subdomains along x", "2 processes"});
  }
  expect_input_error(
      make(2, {4, 2, 1}, {p + 1, 1, 0}),
      {"process grid " + std::to_string(p + 1) + " x 1", std::to_string(p) + " ranks"});
  expect_input_error(make(5, {2, 2, 2}, {0, 0, 0}), {"dimension 5"});
  // A 4D box (3D space and time): its time range is checked too.
  expect_input_error(
      [] {
        dd::SubdomainGrid g(MPI_COMM_WORLD, 4, {0, 0, 0, 1}, {1, 1, 1, 1}, {1, 1, 1});
      },
      {"the box along t", "[1, 1]"});
  expect_input_error(make(2, {0, 2, 1}, {0, 0, 0}), {"0 subdomains along x"});
  expect_input_error(
      [] {
        dd::SubdomainGrid g(MPI_COMM_WORLD, 1, {1, 0, 0}, {1, 1, 1}, {2, 1, 1});
      },
      {"[1, 1]"});
}

}  // namespace
