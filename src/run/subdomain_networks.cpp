#include "run/subdomain_networks.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "dd/windowed_sum.hpp"
#include "io/field_file.hpp"
#include "pinn/trainer.hpp"
#include "run/pinn_result.hpp"

namespace tessera::run {

/// Along each axis the first subdomain whose upper plane is at or above the coordinate, so a
/// point on an interface goes to the lower side (which is also the side whose rank owns it in the
/// DMDA split of a 2^k + 1 grid).
int subdomain_of(const dd::SubdomainGrid& grid, const dd::Corner& point) {
  std::array<int, 3> c{0, 0, 0};
  for (int d = 0; d < grid.tiled_dim(); ++d)
    while (c[d] < grid.subdomains()[d] - 1 && point[d] > grid.plane(d, c[d] + 1)) ++c[d];
  return grid.id(c);
}

std::string counts_text(const std::array<int, 3>& counts, int dim) {
  std::string text;
  for (int d = 0; d < dim; ++d) text += (d ? " x " : "") + std::to_string(counts[d]);
  return text;
}

void refuse_single_network_options(Options& options, const nn::MlpShape& network,
                                   const pinn::TrainingConfig& training, const std::string& run) {
  if (network.fourier_features > 0)
    options.report("-pinn_fourier_features is not supported by " + run + " (use 0)");
  if (network.hard_dirichlet)
    options.report("-pinn_hard_boundary is not supported by " + run + " (use false)");
  if (training.balance_every > 0)
    options.report("-train_balance_every is not supported by " + run + " (use 0)");
  if (training.resampling.every > 0)
    options.report("-train_rar_every is not supported by " + run + " (use 0)");
}

namespace {

dd::Corner point(const Coordinates& points, size_t k) {
  dd::Corner p{0, 0, 0, 0};
  for (size_t d = 0; d < points.size(); ++d) p[d] = points[d][k];
  return p;
}

size_t point_count(const Coordinates& points) { return points.empty() ? 0 : points[0].size(); }

/// The local index of the owned subdomain whose closed box holds p, or -1: subdomain_of's, or on
/// an interface plane the one above it when that one is owned here (a MAC grid's face points on
/// the plane belong to the upper block of cells, a 2^k + 1 grid's to the lower one).
int owned_subdomain(const dd::SubdomainGrid& grid, const dd::Corner& p) {
  const int below = subdomain_of(grid, p);
  if (grid.local_index(below) >= 0) return grid.local_index(below);
  const auto c = grid.coords(below);
  for (int sides = 1; sides < (1 << grid.tiled_dim()); ++sides) {
    auto above = c;
    bool on_planes = true;
    for (int d = 0; d < grid.tiled_dim() && on_planes; ++d) {
      if (!(sides >> d & 1)) continue;
      const double tolerance = 1e-12 * (grid.hi()[d] - grid.lo()[d]);
      on_planes =
          c[d] + 1 < grid.subdomains()[d] && std::abs(p[d] - grid.plane(d, c[d] + 1)) <= tolerance;
      above[d] = c[d] + 1;
    }
    if (on_planes && grid.local_index(grid.id(above)) >= 0) return grid.local_index(grid.id(above));
  }
  return -1;
}

/// The owned subdomain's local index of every point. Throws if one lies in another rank's.
std::vector<int> owned_subdomains(const dd::SubdomainGrid& grid, const Coordinates& points,
                                  const char* caller) {
  std::vector<int> local(point_count(points));
  for (size_t k = 0; k < local.size(); ++k) {
    local[k] = owned_subdomain(grid, point(points, k));
    TESSERA_CHECK(local[k] >= 0, caller << ": point " << k << " lies in subdomain "
                                        << subdomain_of(grid, point(points, k))
                                        << ", owned by another rank");
  }
  return local;
}

}  // namespace

std::vector<std::uint64_t> subdomain_network_seeds(const dd::SubdomainGrid& grid,
                                                   std::uint64_t seed) {
  std::vector<std::uint64_t> seeds;
  for (int id : grid.owned()) seeds.push_back(seed * 7919 + id);
  return seeds;
}

void check_points_owned(const dd::SubdomainGrid& grid, const Coordinates& points,
                        const std::string& what) {
  int misplaced = 0;
  for (size_t k = 0; k < point_count(points); ++k)
    if (owned_subdomain(grid, point(points, k)) < 0) misplaced = 1;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &misplaced, 1, MPI_INT, MPI_MAX, grid.comm()));
  if (misplaced)
    throw InputError(what +
                         " does not split along the subdomain boundaries on this process grid; "
                         "choose grid points whose split over the ranks falls on the subdomain "
                         "boundaries (e.g. 2^k + 1 points with 2^k a multiple of the subdomain "
                         "counts)",
                     __FILE__, __LINE__);
}

