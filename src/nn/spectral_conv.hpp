#pragma once
// The spectral convolution of the Fourier Neural Operator (Li et al. 2021, SpectralConv2d and
// SpectralConv3d) on a grid decomposed over the ranks of a communicator (DESIGN.md section 5).
//
// Semantics, for input x[b][i][n1][n2](n3) (real) and output y[b][o][...] (real):
//   X = rfftn(x) over the grid dimensions (unnormalised, numpy's default "backward" norm),
//   out_hat[b][o][k] = sum_i X[b][i][k] W[i][o][k] on the kept modes, 0 elsewhere,
//   y = irfftn(out_hat, s = grid) (1/N, the last dimension's modes 0 and n/2 counted once, the
//       others twice, the imaginary part of its modes 0 and n/2 ignored, as numpy's irfftn).
// Kept modes: k_d in [0, m_d) and [n_d - m_d, n_d) for every dimension but the last, k_last in
// [0, m_last); so 2 m_d <= n_d, and m_last <= n_last / 2 + 1.
//
// The truncated transforms are nn/truncated_dft's (dense DFTs as GEMMs, no FFT library). Forward:
// the partial coefficients of this rank's block, one MPI_Allreduce (sum) of batch * C_in * K
// complex numbers, the channel mixing per mode, the inverse at own points. Backward: the adjoint of
// the local inverse, one MPI_Allreduce of batch * C_out * K complex numbers, then the weight
// gradient (the same on every rank) and the input gradient at own points. The volume reduced does
// not depend on the grid size or on the layout (slab, pencil, brick); see bytes_per_call().
//
// Array layouts (flat Vectors, C order, last index fastest, as torch's NCHW(D)):
//   x  : [batch][in_channels][e1][e2]([e3])   this rank's block, extents e_d of GridBlock
//   y  : [batch][out_channels][e1][e2]([e3])
// Parameters (parameter_count() doubles), as the FNO code's weights1..weights4 one after the
// other, each torch tensor (in, out, m1, m2[, m3]) complex in C order with re, im interleaved:
//   index = (((((j * in + i) * out + o) * m1 + a1) * m2 + a2) [* m3 + a3]) * 2 + {0: re, 1: im}
// where corner j = s1 + 2 s2 (3D) or j = s1 (2D), s_d = 1 for the negative frequencies of
// dimension d (k_d = n_d - m_d + a_d), 0 for the positive ones (k_d = a_d); the last dimension
// is never split. Gradients have the same layout.
//
// Factorised weights (TFNO; nn/factorized_weight.hpp): with factorization = cp or tucker the
// weight is one CP or Tucker tensor over all kept modes, rank a fraction of the dense parameter
// count; the parameters are then FactorizedWeight's blocks in its documented layout, and the
// channel mixing contracts the factors without forming the dense weight. The contraction runs
// after the forward's allreduce on the replicated coefficients: every rank computes it for all
// kept modes (redundantly, as the dense mixing), so the traffic is the same as the dense layer's.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/factorized_weight.hpp"
#include "nn/truncated_dft.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

/// How SpectralConv::initialize draws the spectral weights (a factorised weight: its factors, so
/// that the weight they rebuild has the same mean square E|W|^2).
enum class SpectralInit {
  Paper,  // the FNO code: re and im uniform in [0, c), c = 1 / (in out): E|W|^2 = 2 c^2 / 3
  Neuraloperator,  // neuraloperator's SpectralConv (init_std "auto"): complex normal, zero mean,
                   // E|W|^2 = 2 / (in + out), about 10^4 times the paper's at width 20
};

SpectralInit spectral_init_from_name(const std::string& name);  // "paper", "neuraloperator"

struct SpectralConvShape {
  int in_channels = 1;
  int out_channels = 1;
  std::vector<int> grid;   // global points per dimension (n1, n2[, n3]): 2D or 3D
  std::vector<int> modes;  // kept modes per dimension (m1, m2[, m3]), see above
  Factorization factorization = Factorization::Dense;  // dense, cp or tucker (TFNO)
  double rank = 1.0;                // factorised: fraction of the dense parameter count
  std::vector<int> tucker_ranks{};  // tucker: explicit ranks (in, out, K_1..K_D), else from rank
  SpectralInit init = SpectralInit::Paper;
};

/// Everything a forward pass keeps for its backward pass, and the buffers both reuse: sized by
/// the first call for a batch size and reused while the batch size stays the same. Scalar: the
/// layer's precision.
template <class Scalar>
struct SpectralConvWorkspaceOf {
  using Values = VectorOf<Scalar>;
  int batch = 0;
  Values input_modes;          // X, [re/im][k][b][i]: global after the forward's allreduce
  Values output_modes;         // out_hat in forward, dL/d(out_hat) in backward, [re/im][k][b][o]
  Values input_modes_adjoint;  // dL/dX, like input_modes
  Values work_a, work_b;       // the separable steps' intermediates
  Values packed_weights;       // dense layers: the weights mode-major for the mixing, made by
                               // forward and used by backward (spectral_mix.hpp)
  Values packed_gradient;      // dense layers: the weight gradient mode-major (backward's scratch)
  FactorizedWorkspaceOf<Scalar> factorized;  // the factorised contraction's (factorised layers)
  Kokkos::View<double*, Kokkos::HostSpace> staging;  // host side of the allreduces (device
                                                     // builds only; empty where host-accessible)
};
using SpectralConvWorkspace = SpectralConvWorkspaceOf<double>;

