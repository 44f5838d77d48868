#pragma once
// Factorised spectral weights of a Fourier layer: the TFNO of Kossaifi et al. ("Multi-Grid
// Tensorized Fourier Neural Operator"), neuraloperator's factorization = 'cp' | 'tucker'.
//
// The weight is ONE complex tensor over all kept modes, W[i][o][q_1][q_2]([q_3]), of shape
//   (I, O, K_1, ..., K_D),   I = in_channels, O = out_channels, K_d = 2 m_d (m_last for the last),
// where q_d is the kept-mode index of SpectralConv's workspaces: q_d < m_d is the frequency
// k_d = q_d, q_d >= m_d the negative one k_d = n_d - 2 m_d + q_d (so the dense layer's four corner
// tensors are the blocks of this one; neuraloperator orders its mode axis fftshifted instead: a
// permutation of the mode factors' rows). Factorised as
//   CP:     W[i][o][q] = sum_r lambda_r A[i][r] B[o][r] C_1[q_1][r] ... C_D[q_D][r]
//   Tucker: W[i][o][q] = sum_{p,s,t} G[p][s][t_1]..[t_D] U_i[i][p] U_o[o][s] U_1[q_1][t_1] ..
//                        U_D[q_D][t_D]
// with complex lambda, factors and core.
//
// Rank rule (tensorly's validate_cp_rank / validate_tucker_rank, which tltorch and neuraloperator
// call, rounding "round" = half to even): for a fraction f > 0 of the dense parameter count
// P = I O prod_d K_d (complex entries), over the tensor shape s = (I, O, K_1, .., K_D), N = D + 2:
//   CP:     R = round(f P / sum(s)), at least 1. Parameters (complex): R (1 + sum(s)) -- lambda
//           is not counted by the rule, so the count is slightly above f P.
//   Tucker: x solves P x^N + (sum_d s_d^2) x = f P (bisection on [0, max(f, 1)]), ranks
//           r_d = max(1, round(s_d x)) (here also at most s_d). Parameters (complex):
//           prod_d r_d + sum_d s_d r_d.
// tucker_ranks, when given (N entries), replaces the rule.
// Values in the flat parameter vector: twice the complex counts. The methods that take values
// are templates on their scalar (double or float: the layer's precision, nn/spectral_conv).
//
// Parameter layout (parameter_count() doubles, gradients alike): blocks one after the other,
// each a complex tensor in C order stored as all its real parts, then all its imaginary parts
// (split, so the projections are plain real GEMMs):
//   CP:     lambda (R), A (I, R), B (O, R), C_1 (K_1, R), .., C_D (K_D, R)
//   Tucker: G (r_i, r_o, r_1, .., r_D), U_i (I, r_i), U_o (O, r_o), U_1 (K_1, r_1), .., U_D
// block_offset(b) and block_entries(b) give block b's place (doubles) and size (complex).
//
// The contraction never builds the dense weight. With X[k][b][i] the kept coefficients:
//   CP:     P = X A (GEMM, channels -> R); Q[k][b][r] = P[k][b][r] s[k][r] with
//           s[k][r] = lambda_r prod_d C_d[q_d][r] (a kernel); out = Q B^T (GEMM, R -> O).
//           Cost per call 8 K batch R (I + O) flops: below the dense mixing's 8 K batch I O only
//           while R < I O / (I + O).
//   Tucker: P = X U_i (GEMM, I -> r_i); M_k = G x_{t_1} U_1 .. x_{t_D} U_D, the core contracted
//           with the mode factors one mode at a time (independent of the batch; r_i x r_o per
//           kept mode); Z[k][b][s] = sum_p P[k][b][p] M_k[p][s] (the dense layer's mixing
//           kernel); out = Z U_o^T (GEMM, r_o -> O).
// The backward pass runs the same steps in reverse with hand-written adjoints (complex
// gradients as dL/dRe + i dL/dIm, as SpectralConv).
//
// Initialisation: every factor entry (and the CP lambda = 1 aside, the Tucker core) complex
// normal with E|z|^2 = sigma^2 (re and im N(0, sigma^2 / 2)), sigma chosen so that the
// reconstructed weight has a given mean square E|W|^2 (SpectralConv's: its SpectralInit's):
// CP sigma^2 = (E|W|^2 / R)^(1 / N), Tucker sigma^2 = (E|W|^2 / prod r)^(1 / (N + 1)) (the factors
// and the core alike, as tltorch's cp_normal_ and tucker_normal_). Zero mean.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/types.hpp"

