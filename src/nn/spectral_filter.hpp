#pragma once
// A spectral filter of fields on a periodic grid decomposed over ranks, for the rollout of
// operators whose state is fed back step after step (issue 15): the energy that a network's
// output leaves at the highest wavenumbers is fed into the next step and amplified, and an LES
// rollout blows up within a few windows. The filter keeps the band of Orszag's 2/3 rule and
// damps its top smoothly (Hesthaven's exponential filter):
//
//   σ(k) = exp(-36 ρ^p),  ρ = sqrt(Σ_d (k_d / c_d)²),  c_d = n_d / 3,
//
// for |k_d| <= c_d in every dimension, 0 outside (σ <= exp(-36) ≈ 2e-16 from ρ = 1 on anyway). A
// high order p damps only the top of the band; p = 2 damps everything smoothly. The filter is
// linear: F u = irfftn(σ rfftn(u)), through nn::TruncatedDft on the kept band (partial transforms
// of the rank's block, one allreduce of the kept modes, the inverse at the rank's points).
#include <mpi.h>

#include <vector>

#include "nn/truncated_dft.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

class SpectralFilter {
public:
  /// Not collective. grid: the global points per dimension in the C order of the operators'
  /// arrays ([z][y][x], 2D or 3D, each >= 3); block: this rank's; order p >= 1; comm: the ranks
  /// that share one sample's grid. Throws tessera::Error for a grid the filter cannot keep a band
  /// of.
  SpectralFilter(const std::vector<int>& grid, const GridBlock& block, int order, MPI_Comm comm);

  int order() const { return order_; }
  /// σ at the kept mode of signed wavenumbers k (C order, as grid). Not collective.
  double factor(const std::vector<int>& k) const;

  /// Collective over comm. Filters, in place, `fields` consecutive channels starting at channel
  /// `first` of each of `samples` samples laid out [samples][channels][this rank's points].
  void apply(const Vector& values, int samples, int channels, int first, int fields);
  /// Collective over comm. The transpose of apply() (the backward pass of a rollout step).
  void apply_adjoint(const Vector& values, int samples, int channels, int first, int fields);

private:
  void prepare(int fields);
  // Collective over comm: apply() or apply_adjoint().
  void filter(const Vector& values, int samples, int channels, int first, int fields, bool adjoint);

  TruncatedDft dft_;
  int order_;
  MPI_Comm comm_;
  std::vector<int> cut_;  // c_d
  Vector factors_;        // σ per kept mode
  Vector modes_, work_a_, work_b_;
  Kokkos::View<double*, Kokkos::HostSpace> staging_;
  int fields_ = 0;
};

}  // namespace tessera::nn
