#pragma once
// Comparing a simulated kinetic-energy history with the Taylor–Green Re = 1600 reference
// (DESIGN.md section 6: input/reference/tgv_re1600_spectral_dns.dat, a 512³ spectral DNS): the
// dissipation rate -dE/dt from a sampled history, its relative L2 difference from the reference
// over a time window, and the peak of a dissipation series. Pure functions, no MPI: every rank
// may call them on the same data and get the same answer.
#include <string>
#include <vector>

namespace tessera::run {

/// The reference table, one entry per data row.
struct DissipationReference {
  std::string path;                 // the file it was read from, for messages
  std::vector<double> time;         // t, strictly increasing
  std::vector<double> energy;       // E_k = (1/V) ∫ |u|²/2
  std::vector<double> dissipation;  // -dE_k/dt
  std::vector<double> enstrophy;    // (1/V) ∫ |ω|²/2
};

/// Reads a table of `#` comment lines, blank lines and rows of four numbers: t, E_k, -dE_k/dt,
/// enstrophy, with t strictly increasing and at least three rows. Throws tessera::InputError
/// naming the file (and, for a bad row, the line number and the line) if the file is missing or
/// garbled. Not collective; ranks that read the same file throw together.
DissipationReference read_dissipation_reference(const std::string& path);

/// -dE/dt at every sample of a history (t_i, E_i), t strictly increasing, at least three samples:
/// the slope at t_i of the parabola through the sample and its two neighbours (the centred
/// difference (E_{i+1} - E_{i-1}) / (2Δt) for equal steps, second order for unequal ones),
/// one-sided through the first or last three samples at the ends. Throws tessera::Error for
/// fewer than three samples, unequal lengths or times that do not increase.
std::vector<double> dissipation_rate(const std::vector<double>& time,
                                     const std::vector<double>& energy);

/// y(x) by linear interpolation in the table (xs, ys), xs strictly increasing. Throws
/// tessera::Error for x outside [xs.front(), xs.back()].
double interpolate_linear(const std::vector<double>& xs, const std::vector<double>& ys, double x);

/// sqrt(Σ_i (d_i - d_ref(t_i))² / Σ_i d_ref(t_i)²) over the samples t_i in [t0, t1], d_ref
/// interpolated linearly in (reference_time, reference). Throws tessera::Error if no sample lies
/// in the window, a sample in it lies outside the reference's time range, or the reference is
/// zero there.
double relative_l2_difference(const std::vector<double>& time, const std::vector<double>& d,
                              const std::vector<double>& reference_time,
                              const std::vector<double>& reference, double t0, double t1);

struct Peak {
  double time = 0;
  double value = 0;
};

/// The maximum of a sampled series: the vertex of the parabola through the largest sample and
/// its two neighbours (exact for a sampled parabola, equal steps or not); the largest sample
/// itself if it is the first or the last. Throws tessera::Error for an empty series or unequal
/// lengths.
Peak peak(const std::vector<double>& time, const std::vector<double>& values);

/// What a Taylor–Green run reports against the reference.
struct DissipationComparison {
  double relative_l2 = 0;  // of -dE/dt over the window, as relative_l2_difference
  int samples = 0;         // simulation samples in the window
  Peak simulated;          // peak of the simulated -dE/dt over the whole history
  Peak reference;          // peak of the reference's -dE/dt column
};

/// The simulated history (t_i, E_i) differenced by dissipation_rate and compared with the
/// reference's -dE/dt column over [t0, t1]. Throws as the functions it calls.
DissipationComparison compare_dissipation(const DissipationReference& reference,
                                          const std::vector<double>& time,
                                          const std::vector<double>& energy, double t0, double t1);

}  // namespace tessera::run
