#include "run/les_rollout.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "io/field_file.hpp"
#include "solvers/energy_spectrum.hpp"

namespace tessera::run {

namespace {

constexpr int kComponents = 3;

// Collective over comm: the sum of values over its ranks, in place.
void sum_over(MPI_Comm comm, std::vector<double>& values) {
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, comm));
}

// The components of frame f of sample b of values [count][frames][3][points].
std::vector<std::vector<double>> frame_components(const std::vector<double>& values, long b, int f,
                                                  int frames, long points) {
  std::vector<std::vector<double>> u;
  for (int c = 0; c < kComponents; ++c) {
    const auto first = values.begin() + ((b * frames + f) * kComponents + c) * points;
    u.emplace_back(first, first + points);
  }
  return u;
}

}  // namespace

LesRolloutReport les_rollout_report(const Decomposition& space, MPI_Comm samples, MPI_Comm world,
                                    const std::vector<double>& inputs,
                                    const std::vector<double>& predictions,
                                    const std::vector<double>& truth, long count, long total,
                                    int frames, double t0, double dt, double length) {
  const long points = space.local_size();
  const long per_frame = kComponents * points;
  TESSERA_CHECK(long(inputs.size()) == count * per_frame &&
                    long(predictions.size()) == count * frames * per_frame &&
                    truth.size() == predictions.size() && total >= 1,
                "les_rollout_report: the fields do not fit " << count << " samples of " << frames
                                                             << " frames on this block");
  long n = 1;
  for (int d = 0; d < space.dim(); ++d) n *= space.global_points()[size_t(d)];
  // Per frame (the input one first): Σ |u|² of the prediction and of the LES over the samples'
  // points; per sample and predicted frame ||e||², ||y||² over its points.
  std::vector<double> energy(size_t(2 * (frames + 1)), 0.0), errors(size_t(2 * count * frames));
  for (long b = 0; b < count; ++b) {
    double e0 = 0;
    for (long q = 0; q < per_frame; ++q)
      e0 += inputs[size_t(b * per_frame + q)] * inputs[size_t(b * per_frame + q)];
    energy[0] += e0;
    energy[1] += e0;
    for (int f = 0; f < frames; ++f) {
      double p2 = 0, y2 = 0, d2 = 0;
      for (long q = 0; q < per_frame; ++q) {
        const size_t at = size_t((b * frames + f) * per_frame + q);
        const double p = predictions[at], y = truth[at];
        p2 += p * p;
        y2 += y * y;
        d2 += (p - y) * (p - y);
      }
      energy[size_t(2 * (f + 1))] += p2;
      energy[size_t(2 * (f + 1) + 1)] += y2;
      errors[size_t(2 * (b * frames + f))] = d2;
      errors[size_t(2 * (b * frames + f) + 1)] = y2;
    }
  }
  sum_over(world, energy);
  sum_over(space.comm(), errors);  // each sample's norms over its group's blocks

  LesRolloutReport r;
  std::vector<double> relative(size_t(frames), 0.0);
  for (long b = 0; b < count; ++b)
    for (int f = 0; f < frames; ++f) {
      const double d2 = errors[size_t(2 * (b * frames + f))],
                   y2 = errors[size_t(2 * (b * frames + f) + 1)];
      relative[size_t(f)] += y2 > 0 ? std::sqrt(d2 / y2) : std::sqrt(d2);
    }
  // Every rank of a group holds its samples' errors: add the groups' (one rank per block each).
  sum_over(samples, relative);
  const double scale = 0.5 / (double(n) * double(total));
  for (int f = 0; f <= frames; ++f) {
    r.time.push_back(t0 + f * dt);
    r.energy.push_back(scale * energy[size_t(2 * f)]);
    r.les_energy.push_back(scale * energy[size_t(2 * f + 1)]);
    r.relative_l2.push_back(f == 0 ? 0.0 : relative[size_t(f - 1)] / double(total));
    const bool first = f == 0;
    r.dissipation.push_back(first ? 0.0 : -(r.energy[size_t(f)] - r.energy[size_t(f - 1)]) / dt);
    r.les_dissipation.push_back(
        first ? 0.0 : -(r.les_energy[size_t(f)] - r.les_energy[size_t(f - 1)]) / dt);
    r.worst_energy_deviation = std::max(
        r.worst_energy_deviation, std::abs(r.energy[size_t(f)] / r.les_energy[size_t(f)] - 1));
  }
  // The spectrum's shells count in units of the longest side's 2π/L_max (energy_spectrum.hpp).
  const auto& points_per_direction = space.global_points();
  const long cells = *std::max_element(points_per_direction.begin(), points_per_direction.end());
  // The divergence per window end on the dealiased band |k_d| <= n_d/3 (the residual's): each
  // sample's mean square (collective over its space ranks),
  // then the groups' sums.
  std::vector<double> divergence(size_t(2 * (frames + 1)), 0.0);
  auto mean_square = [&](const std::vector<std::vector<double>>& u) {
    const double rms = solvers::divergence_rms(space, u, length, 3);
    return rms * rms;
  };
  for (long b = 0; b < count; ++b) {
    const double d0 = mean_square(frame_components(inputs, b, 0, 1, points));
    divergence[0] += d0;
    divergence[1] += d0;
    for (int f = 0; f < frames; ++f) {
      divergence[size_t(2 * (f + 1))] +=
          mean_square(frame_components(predictions, b, f, frames, points));
      divergence[size_t(2 * (f + 1) + 1)] +=
          mean_square(frame_components(truth, b, f, frames, points));
    }
  }
  sum_over(samples, divergence);
  for (int f = 0; f <= frames; ++f) {
    r.divergence.push_back(std::sqrt(divergence[size_t(2 * f)] / double(total)));
    r.les_divergence.push_back(std::sqrt(divergence[size_t(2 * f + 1)] / double(total)));
  }
  // The spectra at the last window end: each group's samples in turn (collective over its space
  // ranks), then the groups' sums.
  r.spectrum.assign(size_t(cells / 2 + 1), 0.0);
  r.les_spectrum = r.spectrum;
  for (long b = 0; b < count; ++b) {
    const auto p = solvers::energy_spectrum(
        space, frame_components(predictions, b, frames - 1, frames, points), length);
    const auto y = solvers::energy_spectrum(
        space, frame_components(truth, b, frames - 1, frames, points), length);
    for (size_t k = 0; k < p.size(); ++k) r.spectrum[k] += p[k], r.les_spectrum[k] += y[k];
  }
  sum_over(samples, r.spectrum);
  sum_over(samples, r.les_spectrum);
  double les_total = 0;
  for (size_t k = 0; k < r.spectrum.size(); ++k) {
    r.spectrum[k] /= double(total);
    r.les_spectrum[k] /= double(total);
    les_total += r.les_spectrum[k];
  }
  // Shells the LES leaves empty to round-off (Taylor–Green's k = 1 early on) have no ratio.
  for (size_t k = 0; k < r.spectrum.size(); ++k) {
    if (k >= 1 && long(k) <= cells / 3 && r.les_spectrum[k] > 1e-10 * les_total &&
        r.spectrum[k] > 0) {
      const double ratio = r.spectrum[k] / r.les_spectrum[k];
      r.worst_spectrum_factor = std::max(r.worst_spectrum_factor, std::max(ratio, 1 / ratio));
    }
  }
  return r;
}

