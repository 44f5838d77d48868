#pragma once
// The 2D incompressible Navier–Stokes equations in vorticity form on the periodic unit square, the
// Navier–Stokes data of the Fourier neural operator paper (Li et al., ICLR 2021):
//   ω_t + u·∇ω = ν Δω + f,   u = ∇^⊥ψ = (ψ_y, −ψ_x),   −Δψ = ω,
//   f = a (sin 2π(x + y) + cos 2π(x + y))   (a = 0.1 in the paper),
// pseudo-spectral on an n x n grid (x_i = i/n), one sample on one rank (FFTW, serial plans).
//
// Time stepping: Crank–Nicolson on ν Δω, Heun (explicit trapezoidal, a predictor and a corrector)
// on the forcing and advection:
//   ω* = [(1 − Δt ν κ²/2) ω^n + Δt (f − N(ω^n))] / (1 + Δt ν κ²/2)
//   ω^{n+1} = [(1 − Δt ν κ²/2) ω^n + Δt (f − (N(ω^n) + N(ω*))/2)] / (1 + Δt ν κ²/2)
// per Fourier mode (κ = 2π|k|), second order in Δt and self-starting (a sample needs no history).
// The published script (data_generation/navier_stokes/ns_2d.py) takes the explicit Euler step
// (the predictor alone), first order overall, and makes up for it with Δt = 1e-4 at 256².
// N(ω) = u·∇ω is formed on the grid from spectral derivatives and its transform is dealiased by
// the 2/3 rule (modes with |k_x| or |k_y| above 2/3 of n/2 dropped), as in the script; the Nyquist
// modes are left out of every derivative.
//
// Plans are made with FFTW_ESTIMATE on aligned buffers, so a sample's numbers are the same in any
// process on the same machine and build: a data set resumed after a kill equals one made in one go.
#include <fftw3.h>

#include <complex>
#include <cstdint>
#include <vector>

namespace tessera {
class Options;
}

namespace tessera::solvers {

struct Vorticity2DConfig {
  int points = 64;                 // n: the grid is n x n, x_i = i / n; n even
  double viscosity = 1e-3;         // ν
  double time_step = 1e-3;         // Δt
  double forcing_amplitude = 0.1;  // a of f = a (sin 2π(x + y) + cos 2π(x + y)); 0: unforced

  /// Declares and reads -navier_stokes_points, _viscosity, _time_step, _forcing; problems are
  /// reported to options.
  static Vorticity2DConfig from_options(Options& options);
};

/// The FNO paper's initial vorticity, a Gaussian random field N(0, σ² (−Δ + τ² I)^−α) with zero
/// mean on the periodic unit square, σ = τ^(α − 1) (the script's τ^(0.5(2α − d)), d = 2):
/// ω0(x) = Re Σ_k √2 σ (4π²|k|² + τ²)^(−α/2) ξ_k e^{2πi k·x}, ξ_k complex with standard normal
/// real and imaginary parts, k over the grid's modes except 0 and the Nyquist ones. ξ_k is
/// drawn from (seed, sample, k) alone (physics::counter_normal), so any rank draws sample s alone
/// and grids of different n share their common modes (resolution studies compare like with like).
struct RandomVorticityConfig {
  double alpha = 2.5;
  double tau = 7.0;
  std::uint64_t seed = 2021;

  /// Declares and reads -navier_stokes_grf_alpha, _grf_tau, _seed.
  static RandomVorticityConfig from_options(Options& options);
};

class Vorticity2D {
public:
  /// Not collective. Plans the transforms and sets ω = 0 at t = 0. Throws tessera::Error for an odd
  /// or too small n, or a non-positive step or negative viscosity.
  explicit Vorticity2D(const Vorticity2DConfig& config);
  ~Vorticity2D();
  Vorticity2D(const Vorticity2D&) = delete;
  Vorticity2D& operator=(const Vorticity2D&) = delete;

  const Vorticity2DConfig& config() const { return config_; }
  int points() const { return n_; }
  /// Steps taken since the last set_vorticity / set_random_vorticity; the time is steps() Δt.
  long long steps() const { return steps_; }
  double time() const { return static_cast<double>(steps_) * config_.time_step; }

  /// Not collective. ω at t = 0 from n² grid values, x fastest (index j n + i at (i/n, j/n)).
  void set_vorticity(const std::vector<double>& omega);
  /// Not collective. ω at t = 0 drawn as sample `sample` of the random field.
  void set_random_vorticity(const RandomVorticityConfig& field, std::uint64_t sample);

  /// Not collective. Takes `steps` time steps.
  void advance(long long steps);

  /// Not collective. ω on the grid now, x fastest.
  std::vector<double> vorticity() const;

private:
  using Complex = std::complex<double>;
  void nonlinear(const Complex* omega_hat, Complex* result);    // dealiased transform of u·∇ω
  void to_grid(const Complex* spectrum, double* values) const;  // c2r, spectrum kept

  Vorticity2DConfig config_;
  int n_, half_;  // half_ = n/2 + 1 modes along x
  long long steps_ = 0;
  // Per mode (row ky, column kx, half_ columns): 2π k_x, 2π k_y (0 at Nyquist), κ², dealias mask.
  std::vector<double> kx_, ky_, kappa2_, keep_;
  std::vector<Complex> forcing_hat_;
  // fftw_malloc'ed, so that every execute sees the alignment the plans were made for.
  Complex *omega_hat_ = nullptr, *predictor_hat_ = nullptr, *n0_hat_ = nullptr, *n1_hat_ = nullptr,
          *work_hat_ = nullptr;
  double *u_ = nullptr, *v_ = nullptr, *wx_ = nullptr, *wy_ = nullptr;
  fftw_plan forward_ = nullptr, backward_ = nullptr;
};

}  // namespace tessera::solvers
