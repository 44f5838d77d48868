#pragma once
// The Fourier Neural Operator (Li et al. 2021) as FNO2d / FNO3d of the paper's code, on a grid
// decomposed over the ranks of a space communicator (DESIGN.md section 5).
//
//   a = [x, grid]            grid coordinates appended after the input channels (optional):
//                            channel in_channels + d holds linspace(0, 1, n_d) along dimension d
//                            (0 where n_d = 1), as get_grid of the FNO code (its gridx, gridy[,
//                            gridz] order), always over the unpadded global grid
//   h_0 = pad(P a + p)       lifting: pointwise linear (in_channels [+ dims]) -> width, then
//                            padding[d] zero points appended at the END of dimension d
//                            (F.pad after fc0: the padded points are 0, not the bias;
//                            nn/fno_padding.hpp)
//   h_{l+1} = gelu(K_l h_l + W_l h_l + b_l)   l < L - 1  (K_l: SpectralConv on the padded grid,
//   h_L     =      K_l h_l + W_l h_l + b_l    l = L - 1   W_l: 1x1 convolution width -> width)
//   y = Q_2 gelu(Q_1 crop(h_L) + q_1) + q_2   projection width -> projection_width -> out
// gelu is the exact erf form (torch's default). FNO2d pads both dimensions by 9, FNO3d only its
// last (time) dimension by 6; Tessera's space-time network puts time first (padding {6, 0, 0}).
//
// Array layouts (flat Vectors, C order, last index fastest, as torch's NCHW(D)):
//   x  : [batch][in_channels][e1][e2]([e3])    this rank's block of the (unpadded) grid
//   y  : [batch][out_channels][e1][e2]([e3])
// With padding the ranks that own the end of dimension d hold padding[d] more points of it in
// the hidden layers (their padded block extends by it); crop removes them before the
// projection, so x and y never hold padded points.
//
// Parameters: one flat Vector of parameter_count() values, gradients in another of the same
// layout: the reference module's parameters() in registration order, each tensor flattened in C
// order, complex as (re, im) pairs, i.e. torch.cat([torch.view_as_real(p).flatten() if
// p.is_complex() else p.flatten() for p in model.parameters()]):
//   fc0.weight (width, in_channels [+ dims]), fc0.bias (width)
//   conv_l.weights1 .. weights{2, 4}, l = 0 .. L-1   (SpectralConv's layout, spectral_offset(l))
//     or, for a TFNO (factorization cp or tucker), conv_l's factorised blocks in
//     FactorizedWeight's layout (CP: lambda, A, B, C_1..C_D; Tucker: core, U_in, U_out,
//     U_1..U_D; each complex block all real parts, then all imaginary parts)
//   w_l.weight (width, width), w_l.bias (width),      l = 0 .. L-1
//   fc1.weight (projection_width, width), fc1.bias, fc2.weight (out_channels, projection_width),
//   fc2.bias
// A weight (out, in) in C order is the column-major in x out matrix M, so a pointwise linear is
// per sample the GEMM [points x in] M = [points x out] on the [channel][points] block.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/fno_padding.hpp"
#include "nn/spectral_conv.hpp"
#include "nn/types.hpp"

