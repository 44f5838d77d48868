#include "nn/spectral_filter.hpp"

#include <cmath>
#include <string>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"

namespace tessera::nn {

namespace {

// The transform keeps [0, m) and [n - m, n) (the last dimension [0, m)): m = c + 1 holds
// |k| <= c and one more negative mode, which σ drops.
std::vector<int> transform_modes(const std::vector<int>& cut) {
  std::vector<int> m;
  for (const int c : cut) m.push_back(c + 1);
  return m;
}

std::vector<int> cut_of(const std::vector<int>& grid) {
  std::vector<int> cut;
  for (const int n : grid) {
    TESSERA_CHECK(n >= 3, "SpectralFilter: " << n << " points in a dimension keep no band");
    cut.push_back(n / 3);
  }
  return cut;
}

// modes [re/im][k][channels] *= factors[k]. Not collective.
void scale_modes(const Vector& modes, const Vector& factors, long kept, long channels) {
  Kokkos::parallel_for(
      "tessera::nn::spectral_filter_scale", Kokkos::RangePolicy<>(0, 2 * kept * channels),
      KOKKOS_LAMBDA(const long t) { modes(t) *= factors((t / channels) % kept); });
}

}  // namespace

SpectralFilter::SpectralFilter(const std::vector<int>& grid, const GridBlock& block, int order,
                               MPI_Comm comm)
    : order_(order), comm_(comm), cut_(cut_of(grid)) {
  TESSERA_CHECK(order >= 1, "SpectralFilter: order " << order << ", not >= 1");
  dft_ = TruncatedDft("SpectralFilter", grid, transform_modes(cut_), block);
  const long kept = dft_.kept_modes();
  const auto& k_d = dft_.kept();
  const int dims = dft_.dimensions();
  std::vector<double> sigma(static_cast<size_t>(kept));
  for (long k = 0; k < kept; ++k) {
    std::vector<int> wave(static_cast<size_t>(dims));
    long rest = k;
    for (int d = dims - 1; d >= 0; --d) {
      wave[size_t(d)] = dft_.wavenumber(d, int(rest % k_d[size_t(d)]));
      rest /= k_d[size_t(d)];
    }
    sigma[size_t(k)] = factor(wave);
  }
  factors_ = to_device("tessera::nn::spectral_filter_factors", sigma);
}

double SpectralFilter::factor(const std::vector<int>& k) const {
  double rho2 = 0;
  for (size_t d = 0; d < cut_.size(); ++d) {
    if (std::abs(k[d]) > cut_[d]) return 0.0;
    rho2 += double(k[d]) * k[d] / (double(cut_[d]) * cut_[d]);
  }
  return std::exp(-36.0 * std::pow(rho2, 0.5 * order_));
}

void SpectralFilter::prepare(int fields) {
  // Only grows: a rollout filters its input frame and its steps' frames in turn.
  if (fields <= fields_) return;
  fields_ = fields;
  const long kept = dft_.kept_modes(), work = dft_.work_size(fields);
  modes_ = Vector("tessera::nn::spectral_filter_modes", size_t(2 * kept * fields));
  work_a_ = Vector("tessera::nn::spectral_filter_work_a", size_t(work));
  work_b_ = Vector("tessera::nn::spectral_filter_work_b", size_t(work));
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, Vector::memory_space>::accessible)
    staging_ = Kokkos::View<double*, Kokkos::HostSpace>("tessera::nn::spectral_filter_staging",
                                                        modes_.extent(0));
}

void SpectralFilter::apply(const Vector& values, int samples, int channels, int first, int fields) {
  ProfilingRegion region("tessera::nn::spectral_filter");
  filter(values, samples, channels, first, fields, false);
}

void SpectralFilter::apply_adjoint(const Vector& values, int samples, int channels, int first,
                                   int fields) {
  ProfilingRegion region("tessera::nn::spectral_filter_adjoint");
  filter(values, samples, channels, first, fields, true);
}

void SpectralFilter::filter(const Vector& values, int samples, int channels, int first, int fields,
                            bool adjoint) {
  // Whole samples (a rollout step's frames) are contiguous: one transform and one allreduce for
  // all of them rather than one per sample.
  if (first == 0 && fields == channels) {
    fields *= samples;
    channels = fields;
    samples = 1;
  }
  prepare(fields);
  const long p = dft_.local_points();
  TESSERA_CHECK(
      long(values.extent(0)) >= long(samples) * channels * p && first + fields <= channels,
      "SpectralFilter: the values do not hold " << samples << " samples of " << channels
                                                << " channels");
  const Vector modes(modes_.data(), size_t(2 * dft_.kept_modes() * fields));
  for (int b = 0; b < samples; ++b) {
    double* at = values.data() + (long(b) * channels + first) * p;
    // F = inverse diag(σ) Σ_ranks forward; its transpose swaps the transforms for their adjoints.
    if (adjoint)
      dft_.inverse_adjoint(at, modes.data(), fields, work_a_.data(), work_b_.data());
    else
      dft_.forward(at, modes.data(), fields, work_a_.data(), work_b_.data());
    allreduce_sum(comm_, modes, staging_);
    scale_modes(modes, factors_, dft_.kept_modes(), fields);
    if (adjoint)
      dft_.forward_adjoint(modes.data(), at, fields, work_a_.data(), work_b_.data());
    else
      dft_.inverse(modes.data(), at, fields, work_a_.data(), work_b_.data());
  }
}

}  // namespace tessera::nn
