#include "pinn/resampling.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "pinn/collocation.hpp"

namespace tessera::pinn {

ResamplingConfig ResamplingConfig::from_options(Options& options) {
  ResamplingConfig c;
  c.every = options.integer("train_rar_every", c.every, 0, 10000000,
                            "Adam iterations between residual-based refinement rounds (0: off)");
  c.candidates = options.integer("train_rar_candidates", static_cast<int>(c.candidates), 1,
                                 100000000, "uniform candidate points per refinement round");
  c.points = options.integer("train_rar_points", static_cast<int>(c.points), 1, 100000000,
                             "candidates of largest residual added per round");
  c.density = options.choice("train_rar_selection", "greedy", {"greedy", "density"},
                             "refinement adds the largest residuals (greedy) or draws "
                             "candidates with probability ~ |r|^k/mean + c (density)") == "density";
  c.exponent = options.real("train_rar_exponent", c.exponent, 0.0, 10.0,
                            "density selection: exponent k of |r|^k");
  c.uniform = options.real("train_rar_uniform", c.uniform, 0.0, 1e6,
                           "density selection: constant c added to |r|^k/mean (c > 0 keeps "
                           "every candidate possible)");
  if (c.points > c.candidates)
    options.report("-train_rar_points = " + std::to_string(c.points) +
                   " exceeds -train_rar_candidates = " + std::to_string(c.candidates));
  return c;
}

namespace {

/// Indices of the m largest magnitudes, ties broken by index: the same on every rank.
std::vector<long> largest(const std::vector<double>& magnitude, long m) {
  std::vector<long> order(magnitude.size());
  std::iota(order.begin(), order.end(), 0L);
  std::partial_sort(order.begin(), order.begin() + m, order.end(), [&](long a, long b) {
    return magnitude[a] > magnitude[b] || (magnitude[a] == magnitude[b] && a < b);
  });
  return order;
}

/// m distinct indices drawn with probability ~ |r|^k / mean |r|^k + c, from a seeded generator:
/// the same on every rank.
std::vector<long> draw_by_density(const std::vector<double>& magnitude, long m,
                                  const ResamplingConfig& config, int round) {
  const long n = static_cast<long>(magnitude.size());
  std::vector<double> weight(n);
  double mean = 0;
  for (long j = 0; j < n; ++j) mean += (weight[j] = std::pow(magnitude[j], config.exponent)) / n;
  for (auto& w : weight) w = (mean > 0 ? w / mean : 0.0) + config.uniform;
  std::mt19937_64 rng(config.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(round)));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<long> chosen;
  double total = std::accumulate(weight.begin(), weight.end(), 0.0);
  while (static_cast<long>(chosen.size()) < m && total > 0) {
    double target = unit(rng) * total;
    long j = 0;
    while (j < n - 1 && (weight[j] == 0 || (target -= weight[j]) > 0)) ++j;
    if (weight[j] == 0) break;  // round-off walked past the last candidate left
    chosen.push_back(j);
    total -= weight[j];
    weight[j] = 0;  // without replacement
  }
  TESSERA_CHECK(static_cast<long>(chosen.size()) == m,
                "residual refinement: only " << chosen.size() << " of " << m
                                             << " candidates have a positive density; raise "
                                                "-train_rar_uniform");
  return chosen;
}

/// Collective over loss.communicator(). Adds this rank's share of a round's points (inputs
/// coordinates each, one after the other; every rank passes the same), in order.
void add_share(ResidualSampled& loss, const std::vector<double>& points) {
  const int inputs = loss.inputs();
  long first = 0, last = 0;
  share(loss.communicator(), static_cast<long>(points.size()) / inputs, first, last);
  nn::Matrix added("tessera::pinn::rar_points", inputs, last - first);
  auto host = Kokkos::create_mirror_view(added);
  for (long k = first; k < last; ++k)
    for (int i = 0; i < inputs; ++i) host(i, k - first) = points[size_t(k * inputs + i)];
  Kokkos::deep_copy(added, host);
  loss.add_interior_points(added);
}

/// Every rank's candidates of a round: uniform in the box (the unit square's own draw in 2D, the
/// draw of the published refinement runs), inputs x n.
nn::Matrix draw_candidates(const ResidualSampled& loss, const ResamplingConfig& config,
                           std::uint64_t seed) {
  const int inputs = loss.inputs();
  const long n = config.candidates;
  const nn::Matrix candidates = inputs == 2 ? interior_points_2d(MPI_COMM_SELF, n, seed)
                                            : interior_points(MPI_COMM_SELF, inputs, n, seed);
  if (!config.lower.empty()) {
    TESSERA_CHECK(static_cast<int>(config.lower.size()) == inputs,
                  "refine_by_residual: a box of " << config.lower.size() << " bounds for a loss of "
                                                  << inputs << " inputs");
    map_to_box(candidates, config.lower, config.upper);
  }
  return candidates;
}

}  // namespace