namespace tessera::nn {

enum class Factorization { Dense, Cp, Tucker };

/// "dense", "cp", "tucker".
const char* to_string(Factorization f);

/// What the factorised contraction keeps from forward for backward, and its buffers (complex;
/// split [re/im] unless said otherwise). The batch-dependent ones are sized per batch, the rest
/// once.
/// Scalar: the layer's precision (double or float), as the parameters the methods take.
template <class Scalar>
struct FactorizedWorkspaceOf {
  using Values = VectorOf<Scalar>;
  int batch = 0;
  Values projected;           // P = X A or X U_i, [k][b][r_in]
  Values mixed;               // Q or Z, before the output factor, [k][b][r_out]
  Values projected_adjoint;   // dL/dP
  Values mixed_adjoint;       // dL/dQ or dL/dZ
  Values scale;               // CP: s[k][r] = lambda_r prod_d C_d[q_d][r]
  Values scale_adjoint;       // CP: dL/ds
  Values core;                // Tucker: M = T_0, interleaved (re, im) [p][s][k]
  Values core_adjoint;        // Tucker: dL/dM, interleaved
  std::vector<Values> chain;  // Tucker: T_d, d = 1 .. D-1 (entry d; T_D is the core G):
                              // [p][s][t_1..t_d][q_{d+1}..q_D], T_{d-1} = T_d x_d U_d
  Values chain_adjoint[2];    // Tucker: dL/dT_d, alternating
};
using FactorizedWorkspace = FactorizedWorkspaceOf<double>;

class FactorizedWeight {
public:
  /// Not factorised (Dense): no parameters, nothing to do.
  FactorizedWeight() = default;
  /// The factorised weight of shape (in, out, kept[0], .., kept[D-1]). rank: the fraction f of
  /// the dense count (> 0), or tucker_ranks (D + 2 entries, each in [1, s_d]) for Tucker. Throws
  /// tessera::Error for a rank that does not fit. Not collective.
  FactorizedWeight(Factorization factorization, double rank, const std::vector<int>& tucker_ranks,
                   int in, int out, const std::vector<int>& kept);

  Factorization factorization() const { return factorization_; }
  /// (I, O, K_1, .., K_D).
  const std::vector<int>& tensor_shape() const { return shape_; }
  /// CP: {R}; Tucker: (r_i, r_o, r_1, .., r_D).
  const std::vector<int>& ranks() const { return ranks_; }
  long parameter_count() const { return parameter_count_; }
  /// 2 I O prod K_d: the dense layer's count.
  long dense_parameter_count() const;
  int blocks() const { return static_cast<int>(offsets_.size()); }
  long block_offset(int b) const { return offsets_[size_t(b)]; }
  long block_entries(int b) const { return entries_[size_t(b)]; }

  /// The rank rules of the header comment, for the tests and summaries.
  static int cp_rank(double fraction, const std::vector<int>& shape);
  static std::vector<int> tucker_ranks(double fraction, const std::vector<int>& shape);

  /// Draws the parameters (parameter_count() values) as the header comment says, from seed, the
  /// same on every rank, the reconstructed weight's E|W|^2 = mean_square. Not collective.
  template <class Scalar>
  void initialize(std::uint64_t seed, const VectorOf<Scalar>& parameters, double mean_square) const;

  /// Sizes ws for batch samples; cheap when already sized. Not collective.
  template <class Scalar>
  void prepare(FactorizedWorkspaceOf<Scalar>& ws, int batch) const;

  /// out_hat[k][b][o] = sum_i X[k][b][i] W[i][o][k] on the kept modes, x and y in SpectralConv's
  /// [re/im][k][b][channel] layout, without forming W. Keeps what backward needs in ws.
  /// Not collective (the coefficients are already global).
  template <class Scalar>
  void forward(const VectorOf<Scalar>& parameters, const VectorOf<Scalar>& x,
               const VectorOf<Scalar>& y, int batch, FactorizedWorkspaceOf<Scalar>& ws) const;
  /// Given dL/d out_hat (dy) of the last forward(ws) with input x, writes dL/dX into dx and adds
  /// dL/d(parameters) into gradient (parameter_count() entries). Not collective.
  template <class Scalar>
  void backward(const VectorOf<Scalar>& parameters, const VectorOf<Scalar>& x,
                const VectorOf<Scalar>& dy, const VectorOf<Scalar>& dx,
                const VectorOf<Scalar>& gradient, FactorizedWorkspaceOf<Scalar>& ws) const;

  /// E.g. "CP rank 0.1 (R = 295)", "Tucker rank 0.1 (ranks 18x18x13x7)".
  std::string describe() const;

private:
  int dims() const { return static_cast<int>(shape_.size()) - 2; }
  int in_rank() const;   // R or r_i
  int out_rank() const;  // R or r_o
  // Tucker: entries of the chain's T_d ([p][s][t_1..t_d][q_{d+1}..q_D]), and of its indices
  // before t_d (p, s, t_1..t_{d-1}) and after it (q_{d+1}..q_D).
  long chain_size(int d) const;
  long chain_before(int d) const;
  long chain_after(int d) const;
  // Tucker: M (interleaved [p][s][k]) from the core and the mode factors, keeping the chain;
  // and its adjoint from ws.core_adjoint into the core's and mode factors' gradients.
  template <class Scalar>
  void contract_core(const VectorOf<Scalar>& parameters, FactorizedWorkspaceOf<Scalar>& ws) const;
  template <class Scalar>
  void contract_core_adjoint(const VectorOf<Scalar>& parameters, const VectorOf<Scalar>& gradient,
                             FactorizedWorkspaceOf<Scalar>& ws) const;

  Factorization factorization_ = Factorization::Dense;
  double fraction_ = 1.0;
  std::vector<int> shape_, ranks_;
  std::vector<long> offsets_, entries_;
  long parameter_count_ = 0, kept_modes_ = 0;
  Kokkos::View<long*> identity_;  // k -> k: M's mode_weight for the mixing kernel
};

}  // namespace tessera::nn
