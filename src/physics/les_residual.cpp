#include "physics/les_residual.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "core/allreduce.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"
#include "physics/les_residual_kernels.hpp"

namespace tessera::physics {

namespace {

constexpr int kVelocity = 3, kFields = 12, kFluxes = 9, kResidual = 7;

// Orszag's 2/3 rule: |k| < n/3.
int band_limit_of(int n) { return n / 3; }

// The grid's points per dimension of the transform: (z, y, x), x fastest.
std::vector<int> transform_points(const BoxCells& n) { return {n[2], n[1], n[0]}; }

// The kept modes of the truncated transform: |k_d| <= n_d/3 and one more negative mode per
// dimension but the last (the transform keeps [0, m) and [n - m, n)); weights_ drops it.
std::vector<int> transform_modes(const BoxCells& n) {
  return {band_limit_of(n[2]) + 1, band_limit_of(n[1]) + 1, band_limit_of(n[0]) + 1};
}

}  // namespace

LesResidual::LesResidual(const LesResidualConfig& config, const nn::GridBlock& block, int frames,
                         MPI_Comm comm)
    : config_(config),
      comm_(comm),
      frames_(frames),
      dft_("LesResidual", transform_points(config.cells), transform_modes(config.cells), block) {
  TESSERA_CHECK(frames >= 3,
                "LesResidual: a window needs at least 3 frames (the initial one and "
                "two for the time differences), not "
                    << frames);
  TESSERA_CHECK(config.dt > 0 && config.length > 0 && config.viscosity >= 0 &&
                    config.smagorinsky_constant >= 0 && config.divergence_weight >= 0,
                "LesResidual: dt and length must be positive; viscosity, Smagorinsky constant "
                "and divergence weight not negative");
  long covered = dft_.local_points();
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &covered, 1, MPI_LONG, MPI_SUM, comm));
  TESSERA_CHECK(covered == config.cells.total(), "LesResidual: the ranks' blocks hold "
                                                     << covered << " points in all, the grid "
                                                     << config.cells.total());
  // Mode k = C-order index of (q_z, q_y, q_x); dimension 0 is z, 2 is x.
  const long modes = dft_.kept_modes();
  const auto& kept = dft_.kept();
  // The unit of the wavenumbers along d is 2π over the box's side L_d.
  const double unit[3] = {2 * M_PI / config.cells.side(0, config.length),
                          2 * M_PI / config.cells.side(1, config.length),
                          2 * M_PI / config.cells.side(2, config.length)};
  const int band[3] = {band_limit_of(config.cells[0]), band_limit_of(config.cells[1]),
                       band_limit_of(config.cells[2])};
  std::vector<double> wave(static_cast<size_t>(3 * modes)), weight(static_cast<size_t>(modes));
  for (long k = 0; k < modes; ++k) {
    const int qx = int(k % kept[2]), qy = int((k / kept[2]) % kept[1]),
              qz = int(k / (kept[2] * kept[1]));
    const int kx = dft_.wavenumber(2, qx), ky = dft_.wavenumber(1, qy), kz = dft_.wavenumber(0, qz);
    wave[size_t(3 * k)] = unit[0] * kx;
    wave[size_t(3 * k + 1)] = unit[1] * ky;
    wave[size_t(3 * k + 2)] = unit[2] * kz;
    const bool in_band =
        std::abs(kx) <= band[0] && std::abs(ky) <= band[1] && std::abs(kz) <= band[2];
    weight[size_t(k)] = in_band ? (kx > 0 ? 2.0 : 1.0) : 0.0;
  }
  wavenumbers_ = nn::to_device("tessera::physics::les_wavenumbers", wave);
  weights_ = nn::to_device("tessera::physics::les_mode_weights", weight);
}

void LesResidual::prepare(int samples) {
  TESSERA_CHECK(samples >= 1, "LesResidual: no samples");
  if (samples == samples_) return;
  samples_ = samples;
  const long groups = long(samples) * frames_, modes = dft_.kept_modes(),
             points = dft_.local_points();
  auto values = [](const char* label, long size) {
    return nn::Vector(std::string(label), static_cast<size_t>(size));
  };
  velocity_modes_ = values("tessera::physics::les_velocity_modes", 2 * modes * groups * kVelocity);
  field_modes_ = values("tessera::physics::les_field_modes", 2 * modes * groups * kFields);
  fields_ = values("tessera::physics::les_fields", groups * kFields * points);
  fluxes_ = values("tessera::physics::les_fluxes", groups * kFluxes * points);
  flux_modes_ = values("tessera::physics::les_flux_modes", 2 * modes * groups * kFluxes);
  residual_modes_ = values("tessera::physics::les_residual_modes",
                           2 * modes * long(samples) * (frames_ - 1) * kResidual);
  velocity_modes_adjoint_ =
      values("tessera::physics::les_velocity_modes_adjoint", 2 * modes * groups * kVelocity);
  field_modes_adjoint_ =
      values("tessera::physics::les_field_modes_adjoint", 2 * modes * groups * kFields);
  fields_adjoint_ = values("tessera::physics::les_fields_adjoint", groups * kFields * points);
  fluxes_adjoint_ = values("tessera::physics::les_fluxes_adjoint", groups * kFluxes * points);
  flux_modes_adjoint_ =
      values("tessera::physics::les_flux_modes_adjoint", 2 * modes * groups * kFluxes);
  const long work = dft_.work_size(groups * kFields);
  work_a_ = values("tessera::physics::les_work_a", work);
  work_b_ = values("tessera::physics::les_work_b", work);
  if (!Kokkos::SpaceAccessibility<Kokkos::HostSpace, nn::Vector::memory_space>::accessible)
    staging_ = Kokkos::View<double*, Kokkos::HostSpace>("tessera::physics::les_staging",
                                                        field_modes_.extent(0));
}