/// Bytes that one call reduces over the space communicator (values of the layer's precision,
/// complex as two).
struct SpectralConvTraffic {
  long forward = 0;
  long backward = 0;
};

/// Not collective. The batch of a call on fields laid out [batch][channels][block]: x holds
/// batch x in_per_sample values (batch >= 1) and y must hold batch x out_per_sample; throws
/// tessera::Error naming caller otherwise. SpectralConv and Fno check their calls with it.
template <class Scalar>
int batch_of(const char* caller, const VectorOf<Scalar>& x, long in_per_sample,
             const VectorOf<Scalar>& y, long out_per_sample);

/// Scalar: the precision the layer computes and stores its values in, double or float
/// (-operator_precision); SpectralConv is the double layer.
template <class Scalar>
class SpectralConvOf {
public:
  using Values = VectorOf<Scalar>;
  using Workspace = SpectralConvWorkspaceOf<Scalar>;

  /// Collective over space (it checks that the blocks of all ranks add up to the grid). Throws
  /// tessera::Error, on every rank, for a shape or block that does not fit: channels < 1, not 2
  /// or 3 dimensions, modes above the Nyquist limit (2 m_d > n_d, m_last > n_last / 2 + 1), a
  /// block outside the grid. space must outlive the layer.
  SpectralConvOf(const SpectralConvShape& shape, const GridBlock& block, MPI_Comm space);
  /// The whole grid on this rank alone (MPI_COMM_SELF). Not collective.
  explicit SpectralConvOf(const SpectralConvShape& shape);

  const SpectralConvShape& shape() const { return shape_; }
  const GridBlock& block() const { return block_; }
  int dimensions() const { return static_cast<int>(shape_.grid.size()); }
  /// Points of this rank's block.
  long local_points() const { return local_points_; }
  /// Kept complex modes K = prod_d K_d (K_d = 2 m_d, but m_last for the last dimension).
  long kept_modes() const { return kept_modes_; }
  long parameter_count() const { return parameter_count_; }
  /// 2 in out K: the dense layer's parameter count, whatever the factorisation.
  long dense_parameter_count() const {
    return 2 * kept_modes_ * shape_.in_channels * shape_.out_channels;
  }
  bool factorized() const { return shape_.factorization != Factorization::Dense; }
  /// The factorised weight's geometry (ranks, blocks); only for factorized() layers.
  const FactorizedWeight& factorized_weight() const { return factorized_; }
  Values& parameters() { return parameters_; }
  const Values& parameters() const { return parameters_; }
  /// Makes the layer use parameters (parameter_count() values, in the layout above) as its
  /// weights from now on, in place of the array it held: a network binds each layer to its slice
  /// of one flat vector (an unmanaged View works; it must then outlive the layer's use).
  /// Not collective.
  void bind(const Values& parameters);

  /// Draws the weights as the shape's SpectralInit says (by default as the FNO code: re and im of
  /// every weight uniform in [0, 1/(in*out))) from seed (SplitMix64), so every rank draws the
  /// same weights; factorised layers draw their factors to the same mean square
  /// (FactorizedWeight::initialize). Not collective.
  void initialize(std::uint64_t seed);

  /// Sizes ws for batch samples; cheap when already sized. Not collective.
  void prepare(Workspace& ws, int batch) const;

  /// y = SpectralConv(x) at this rank's points (layouts above; the batch is
  /// x.extent(0) / (in_channels * local_points())). Keeps the input's coefficients in ws for
  /// backward. Collective over the space communicator: one MPI_Allreduce.
  void forward(const Values& x, const Values& y, Workspace& ws) const;

  /// Reverse pass of the last forward(ws): given dL/dy at this rank's points, writes dL/dx at
  /// this rank's points into dx and adds dL/d(parameters) into gradient (parameter_count()
  /// entries; the caller zeroes it). The added gradient is the full one, the same on every rank:
  /// do not sum it over the space communicator. Collective over the space communicator: one
  /// MPI_Allreduce.
  void backward(const Values& dy, const Values& dx, const Values& gradient, Workspace& ws) const;

  /// Bytes reduced by one forward and by one backward call for batch samples: 2 sizeof(Scalar)
  /// batch K in_channels and 2 sizeof(Scalar) batch K out_channels (16 per complex value in
  /// double), whatever the grid and its split.
  SpectralConvTraffic bytes_per_call(int batch) const;

private:
  void allreduce(const Values& modes, Workspace& ws) const;

  SpectralConvShape shape_;
  GridBlock block_;
  MPI_Comm space_ = MPI_COMM_SELF;
  long local_points_ = 0, kept_modes_ = 0, parameter_count_ = 0, corner_modes_ = 0;
  TruncatedDftOf<Scalar> dft_;
  Kokkos::View<long*> mode_weight_;  // kept mode k -> index of W[corner][0][0][a] (complex)
  FactorizedWeight factorized_;      // factorised layers only
  Values parameters_;
};
using SpectralConv = SpectralConvOf<double>;

}  // namespace tessera::nn
