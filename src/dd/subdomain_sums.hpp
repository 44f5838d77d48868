#pragma once
// Reductions over subdomains whose result does not depend on how subdomains are spread over
// ranks: each rank contributes one row per owned subdomain, every rank receives every
// subdomain's row exactly as its owner computed it (an allreduce in which each entry has one
// non-zero contribution is exact), and sums are then taken in subdomain-id order. The same
// tiling therefore gives bitwise the same losses and L-BFGS steps on 1, 2 or 4 ranks.
#include <vector>

#include "dd/subdomain_grid.hpp"
#include "nn/lbfgs.hpp"

namespace tessera::dd {

/// Collective over grid.comm(). owned_rows holds `columns` values per owned subdomain, in
/// grid.owned() order; returns count() rows (by subdomain id) of `columns` values, on every rank.
std::vector<double> gather_subdomain_rows(const SubdomainGrid& grid,
                                          const std::vector<double>& owned_rows, int columns);

/// The inner product of a parameter vector that holds, on each rank, the networks of its owned
/// subdomains one after the other (parameters_per_network each): per-subdomain partial sums,
/// gathered and added in id order. Collective over grid.comm().
class SubdomainInnerProduct : public nn::InnerProduct {
public:
  SubdomainInnerProduct(const SubdomainGrid& grid, long parameters_per_network)
      : grid_(grid), parameters_per_network_(parameters_per_network) {}
  double dot(const nn::Vector& a, const nn::Vector& b) const override;
  double max_abs(const nn::Vector& a) const override;

private:
  const SubdomainGrid& grid_;
  long parameters_per_network_;
};

}  // namespace tessera::dd