LesResidualTerms LesResidual::forward(const nn::Vector& u) {
  const long per_sample = long(frames_) * kVelocity * dft_.local_points();
  TESSERA_CHECK(u.extent(0) > 0 && long(u.extent(0)) % per_sample == 0,
                "LesResidual: the velocity holds " << u.extent(0)
                                                   << " values, not a multiple of frames x 3 x "
                                                      "block = "
                                                   << per_sample);
  prepare(int(long(u.extent(0)) / per_sample));
  const long groups = long(samples_) * frames_, modes = dft_.kept_modes();
  const les::ModeExtent extent{modes, groups};
  ProfilingRegion region("tessera::physics::les_residual");
  dft_.forward(u.data(), velocity_modes_.data(), groups * kVelocity, work_a_.data(),
               work_b_.data());
  allreduce_sum(comm_, velocity_modes_, staging_);
  les::band_limited_fields(extent, wavenumbers_, weights_, velocity_modes_, field_modes_);
  dft_.inverse(field_modes_.data(), fields_.data(), groups * kFields, work_a_.data(),
               work_b_.data());
  const double cs_delta = config_.smagorinsky_constant * config_.length / config_.cells[0];
  les::subgrid_fluxes(groups, dft_.local_points(), cs_delta * cs_delta, fields_, fluxes_);
  dft_.forward(fluxes_.data(), flux_modes_.data(), groups * kFluxes, work_a_.data(),
               work_b_.data());
  allreduce_sum(comm_, flux_modes_, staging_);
  const les::ResidualShape shape{modes, samples_, frames_, config_.dt, config_.viscosity};
  les::residual_modes(shape, wavenumbers_, weights_, velocity_modes_, flux_modes_, residual_modes_);
  // Parseval: mean squares over the box are (1/N²) Σ_k w_k |f̂_k|²; then the mean over the
  // samples' residual frames.
  const double n3 = double(config_.cells.total());
  const long out_groups = long(samples_) * (frames_ - 1);
  const double mean = 1.0 / (n3 * n3 * double(out_groups));
  LesResidualTerms terms;
  terms.momentum =
      mean * les::residual_sum_of_squares(modes, out_groups, weights_, residual_modes_, 0, 3);
  terms.divergence =
      mean * les::residual_sum_of_squares(modes, out_groups, weights_, residual_modes_, 3, 1);
  terms.time_derivative =
      mean * les::residual_sum_of_squares(modes, out_groups, weights_, residual_modes_, 4, 3);
  terms.loss = terms.momentum + config_.divergence_weight * terms.divergence;
  return terms;
}

LesResidualTerms LesResidual::evaluate(const nn::Vector& u) { return forward(u); }

LesResidualTerms LesResidual::gradient(const nn::Vector& u, const nn::Vector& du) {
  const LesResidualTerms terms = forward(u);
  TESSERA_CHECK(du.extent(0) == u.extent(0),
                "LesResidual::gradient: du holds " << du.extent(0) << " values, u " << u.extent(0));
  const long groups = long(samples_) * frames_, modes = dft_.kept_modes(),
             points = dft_.local_points();
  ProfilingRegion region("tessera::physics::les_residual_adjoint");
  const double n3 = double(config_.cells.total());
  const double scale = 2.0 / (n3 * n3 * double(long(samples_) * (frames_ - 1)));
  const les::ResidualShape shape{modes, samples_, frames_, config_.dt, config_.viscosity};
  les::residual_adjoint(shape, wavenumbers_, weights_, scale, config_.divergence_weight * scale,
                        residual_modes_, flux_modes_adjoint_, velocity_modes_adjoint_);
  dft_.forward_adjoint(flux_modes_adjoint_.data(), fluxes_adjoint_.data(), groups * kFluxes,
                       work_a_.data(), work_b_.data());
  const double cs_delta = config_.smagorinsky_constant * config_.length / config_.cells[0];
  les::subgrid_fluxes_adjoint(groups, points, cs_delta * cs_delta, fields_, fluxes_adjoint_,
                              fields_adjoint_);
  dft_.inverse_adjoint(fields_adjoint_.data(), field_modes_adjoint_.data(), groups * kFields,
                       work_a_.data(), work_b_.data());
  allreduce_sum(comm_, field_modes_adjoint_, staging_);
  les::band_limited_fields_adjoint({modes, groups}, wavenumbers_, weights_, field_modes_adjoint_,
                                   velocity_modes_adjoint_);
  dft_.forward_adjoint(velocity_modes_adjoint_.data(), du.data(), groups * kVelocity,
                       work_a_.data(), work_b_.data());
  return terms;
}

}  // namespace tessera::physics
