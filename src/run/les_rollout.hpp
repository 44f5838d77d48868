#pragma once
// The LES operator's rollout against the LES it replaces (issue 15): for the test samples of a
// rollout on an LES data set (frames of the three velocity components, records every Δ), per
// window end t_k the mean over the samples of the kinetic energy (1/V) ∫ |u|²/2 of the prediction
// and of the LES, the dissipation −dE/dt of each (differences between window ends), the relative
// L2 of the prediction; at the last window the shell-summed spectra E(k) of both
// (solvers/energy_spectrum.hpp); per window end the root mean square of the spectral divergence
// ∇·u of both over the samples' boxes; with a reference history (the Taylor–Green DNS), its E_k at
// the window ends. Written as the tables "les_rollout" and "les_spectrum" of the
// operator run's result, with the two figures the targets are stated in: the largest
// |E_k / E_k,LES − 1| over the rollout and the largest factor between the spectra for
// 1 <= k <= n/3 (the dealiased band) at its end.
#include <mpi.h>

#include <string>
#include <vector>

#include "core/decomposition.hpp"
#include "run/dissipation_comparison.hpp"

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

struct LesRolloutReport {
  // Per window end, the first row the input frame (no error, no dissipation).
  std::vector<double> time, energy, les_energy, dissipation, les_dissipation, relative_l2;
  std::vector<double> divergence, les_divergence;  // root mean square of ∇·u
  // The reference's E_k at the window ends (empty without one), and the largest |E / E_ref - 1|
  // of the prediction and of the LES over the rollout.
  std::vector<double> reference_energy;
  double worst_reference_deviation = 0, les_worst_reference_deviation = 0;
  std::vector<double> spectrum, les_spectrum;  // k = 0..n/2 at the last window end
  double worst_energy_deviation = 0;           // max over the window ends of |E / E_LES - 1|
  // max over 1 <= k <= n/3 of max(r, 1/r), r = E(k) / E_LES(k), for the shells where the LES holds
  // more than 1e-10 of its energy
  double worst_spectrum_factor = 1;

  /// Not collective. Adds the reference's E_k at the window ends (linear interpolation; a window
  /// end outside its range throws tessera::Error) and the deviations from it.
  void compare_with(const DissipationReference& reference);
  /// Not collective: the tables "les_rollout" and "les_spectrum" and the figures as attributes.
  /// (FieldFile's writes are collective: call on every rank.)
  void write(io::FieldFile& file) const;
  /// The log's lines (rank 0 prints them).
  std::string text() const;
};

/// Collective over world (every rank of the operator run). space: the decomposition of this
/// rank's space group (the test samples' blocks); samples: the ranks holding the same block in
/// the other groups. inputs [count][3][points], predictions and truth [count][3 frames][points]:
/// this group's test samples (count, of total over all groups); t0 the input frame's time and dt
/// the records' spacing; length the box side.
LesRolloutReport les_rollout_report(const Decomposition& space, MPI_Comm samples, MPI_Comm world,
                                    const std::vector<double>& inputs,
                                    const std::vector<double>& predictions,
                                    const std::vector<double>& truth, long count, long total,
                                    int frames, double t0, double dt, double length);

}  // namespace tessera::run
