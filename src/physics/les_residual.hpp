#pragma once
// The residual of the filtered incompressible Navier–Stokes equations with the Smagorinsky
// closure on a periodic box of n_x x n_y x n_z cells of one spacing h (the cube [0, L]³ or
// L_d = n_d h), evaluated pseudo-spectrally on windows of velocity frames:
// the physics loss of the LES operators (LESnets, Li et al.; PINO), on a grid decomposed over the
// ranks as the Fourier layers are (nn/truncated_dft, DESIGN.md section 5).
//
//   R = ∂u/∂t - P[u × ω + ∇·(2 ν_t S)] - ν Δu,   ω = ∇ × u,
//   ν_t = (C_s Δ)² |S|, |S| = sqrt(2 S_ij S_ij), Δ = h = L/n_x (the LES solver's model),
//
// the rotational form, P the Leray projector (k k^T / |k|² removed per mode: the pressure and the
// gradient of |u|²/2 go with it; the mean, k = 0, is kept).
// Space: derivatives are spectral on the modes with |q_d| <= n_d/3 in every direction (Orszag's
// 2/3 rule; the wavenumber along d is 2π q_d / L_d): the velocity is band-limited to them, ω and S
// are evaluated at the grid points from them, the products u × ω and 2 ν_t S are transformed back
// and their modes beyond the band dropped. Every term, and so R, lives on those modes.
// Time: F frames u_0, ..., u_{F-1} at spacing Δt (-dt). R at frames 1..F-1: the central
// difference (u_{j+1} - u_{j-1}) / 2Δt inside, the second-order backward
// (3u_j - 4u_{j-1} + u_{j-2}) / 2Δt at the last frame. Frame 0 is the initial condition: no
// residual there.
//
// Loss (what gradient() differentiates): the mean over samples and frames 1..F-1 of the mean
// square over the box of |R| (from its modes by Parseval: (1/N) Σ_x |r|² = (1/N²) Σ_k |r̂_k|²,
// N = n_x n_y n_z, each mode of the half spectrum k_x > 0 counted twice), plus divergence_weight
// times the same mean of (∇·u)² over frames 1..F-1.
//
// Layout of the velocity: [samples][frames][3][block], components (x, y, z), block this rank's
// block of the grid in C order [z][y][x] (x fastest: the LES solver's and the data sets'
// order, nn::grid_block of its Decomposition).
#include <mpi.h>

#include "core/box_cells.hpp"
#include "nn/truncated_dft.hpp"
#include "nn/types.hpp"

namespace tessera::physics {

struct LesResidualConfig {
  BoxCells cells = 32;                // n_d per direction (x, y, z)
  double length = 6.283185307179586;  // L, the side along x (h = L/n_x)
  double viscosity = 0.01;            // ν
  double smagorinsky_constant = 0;    // C_s; 0: no subgrid model
  double dt = 0.02;                   // the frames' spacing Δt
  double divergence_weight = 1;       // of the mean square of ∇·u in the loss
};

/// Mean squares, each averaged over samples and frames 1..F-1 as the loss is.
struct LesResidualTerms {
  double momentum = 0;         // of R
  double divergence = 0;       // of ∇·u
  double time_derivative = 0;  // of the difference quotient ∂u/∂t alone: the scale of R
  double loss = 0;             // momentum + divergence_weight divergence
};

class LesResidual {
public:
  /// Collective over comm (it checks that the ranks' blocks cover the grid). frames >= 3. Throws
  /// tessera::Error on every rank for a block that does not fit the config's grid.
  LesResidual(const LesResidualConfig& config, const nn::GridBlock& block, int frames,
              MPI_Comm comm);

  const LesResidualConfig& config() const { return config_; }
  int frames() const { return frames_; }
  long local_points() const { return dft_.local_points(); }

  /// Collective over comm (two allreduces of the kept modes). u holds samples x frames x 3 x
  /// local_points() values (layout above). The terms are the same on every rank.
  LesResidualTerms evaluate(const nn::Vector& u);
  /// Collective over comm (three allreduces). evaluate(), and dL/du for L = loss into du (u's
  /// layout, overwritten) at this rank's points.
  LesResidualTerms gradient(const nn::Vector& u, const nn::Vector& du);

private:
  // Sizes the buffers for this many samples. Not collective.
  void prepare(int samples);
  // The forward pass into the buffers; returns the terms. Collective.
  LesResidualTerms forward(const nn::Vector& u);

  LesResidualConfig config_;
  MPI_Comm comm_;
  int frames_;
  nn::TruncatedDft dft_;
  // Per kept mode: the wavenumber (x, y, z), and the weight of the mode in the mean squares
  // (0 outside the band, else 1 or 2: the half spectrum's k_x > 0 twice).
  nn::Vector wavenumbers_;  // [k][3]
  nn::Vector weights_;      // [k]
  int samples_ = 0;
  // [re/im][k][channel] modes and [channel][point] values: the velocity (3 per frame), the fields
  // evaluated at the points (u, ω, S: 12 per frame), the fluxes (u × ω, 2 ν_t S: 9 per frame), the
  // residual's modes (R, ∇·u, ∂u/∂t: 7 per frame after the first); their adjoints.
  nn::Vector velocity_modes_, field_modes_, fields_, fluxes_, flux_modes_, residual_modes_;
  nn::Vector velocity_modes_adjoint_, field_modes_adjoint_, fields_adjoint_, fluxes_adjoint_,
      flux_modes_adjoint_;
  nn::Vector work_a_, work_b_;
  Kokkos::View<double*, Kokkos::HostSpace> staging_;  // host side of the allreduces (device builds)
};

}  // namespace tessera::physics
