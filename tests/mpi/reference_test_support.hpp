#pragma once
// Helpers shared by the reference-solver tests: a scoped PETSc option, global error norms of a
// rank's block against a pointwise function, and observed convergence orders.
#include <mpi.h>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/decomposition.hpp"

namespace tessera::testing {

// Sets an option in the global database, as a deck would, for one scope.
class ScopedOption {
public:
  ScopedOption(std::string name, const char* value) : name_(std::move(name)) {
    PetscOptionsSetValue(nullptr, name_.c_str(), value);
  }
  ~ScopedOption() { PetscOptionsClearValue(nullptr, name_.c_str()); }
  ScopedOption(const ScopedOption&) = delete;
  ScopedOption& operator=(const ScopedOption&) = delete;

private:
  std::string name_;
};

struct ErrorNorms {
  double max = 0;      // max |u - v|
  double rms = 0;      // sqrt(mean (u - v)^2), the discrete L2 norm on the unit box
  double ref_rms = 0;  // sqrt(mean v^2), to make rms relative
};

/// Collective over comm. Norms of u - v over all ranks' values, v[i] the reference at u[i].
inline ErrorNorms error_norms(MPI_Comm comm, const std::vector<double>& u,
                              const std::vector<double>& v) {
  double local[3] = {0, 0, 0}, local_max = 0, global[3], global_max = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    const double e = u[i] - v[i];
    local_max = std::max(local_max, std::abs(e));
    local[0] += e * e;
    local[1] += v[i] * v[i];
    local[2] += 1;
  }
  MPI_Allreduce(local, global, 3, MPI_DOUBLE, MPI_SUM, comm);
  MPI_Allreduce(&local_max, &global_max, 1, MPI_DOUBLE, MPI_MAX, comm);
  return {global_max, std::sqrt(global[0] / global[2]), std::sqrt(global[1] / global[2])};
}

/// Not collective. f(i, j, k) at every point of this rank's block (global indices), x fastest:
/// the layout of the reference solvers' local_solution().
template <typename F>
std::vector<double> block_values(const Decomposition& decomp, F f) {
  const auto& s = decomp.local_start();
  const auto& c = decomp.local_count();
  std::vector<double> values;
  values.reserve(static_cast<size_t>(decomp.local_size()));
  for (int k = s[2]; k < s[2] + c[2]; ++k)
    for (int j = s[1]; j < s[1] + c[1]; ++j)
      for (int i = s[0]; i < s[0] + c[0]; ++i) values.push_back(f(i, j, k));
  return values;
}

/// Not collective. Observed order between errors e0 at spacing h0 and e1 at h1.
inline double observed_order(double e0, double h0, double e1, double h1) {
  return std::log(e0 / e1) / std::log(h0 / h1);
}

}  // namespace tessera::testing
