#pragma once
// Residual-based adaptive refinement (RAR, Lu et al. 2021, DeepXDE): every few iterations the
// PDE residual is evaluated on a large uniform candidate set and m candidates join the interior
// collocation points: the m of largest residual (greedy RAR), or m drawn without replacement
// with probability proportional to |r|^k / mean |r|^k + c (RAR-D, Wu et al. 2023), which spreads
// them over every region of large residual instead of the neighbourhood of one maximum. The
// candidates are drawn from a seed the same way on every rank (like the collocation points), each
// rank evaluates its share, the magnitudes are gathered, and every rank selects the same m, keeping
// its share: the union of the interior sets over the ranks is the same for any rank count.
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nn/types.hpp"

namespace tessera {
class Options;
}

namespace tessera::pinn {

struct ResamplingConfig {
  int every = 0;           // Adam iterations between refinement rounds; 0: off
  long candidates = 8192;  // uniform candidates in the box per round (global)
  long points = 64;        // m: candidates added per round (global)
  bool density = false;    // false: the m largest; true: drawn with density |r|^k/mean + c
  double exponent = 2.0;   // k
  double uniform = 1.0;    // c
  std::uint64_t seed = 4321;
  // The box the candidates are drawn in, one bound per input: the problem's (the run sets it);
  // empty: the unit box of the loss's inputs.
  std::vector<double> lower, upper;

  /// Reads -train_rar_every, -train_rar_candidates, -train_rar_points, -train_rar_selection,
  /// -train_rar_exponent, -train_rar_uniform.
  static ResamplingConfig from_options(Options& options);
};

/// A loss whose interior point set can be refined by its residual.
class ResidualSampled {
public:
  virtual ~ResidualSampled() = default;
  virtual MPI_Comm communicator() const = 0;
  /// The coordinates of a point (the network's inputs).
  virtual int inputs() const = 0;
  /// |PDE residual| at each of this rank's points (inputs x n). Not collective.
  virtual std::vector<double> residual_magnitudes(const nn::Matrix& points) = 0;
  /// Collective. Appends this rank's new points (inputs x n) to the interior set.
  virtual void add_interior_points(const nn::Matrix& points) = 0;
};

/// Collective over loss.communicator(). One RAR round (round numbers the candidate draws):
/// adds config.points candidates chosen by their residuals; returns the global count added. With
/// chosen, appends to it a row (round, then the point's inputs() coordinates) per point added,
/// in the order every rank selects
/// them (the same rows on every rank, whatever the rank count): what a checkpoint records.
long refine_by_residual(ResidualSampled& loss, const ResamplingConfig& config, int round,
                        std::vector<double>* chosen = nullptr);

/// Collective over loss.communicator(). Adds the points of rows (round, x, y, ...), as
/// refine_by_residual's chosen gave them, round by round, each rank its share of each round as
/// refine_by_residual keeps it: on the rank count that chose them, every rank's interior set
/// becomes what it was, in the same order; on another, what that rank count would have kept of
/// the same choices. Returns the count added.
long restore_refinement(ResidualSampled& loss, const std::vector<double>& rows);

/// The columns of the rows of refine_by_residual's chosen for points of `inputs` coordinates:
/// round, then x, y, z, t as far as they go (a checkpoint's table).
std::vector<std::string> refinement_columns(int inputs);

}  // namespace tessera::pinn