std::vector<double> subdomain_ids(const dd::SubdomainGrid& grid, const Coordinates& points) {
  std::vector<double> ids;
  for (int l : owned_subdomains(grid, points, "subdomain_ids")) ids.push_back(grid.owned()[l]);
  return ids;
}

std::vector<double> sample_subdomain_networks(const dd::SubdomainGrid& grid,
                                              const nn::StackedMlp& nets, const Coordinates& points,
                                              int output) {
  const size_t n = point_count(points);
  std::vector<double> values(n, 0.0);
  std::vector<std::vector<size_t>> members(grid.owned().size());
  const auto local = owned_subdomains(grid, points, "sample_subdomain_networks");
  for (size_t k = 0; k < n; ++k) members[local[k]].push_back(k);
  for (size_t l = 0; l < members.size(); ++l) {
    const int m = static_cast<int>(members[l].size());
    if (m == 0) continue;
    nn::Matrix at("tessera::run::subdomain_sample_points", grid.dim(), m);
    auto host = Kokkos::create_mirror_view(at);
    for (int j = 0; j < m; ++j)
      for (int d = 0; d < grid.dim(); ++d) host(d, j) = points[d][members[l][j]];
    Kokkos::deep_copy(at, host);
    const nn::Mlp net = nets.network(static_cast<int>(l));
    nn::MlpWorkspace ws;
    net.prepare(ws, nn::JetOrder::Value, m);
    net.forward(at, ws);
    auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.output());
    for (int j = 0; j < m; ++j) values[members[l][j]] = out(j, output);
  }
  return values;
}

std::vector<double> sample_windowed_sum(const dd::SubdomainGrid& grid,
                                        const dd::PartitionOfUnity& windows, nn::StackedMlp& nets,
                                        const Coordinates& points, int output) {
  const size_t n = point_count(points);
  std::vector<std::vector<double>> xy(grid.owned().size());
  std::vector<std::vector<size_t>> members(grid.owned().size());
  const auto local = owned_subdomains(grid, points, "sample_windowed_sum");
  for (size_t k = 0; k < n; ++k) {
    const auto p = point(points, k);
    xy[local[k]].insert(xy[local[k]].end(), p.begin(), p.begin() + grid.dim());
    members[local[k]].push_back(k);
  }
  const auto values = dd::windowed_values(grid, windows, nets, xy, output);
  std::vector<double> u(n, 0.0);
  for (size_t l = 0; l < members.size(); ++l)
    for (size_t j = 0; j < members[l].size(); ++j) u[members[l][j]] = values[l][j];
  return u;
}

SubdomainHistories::SubdomainHistories(int subdomains, const std::vector<std::string>& term_names)
    : columns_{"iteration", "phase", "loss"}, rows_(subdomains) {
  columns_.insert(columns_.end(), term_names.begin(), term_names.end());
}

void SubdomainHistories::record(int iteration, int phase, const std::vector<double>& terms) {
  if (!is_root()) return;
  const size_t count = columns_.size() - 3;
  for (size_t id = 0; id < rows_.size(); ++id) {
    const double* t = terms.data() + id * count;
    double loss = 0;
    for (size_t k = 0; k < count; ++k) loss += t[k];
    auto& h = rows_[id];
    h.insert(h.end(), {double(iteration), double(phase), loss});
    h.insert(h.end(), t, t + count);
  }
}

void SubdomainHistories::write(io::FieldFile& file) const {
  for (size_t id = 0; id < rows_.size(); ++id)
    write_history(file, "history_subdomain_" + std::to_string(id), columns_, rows_[id]);
}

}  // namespace tessera::run