void LesRolloutReport::compare_with(const DissipationReference& reference) {
  reference_energy.clear();
  worst_reference_deviation = les_worst_reference_deviation = 0;
  for (size_t f = 0; f < time.size(); ++f) {
    const double e = interpolate_linear(reference.time, reference.energy, time[f]);
    reference_energy.push_back(e);
    worst_reference_deviation = std::max(worst_reference_deviation, std::abs(energy[f] / e - 1));
    les_worst_reference_deviation =
        std::max(les_worst_reference_deviation, std::abs(les_energy[f] / e - 1));
  }
}

void LesRolloutReport::write(io::FieldFile& file) const {
  const bool reference = !reference_energy.empty();
  std::vector<double> rows;
  for (size_t f = 0; f < time.size(); ++f) {
    rows.insert(rows.end(), {time[f], energy[f], les_energy[f], dissipation[f], les_dissipation[f],
                             relative_l2[f], divergence[f], les_divergence[f]});
    if (reference) rows.push_back(reference_energy[f]);
  }
  std::vector<std::string> columns{"time",           "kinetic_energy",    "les_kinetic_energy",
                                   "dissipation",    "les_dissipation",   "relative_l2",
                                   "divergence_rms", "les_divergence_rms"};
  if (reference) columns.push_back("reference_kinetic_energy");
  file.write_table("les_rollout", columns, rows);
  if (reference) {
    file.set_attribute("reference_energy_deviation_max", worst_reference_deviation);
    file.set_attribute("les_reference_energy_deviation_max", les_worst_reference_deviation);
  }
  std::vector<double> spectra;
  for (size_t k = 0; k < spectrum.size(); ++k)
    spectra.insert(spectra.end(), {double(k), spectrum[k], les_spectrum[k]});
  file.write_table("les_spectrum", {"k", "energy", "les_energy"}, spectra);
  file.set_attribute("les_energy_deviation_max", worst_energy_deviation);
  file.set_attribute("les_spectrum_factor_max", worst_spectrum_factor);
}

std::string LesRolloutReport::text() const {
  std::ostringstream out;
  out << "LES rollout against the LES (mean over the test samples):\n"
      << "      t        E_k     E_k LES   -dE/dt  -dE/dt LES   rel L2   div rms  div LES"
      << (reference_energy.empty() ? "" : "   E_k ref") << "\n";
  for (size_t f = 0; f < time.size(); ++f) {
    out << format("  %7.3f", time[f]) << format("  %.4e", energy[f])
        << format("  %.4e", les_energy[f]) << format("  %.3e", dissipation[f])
        << format("  %.3e", les_dissipation[f]) << format("  %.4f", relative_l2[f])
        << format("  %.2e", divergence[f]) << format("  %.2e", les_divergence[f]);
    if (!reference_energy.empty()) out << format("  %.4e", reference_energy[f]);
    out << "\n";
  }
  out << "  E(k) at t = " << format("%.3f", time.back()) << ", k = 1.." << spectrum.size() - 1
      << " (prediction / LES):";
  for (size_t k = 1; k < spectrum.size(); ++k)
    out << " " << format("%.3f", les_spectrum[k] > 0 ? spectrum[k] / les_spectrum[k] : 0.0);
  out << "\n  largest |E_k / E_k,LES - 1| " << format("%.4f", worst_energy_deviation)
      << "; largest factor between the spectra for k <= n/3 "
      << format("%.3f", worst_spectrum_factor);
  if (!reference_energy.empty())
    out << "\n  largest |E_k / E_k,ref - 1| against the reference history:"
        << "\n    reference deviation, LES         "
        << format("%.4f", les_worst_reference_deviation)
        << "\n    reference deviation, prediction  " << format("%.4f", worst_reference_deviation);
  return out.str();
}

}  // namespace tessera::run