namespace tessera::nn {

struct FnoShape {
  int dims = 2;  // 2 or 3 spatial dimensions
  int in_channels = 1, out_channels = 1, width = 32, layers = 4;
  std::vector<int> modes;  // kept modes per dimension, as SpectralConv (on the padded grid)
  int projection_width = 128;
  // Zero points appended at the end of each dimension after the lifting (dims entries; empty: no
  // padding).
  std::vector<int> padding;
  bool grid_coordinates = true;
  // TFNO: the Fourier layers' weights as CP or Tucker tensors holding `rank` (a fraction) of the
  // dense parameter count (FactorizedWeight's rule); dense is the FNO.
  Factorization factorization = Factorization::Dense;
  double rank = 1.0;
  SpectralInit init = SpectralInit::Paper;  // how the Fourier layers' weights are drawn
};

/// One pointwise linear layer (a 1x1 convolution with bias) of the flat parameter vector: its
/// weight (out, in) in C order at offset, then its out biases.
struct PointwiseLinear {
  int in = 0, out = 0;
  long offset = 0;
  long parameter_count() const { return long(in) * out + out; }
};

/// Activations a forward pass keeps for the backward pass, and the buffers both reuse; sized by
/// the first call for a batch size, reused while it stays the same. Scalar: the network's
/// precision.
template <class Scalar>
struct FnoWorkspaceOf {
  using Values = VectorOf<Scalar>;
  int batch = 0;
  Values lift_input;                  // a = [x, grid], [b][in (+dims)][points]
  Values lifted;                      // P a + p before padding (aliases hidden[0] unpadded)
  std::vector<Values> hidden;         // h_l, l < L, [b][width][padded points]
  std::vector<Values> preactivation;  // K_l h_l + W_l h_l + b_l, [b][width][padded points]
  Values cropped;                     // crop(h_L) (aliases preactivation[L-1] unpadded)
  Values projection_preactivation, projection;  // Q_1 crop(h_L) + q_1 and its gelu
  Values adjoint_projection;    // dL/d(projection), then in place its preactivation's
  Values adjoint_cropped;       // dL/d crop(h_L) (aliases adjoint_z unpadded)
  Values adjoint_z, adjoint_h;  // dL/d preactivation_l, dL/dh_l, padded
  Values adjoint_lifted;        // crop(dL/dh_0) (aliases adjoint_h unpadded)
  Values adjoint_lift_input;    // dL/da with grid coordinates
  std::vector<SpectralConvWorkspaceOf<Scalar>> spectral;  // one per Fourier layer
  Values ones;                // max(points, padded points) ones: bias gradients as GEMVs
  Values pointwise_gradient;  // this rank's share of the pointwise layers' gradient: fc0, then
                              // w_0 .. fc2 (the flat layout without the spectral weights)
  Kokkos::View<double*, Kokkos::HostSpace> staging;  // its allreduce's host side (device builds)
};
using FnoWorkspace = FnoWorkspaceOf<double>;

/// Scalar: the precision the network computes and stores its parameters in, double or float
/// (-operator_precision; nn/operator_model keeps a float network's master parameters in double);
/// Fno is the double network.
template <class Scalar>
class FnoOf {
public:
  using Values = VectorOf<Scalar>;
  using Workspace = FnoWorkspaceOf<Scalar>;

  /// grid: global points per dimension (unpadded); block: this rank's part of it (any Cartesian
  /// split, as SpectralConv). Collective over space (the Fourier layers check the blocks). Throws
  /// tessera::Error, on every rank, for a shape that does not fit: dims not 2 or 3, channels,
  /// width, layers or projection width < 1, padding not one count >= 0 per dimension, modes
  /// above the Nyquist limit of the padded grid. space must outlive the network.
  FnoOf(const FnoShape& shape, const std::vector<int>& grid, const GridBlock& block,
        MPI_Comm space);
  /// The whole grid on this rank alone (MPI_COMM_SELF). Not collective.
  FnoOf(const FnoShape& shape, const std::vector<int>& grid);

  const FnoShape& shape() const { return shape_; }
  const std::vector<int>& grid() const { return grid_; }
  const GridBlock& block() const { return block_; }
  /// The space communicator the network was built on.
  MPI_Comm space() const { return space_; }
  /// The hidden layers' grid and this rank's block of it, with the padding it owns.
  const FnoPadding& padding() const { return padding_; }
  const GridBlock& padded_block() const { return padding_.block; }
  long local_points() const { return padding_.local_points; }
  long padded_local_points() const { return padding_.padded_points; }
  long parameter_count() const { return parameter_count_; }
  /// The flat parameters (deep_copy into them; the Fourier layers hold views of their slices).
  const Values& parameters() const { return parameters_; }

  /// The blocks of the flat layout (see the header comment).
  const PointwiseLinear& lifting() const { return lifting_; }
  const PointwiseLinear& pointwise(int l) const { return pointwise_[size_t(l)]; }
  const PointwiseLinear& projection(int k) const { return projection_[size_t(k)]; }
  long spectral_offset(int l) const { return spectral_offset_[size_t(l)]; }
  const SpectralConvOf<Scalar>& spectral(int l) const { return spectral_[size_t(l)]; }

