// The LES operator's rollout report (run/les_rollout): the energies, dissipation, errors and
// spectra of a prediction against the LES, on every process grid, for predictions whose figures
// are known: the LES itself, and twice it.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../host_vectors.hpp"
#include "core/decomposition.hpp"
#include "nn/truncated_dft.hpp"
#include "run/les_rollout.hpp"

namespace {

using tessera::Decomposition;

// A smooth periodic frame f of sample b at the points of this rank's block: components of
// different wavenumbers, decaying with the frame.
std::vector<double> frames_on_block(const Decomposition& d, int n, long samples, int frames,
                                    int first) {
  const auto block = tessera::nn::grid_block(d);
  const double h = 2 * M_PI / n;
  std::vector<double> v;
  for (long b = 0; b < samples; ++b)
    for (int f = first; f < first + frames; ++f)
      for (int c = 0; c < 3; ++c)
        for (int z = 0; z < block.extent[0]; ++z)
          for (int y = 0; y < block.extent[1]; ++y)
            for (int x = 0; x < block.extent[2]; ++x) {
              const double px = (block.offset[2] + x) * h, py = (block.offset[1] + y) * h,
                           pz = (block.offset[0] + z) * h;
              const double decay = std::exp(-0.1 * f) * (1 + 0.1 * b);
              v.push_back(decay * std::sin((c + 1) * px + 2 * py + pz + c));
            }
  return v;
}

TEST(LesRollout, ReportsTheLesAgainstItselfAndTwiceIt) {
  const int n = 12, frames = 3;
  const long samples = 2;
  const Decomposition space(MPI_COMM_WORLD, 3, {n, n, n});
  const auto inputs = frames_on_block(space, n, samples, 1, 0);
  const auto truth = frames_on_block(space, n, samples, frames, 1);
  std::vector<double> twice(truth);
  for (auto& v : twice) v *= 2;
  // One group: every rank holds both samples' blocks; the samples communicator is the rank alone.
  const auto same =
      tessera::run::les_rollout_report(space, MPI_COMM_SELF, MPI_COMM_WORLD, inputs, truth, truth,
                                       samples, samples, frames, 0.2, 0.2, 2 * M_PI);
  ASSERT_EQ(same.time.size(), size_t(frames + 1));
  EXPECT_DOUBLE_EQ(same.time.back(), 0.8);
  // sin² averages 1/2 over the box: E = (1/2) 3 (1/2) e^{-0.2 f} mean over b of (1 + 0.1 b)².
  const double mean_square = (1.0 + 1.21) / 2;
  for (int f = 0; f <= frames; ++f) {
    EXPECT_NEAR(same.les_energy[size_t(f)], 0.75 * std::exp(-0.2 * f) * mean_square, 1e-12);
    EXPECT_NEAR(same.energy[size_t(f)], same.les_energy[size_t(f)], 1e-14);
    EXPECT_EQ(same.relative_l2[size_t(f)], 0.0);
  }
  EXPECT_NEAR(same.les_dissipation[1], -(same.les_energy[1] - same.les_energy[0]) / 0.2, 1e-12);
  // ∇·u = e^{-0.1 f} (1 + 0.1 b) (cos + 2 cos + cos) of three orthogonal waves: mean square
  // 3 e^{-0.2 f} (1 + 0.1 b)², averaged over the samples.
  for (int f = 0; f <= frames; ++f) {
    EXPECT_NEAR(same.les_divergence[size_t(f)], std::sqrt(3 * std::exp(-0.2 * f) * mean_square),
                1e-12);
    EXPECT_NEAR(same.divergence[size_t(f)], same.les_divergence[size_t(f)], 1e-14);
  }
  EXPECT_NEAR(same.worst_energy_deviation, 0.0, 1e-13);
  EXPECT_NEAR(same.worst_spectrum_factor, 1.0, 1e-12);
  const auto doubled =
      tessera::run::les_rollout_report(space, MPI_COMM_SELF, MPI_COMM_WORLD, inputs, twice, truth,
                                       samples, samples, frames, 0.2, 0.2, 2 * M_PI);
  for (int f = 1; f <= frames; ++f) {
    EXPECT_NEAR(doubled.energy[size_t(f)], 4 * doubled.les_energy[size_t(f)], 1e-12);
    EXPECT_NEAR(doubled.relative_l2[size_t(f)], 1.0, 1e-12);
  }
  EXPECT_NEAR(doubled.worst_energy_deviation, 3.0, 1e-12);
  EXPECT_NEAR(doubled.worst_spectrum_factor, 4.0, 1e-12);
  EXPECT_NEAR(doubled.divergence.back(), 2 * doubled.les_divergence.back(), 1e-12);
  // Against a reference history that is the LES's own energy sampled at the window ends: the LES
  // deviates by 0, the doubled prediction by 3.
  tessera::run::DissipationReference reference;
  reference.time = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  for (const double t : reference.time)
    reference.energy.push_back(0.75 * std::exp(-(t - 0.2)) * mean_square);
  auto compared = doubled;
  compared.compare_with(reference);
  ASSERT_EQ(compared.reference_energy.size(), size_t(frames + 1));
  EXPECT_NEAR(compared.reference_energy[2], doubled.les_energy[2], 1e-14);
  EXPECT_NEAR(compared.les_worst_reference_deviation, 0.0, 1e-13);
  EXPECT_NEAR(compared.worst_reference_deviation, 3.0, 1e-12);
  // The spectrum holds the energy (Parseval) in the shells of the components' wavenumbers.
  double sum = 0;
  for (const double e : same.les_spectrum) sum += e;
  EXPECT_NEAR(sum, same.les_energy.back(), 1e-12);
}

}  // namespace
