#pragma once
// A Comparison samples the learned and the reference solution on the same grid (this rank's
// block of the reference grid) and reports relative L2 errors over the global grid.
#include <array>
#include <vector>

#include "core/decomposition.hpp"
#include "nn/mlp.hpp"

namespace tessera::run {

/// Network output `output` at the points (xs[k], ys[k]). Not collective.
std::vector<double> sample_network(const nn::Mlp& net, const std::vector<double>& xs,
                                   const std::vector<double>& ys, int output = 0);

/// Network output `output` at the points whose coordinate i is coordinates[i][k], one list per
/// input, all of the same length. Not collective.
std::vector<double> sample_network(const nn::Mlp& net,
                                   const std::vector<std::vector<double>>& coordinates,
                                   int output = 0);

/// ||a - b|| / ||b|| over the union of every rank's a and b. Collective over comm.
double relative_l2(MPI_Comm comm, const std::vector<double>& a, const std::vector<double>& b);

class Comparison {
public:
  /// The grid is decomp's global grid of points on [0,1]^dim (dim 1 to 3) with spacing h.
  Comparison(const Decomposition& decomp, double h);

  /// Network values at this rank's grid points, x fastest (not collective).
  std::vector<double> sample(const nn::Mlp& net) const;

  /// Applies f(x, y) at this rank's grid points (2D).
  template <class F>
  std::vector<double> tabulate(const F& f) const {
    std::vector<double> v(xs_.size());
    for (size_t k = 0; k < v.size(); ++k) v[k] = f(xs_[k], ys_[k]);
    return v;
  }

  const std::vector<double>& x() const { return xs_; }
  const std::vector<double>& y() const { return ys_; }  // 0 in 1D
  const std::vector<double>& z() const { return zs_; }  // 0 in 1D and 2D
  /// The k-th point of this rank's block (coordinates beyond the dimension 0).
  std::array<double, 3> point(size_t k) const { return {xs_[k], ys_[k], zs_[k]}; }

  /// ||a - b|| / ||b|| over the global grid. Collective over the decomposition's communicator.
  double relative_l2(const std::vector<double>& a, const std::vector<double>& b) const;

private:
  const Decomposition& decomp_;
  std::vector<double> xs_, ys_, zs_;
};

}  // namespace tessera::run
