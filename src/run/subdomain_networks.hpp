#pragma once
// What every run of one network per subdomain (run: xpinn, run: fbpinn, run: pde -pde_method
// xpinn / fbpinn) does with its networks after and during training: evaluate the piecewise solution
// at this rank's comparison points, which lie in this rank's own subdomains, and keep every
// subdomain's loss history.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dd/partition_of_unity.hpp"
#include "dd/subdomain_grid.hpp"
#include "nn/mlp.hpp"
#include "run/learner.hpp"

namespace tessera {
class Options;
}
namespace tessera::io {
class FieldFile;
}
namespace tessera::pinn {
struct TrainingConfig;
}

namespace tessera::run {

/// Reports, for `run` (e.g. "run: fbpinn"), each option a run of one network per subdomain cannot
/// honour: a StackedMlp has neither the Fourier encoding nor the hard-boundary ansatz, and the
/// subdomain losses have no adjustable term weights and score no residuals. In the options pass,
/// so that they stop the run before any output, not inside training. Not collective.
void refuse_single_network_options(Options& options, const nn::MlpShape& network,
                                   const pinn::TrainingConfig& training, const std::string& run);

/// The subdomain a point (coordinates beyond the grid's dimension unused) belongs to: a point on
/// an interface goes to the lower side. Local.
int subdomain_of(const dd::SubdomainGrid& grid, const dd::Corner& point);

/// "2 x 2 x 2": the first dim counts (subdomains or processes per direction). Local.
std::string counts_text(const std::array<int, 3>& counts, int dim);

/// The initial-network seeds of this rank's subdomains, from the run's seed and each subdomain's
/// id (never the rank), so a tiling starts from the same networks on every rank count.
std::vector<std::uint64_t> subdomain_network_seeds(const dd::SubdomainGrid& grid,
                                                   std::uint64_t seed);

/// Collective over grid.comm(). Throws the same InputError on every rank, saying `what` does not
/// split along the subdomain boundaries and how to fix it, if some rank holds points of a
/// subdomain it does not own (a point on an interface may lie in either subdomain of the plane:
/// the lower one, or the upper one if this rank owns that).
void check_points_owned(const dd::SubdomainGrid& grid, const Coordinates& points,
                        const std::string& what);

/// The id of the subdomain (all owned here, see check_points_owned) each of this rank's points
/// lies in, as doubles for a field file. Not collective.
std::vector<double> subdomain_ids(const dd::SubdomainGrid& grid, const Coordinates& points);

/// Output `output` of the network of each point's subdomain (all owned here). Not collective.
std::vector<double> sample_subdomain_networks(const dd::SubdomainGrid& grid,
                                              const nn::StackedMlp& nets, const Coordinates& points,
                                              int output = 0);

/// Output `output` of the FBPINN windowed sum (dd/windowed_sum.hpp) of nets under windows at
/// this rank's points, each assigned to the subdomain whose box holds it (all owned here; see
/// check_points_owned). Collective over grid.comm().
std::vector<double> sample_windowed_sum(const dd::SubdomainGrid& grid,
                                        const dd::PartitionOfUnity& windows, nn::StackedMlp& nets,
                                        const Coordinates& points, int output = 0);

/// Every subdomain's loss terms, one row per recorded iteration: iteration, phase, their sum,
/// then the terms. Rank 0 keeps them; every rank passes the same terms.
class SubdomainHistories {
public:
  SubdomainHistories(int subdomains, const std::vector<std::string>& term_names);

  /// terms: term_names().size() values per subdomain, by id (the loss's subdomain_terms()).
  void record(int iteration, int phase, const std::vector<double>& terms);
  /// Collective over the file's communicator: the tables history_subdomain_<id>.
  void write(io::FieldFile& file) const;

private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;  // per subdomain
};

}  // namespace tessera::run