  /// torch's defaults from seed, the same on every rank: every pointwise weight and bias uniform
  /// in [-1/sqrt(in), 1/sqrt(in)); SpectralConv::initialize for the Fourier layers. Not
  /// collective.
  void initialize(std::uint64_t seed);

  /// Sizes ws for batch samples; cheap when already sized. Not collective.
  void prepare(Workspace& ws, int batch) const;

  /// y = FNO(x) at this rank's points (layouts above; the batch is x.extent(0) / (in_channels *
  /// local_points())). Keeps what backward needs in ws. Collective over space: one
  /// MPI_Allreduce per Fourier layer.
  void forward(const Values& x, const Values& y, Workspace& ws) const;

  /// Reverse pass of the last forward(ws): given dL/dy at this rank's points, adds dL/d(parameters)
  /// into gradient (parameter_count() entries; the caller zeroes it) and, if dx is not empty,
  /// writes dL/dx at this rank's points into it. The added gradient is the whole grid's, the same
  /// on every rank of space (the pointwise layers' shares are summed over space once, through
  /// ws.pointwise_gradient): do not sum it over space again. Collective over space: one
  /// MPI_Allreduce per Fourier layer and one of the pointwise layers' gradient (its size
  /// independent of the grid).
  void backward(const Values& dy, const Values& gradient, Workspace& ws,
                const Values& dx = Values()) const;

  /// Sums gradient (parameter_count() entries, in place) over comm: the gradient of the sum of
  /// the ranks' losses. Over the samples communicator of data parallelism, with each rank's loss
  /// normalised by the global sample count, that is the whole batch's mean-loss gradient.
  /// Collective over comm.
  void allreduce_gradient(const Values& gradient, MPI_Comm comm) const;

  /// Bytes reduced over space by one Fourier layer's forward and backward call (all layers are
  /// alike): SpectralConv::bytes_per_call, independent of the grid and its split.
  SpectralConvTraffic bytes_per_layer(int batch) const;

  /// E.g. "FNO-2D: width 32, 4 layers, modes 12x12, projection 128, padding 9x9, grid
  /// coordinates, 2,368,001 parameters" (no padding: no "padding"); a TFNO adds its factorisation
  /// and the spectral weights' compression (all layers, dense count over factorised count), e.g.
  /// "TFNO-2D: width 8, 3 layers, modes 4x4, projection 16, padding 2x2, grid coordinates, Tucker
  /// rank 0.1 (ranks 4x4x4x2), spectral weights 12,288 -> 1,392 (compression 8.83x), 1,801
  /// parameters".
  std::string summary() const;

private:
  // Per sample, from [points x in] M to [points x out] (adjoint: [points x out] M^T to
  // [points x in]), M the layer's weight; to = product + beta to.
  void linear(const PointwiseLinear& layer, bool adjoint, const Values& from, const Values& to,
              long points, int batch, double beta) const;
  // Adds the weight and bias gradient of the layer (input x, output adjoint dy) into its slot
  // of the pointwise gradient buffer.
  void linear_backward(const PointwiseLinear& layer, const Values& x, const Values& dy,
                       const Values& gradient, const Values& ones, long points, int batch) const;
  UnmanagedVectorOf<Scalar> pointwise_gradient(const PointwiseLinear& layer,
                                               const Values& buffer) const;
  bool padded() const { return padding_.pads(); }

  FnoShape shape_;
  std::vector<int> grid_;
  GridBlock block_;
  FnoPadding padding_;
  MPI_Comm space_ = MPI_COMM_SELF;
  long parameter_count_ = 0;
  PointwiseLinear lifting_;
  std::vector<PointwiseLinear> pointwise_;
  PointwiseLinear projection_[2];
  std::vector<long> spectral_offset_;
  long tail_offset_ = 0;  // where w_0.weight starts: the pointwise layers after the spectral ones
  std::vector<SpectralConvOf<Scalar>> spectral_;
  Values parameters_;
  Kokkos::View<double*, Kokkos::HostSpace> staging_;  // allreduce_gradient on device builds
};
using Fno = FnoOf<double>;

}  // namespace tessera::nn