long refine_by_residual(ResidualSampled& loss, const ResamplingConfig& config, int round,
                        std::vector<double>* chosen) {
  ProfilingRegion region(Phase::Sampling);
  MPI_Comm comm = loss.communicator();
  int size = 1;
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  const long n = config.candidates;
  // Every rank draws all candidates (on MPI_COMM_SELF nothing is split) and scores its share.
  const nn::Matrix candidates = draw_candidates(
      loss, config, config.seed + 0x632be59bd9b4e019ULL * static_cast<std::uint64_t>(round + 1));
  long begin = 0, end = 0;
  share(comm, n, begin, end);
  const nn::Matrix mine = Kokkos::subview(candidates, Kokkos::ALL(), std::make_pair(begin, end));
  const auto local = loss.residual_magnitudes(mine);
  TESSERA_CHECK(static_cast<long>(local.size()) == end - begin,
                "refine_by_residual: the loss scored " << local.size() << " of " << end - begin
                                                       << " candidates");
  std::vector<int> counts(size), displacements(size);
  for (int r = 0; r < size; ++r) {
    displacements[r] = static_cast<int>(n * r / size);
    counts[r] = static_cast<int>(n * (r + 1) / size) - displacements[r];
  }
  std::vector<double> magnitude(n);
  TESSERA_MPI_CALL(MPI_Allgatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE,
                                  magnitude.data(), counts.data(), displacements.data(), MPI_DOUBLE,
                                  comm));
  const long m = std::min(config.points, n);
  const auto order =
      config.density ? draw_by_density(magnitude, m, config, round) : largest(magnitude, m);
  auto all = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), candidates);
  const int inputs = loss.inputs();
  std::vector<double> points;
  for (long k = 0; k < m; ++k) {
    if (chosen) chosen->push_back(double(round));
    for (int i = 0; i < inputs; ++i) {
      points.push_back(all(i, order[k]));
      if (chosen) chosen->push_back(points.back());
    }
  }
  add_share(loss, points);
  return m;
}

long restore_refinement(ResidualSampled& loss, const std::vector<double>& rows) {
  const std::size_t width = 1 + static_cast<std::size_t>(loss.inputs());
  TESSERA_CHECK(rows.size() % width == 0,
                "restore_refinement: " << rows.size() << " values in rows of " << width);
  std::vector<double> points;
  for (std::size_t r = 0; r < rows.size(); r += width) {
    points.insert(points.end(), rows.begin() + long(r + 1), rows.begin() + long(r + width));
    if (r + width == rows.size() || rows[r + width] != rows[r]) {  // the round's last point
      add_share(loss, points);
      points.clear();
    }
  }
  return static_cast<long>(rows.size() / width);
}

std::vector<std::string> refinement_columns(int inputs) {
  const char* names[4] = {"x", "y", "z", "t"};
  std::vector<std::string> columns{"round"};
  for (int i = 0; i < inputs && i < 4; ++i) columns.push_back(names[i]);
  return columns;
}

}  // namespace tessera::pinn
