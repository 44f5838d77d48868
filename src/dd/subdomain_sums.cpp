#include "dd/subdomain_sums.hpp"

#include <algorithm>
#include <cmath>

#include "core/device_math.hpp"
#include "core/error.hpp"

namespace tessera::dd {

std::vector<double> gather_subdomain_rows(const SubdomainGrid& grid,
                                          const std::vector<double>& owned_rows, int columns) {
  const auto& owned = grid.owned();
  TESSERA_CHECK(owned_rows.size() == owned.size() * static_cast<size_t>(columns),
                "gather_subdomain_rows: " << owned_rows.size() << " values for " << owned.size()
                                          << " subdomains of " << columns << " columns");
  std::vector<double> all(static_cast<size_t>(grid.count()) * columns, 0.0);
  for (size_t l = 0; l < owned.size(); ++l)
    std::copy_n(owned_rows.begin() + l * columns, columns, all.begin() + owned[l] * columns);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, all.data(), static_cast<int>(all.size()), MPI_DOUBLE,
                                 MPI_SUM, grid.comm()));
  return all;
}

double SubdomainInnerProduct::dot(const nn::Vector& a, const nn::Vector& b) const {
  const long p = parameters_per_network_;
  const int local = static_cast<int>(grid_.owned().size());
  TESSERA_CHECK(a.extent(0) == static_cast<size_t>(p * local) && b.extent(0) == a.extent(0),
                "SubdomainInnerProduct: vectors of " << a.extent(0) << " and " << b.extent(0)
                                                     << " entries for " << local << " networks of "
                                                     << p);
  std::vector<double> partial(local);
  for (int l = 0; l < local; ++l) {
    // A plain ordered loop rather than BLAS: the sum must not depend on where the block starts.
    double sum = 0;
    Kokkos::parallel_reduce(
        "tessera::dd::subdomain_dot", Kokkos::RangePolicy<>(l * p, (l + 1) * p),
        KOKKOS_LAMBDA(const long i, double& acc) { acc += a(i) * b(i); }, sum);
    partial[l] = sum;
  }
  const auto all = gather_subdomain_rows(grid_, partial, 1);
  double total = 0;
  for (double v : all) total += v;
  return total;
}

double SubdomainInnerProduct::max_abs(const nn::Vector& a) const {
  double local = 0;
  Kokkos::parallel_reduce(
      "tessera::dd::subdomain_max_abs", Kokkos::RangePolicy<>(0, a.extent(0)),
      KOKKOS_LAMBDA(const long i, double& acc) { acc = math::fmax(acc, math::fabs(a(i))); },
      Kokkos::Max<double>(local));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &local, 1, MPI_DOUBLE, MPI_MAX, grid_.comm()));
  return local;
}

}  // namespace tessera::dd
