#pragma once
// The truncated real DFT of fields on a grid decomposed over ranks (DESIGN.md section 5): numpy's
// rfftn restricted to the kept low modes, and its inverse irfftn, as dense DFTs one dimension at
// a time (GEMMs against cos/sin tables of the kept modes at this rank's own indices, built once).
// The Fourier layers (nn/spectral_conv) and the LES residual (physics/les_residual) transform
// through it; no FFT library.
//
// Kept modes: k_d in [0, m_d) and [n_d - m_d, n_d) for every dimension but the last, k_last in
// [0, m_last); so 2 m_d <= n_d, and m_last <= n_last / 2 + 1. K_d = 2 m_d (m_last in the last
// dimension) kept indices q_d per dimension: q_d < m_d is k_d = q_d, else k_d = n_d - 2 m_d + q_d.
//
// Layouts (flat, C order, last index fastest):
//   points : [channels][e1][e2]([e3])   this rank's block of `channels` real fields
//   modes  : [re/im][k][channels]       complex coefficients of the kept modes, the real block
//                                       then the imaginary one; k the C-order index of (q_1, ...)
// forward() gives this rank's partial sums of rfftn (unnormalised): the coefficients of the whole
// grid are their sum over the ranks (one MPI_Allreduce by the caller). inverse() evaluates irfftn
// of replicated coefficients at this rank's points alone (1/N, the last dimension's modes 0 and
// n/2 counted once, the others twice, the imaginary part of its modes 0 and n/2 ignored); no
// communication. The adjoints (for backward passes) swap the two: inverse_adjoint() gives partial
// sums to be allreduced, forward_adjoint() acts on replicated coefficients at own points.
#include <vector>

#include "nn/types.hpp"

namespace tessera {
class Decomposition;
}

namespace tessera::nn {

/// This rank's block of the global grid: first global index and number of points per dimension
/// (any Cartesian split; every extent >= 1).
struct GridBlock {
  std::vector<int> offset;
  std::vector<int> extent;
};

/// The block of a Decomposition's grid that this rank owns, in the C order of the neural
/// operators' arrays (the decomposition's last axis first: [z][y][x], x fastest). Not collective.
GridBlock grid_block(const Decomposition& decomposition);

template <class Scalar>
class TruncatedDftOf {
public:
  using Values = VectorOf<Scalar>;

  TruncatedDftOf() = default;
  /// Not collective (callers that need it check that the ranks' blocks cover the grid). Throws
  /// tessera::Error, naming `owner`, for a grid that is not 2D or 3D, modes above the Nyquist
  /// limit (2 m_d > n_d, m_last > n_last / 2 + 1), or a block outside the grid.
  TruncatedDftOf(const char* owner, const std::vector<int>& grid, const std::vector<int>& modes,
                 const GridBlock& block);

  int dimensions() const { return static_cast<int>(grid_.size()); }
  const std::vector<int>& grid() const { return grid_; }
  const std::vector<int>& modes() const { return modes_; }
  const GridBlock& block() const { return block_; }
  /// K_d per dimension.
  const std::vector<int>& kept() const { return kept_; }
  long local_points() const { return local_points_; }
  /// Kept complex modes K = prod_d K_d.
  long kept_modes() const { return kept_modes_; }
  /// The signed wavenumber (-n/2 < k <= n/2) of kept index q of dimension d. Not collective.
  int wavenumber(int d, int q) const;
  /// Values each of the two work arrays of a transform of `channels` fields must hold.
  long work_size(long channels) const;

  /// points -> this rank's partial coefficients (rfftn's tables). Not collective.
  void forward(const Scalar* points, Scalar* modes, long channels, Scalar* work_a,
               Scalar* work_b) const;
  /// Replicated coefficients -> values at this rank's points (irfftn's tables). Not collective.
  void inverse(const Scalar* modes, Scalar* points, long channels, Scalar* work_a,
               Scalar* work_b) const;
  /// The transpose of inverse(): dL/d(values at own points) -> this rank's partial
  /// dL/d(coefficients). Not collective.
  void inverse_adjoint(const Scalar* points, Scalar* modes, long channels, Scalar* work_a,
                       Scalar* work_b) const;
  /// The transpose of the (summed) forward(): replicated dL/d(coefficients) -> dL/d(values at own
  /// points). Not collective.
  void forward_adjoint(const Scalar* modes, Scalar* points, long channels, Scalar* work_a,
                       Scalar* work_b) const;

private:
  // The separable truncated DFT of channels fields (points layout) to their kept modes (modes
  // layout) through real[d], imag[d], and its transpose from kept modes to this rank's points.
  void to_modes(const Scalar* in, Scalar* out, long channels,
                const std::vector<MatrixOf<Scalar>>& real,
                const std::vector<MatrixOf<Scalar>>& imag, Scalar* work_a, Scalar* work_b) const;
  void to_points(const Scalar* in, Scalar* out, long channels,
                 const std::vector<MatrixOf<Scalar>>& real,
                 const std::vector<MatrixOf<Scalar>>& imag, Scalar* work_a, Scalar* work_b) const;
  // Points of the block in dimensions before d, and kept modes in dimensions after d.
  long points_before(int d) const;
  long modes_after(int d) const;

  std::vector<int> grid_, modes_;
  GridBlock block_;
  std::vector<int> kept_;
  long local_points_ = 0, kept_modes_ = 0;
  // Per dimension d, extent e_d x 2 K_d: rfftn's [cos, -sin] and [sin, cos] of the kept modes at
  // this rank's indices; irfftn's the same times 1/n_d (and the Hermitian weight 1 or 2 in the
  // last dimension). The last dimension's imaginary tables are never needed (real in, real out).
  std::vector<MatrixOf<Scalar>> forward_real_, forward_imag_, inverse_real_, inverse_imag_;
};
using TruncatedDft = TruncatedDftOf<double>;

}  // namespace tessera::nn
