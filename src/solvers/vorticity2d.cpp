#include "solvers/vorticity2d.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/options.hpp"
#include "physics/darcy.hpp"

namespace tessera::solvers {

namespace {

template <class T>
T* aligned(std::size_t count, const char* what) {
  T* p = static_cast<T*>(fftw_malloc(sizeof(T) * count));
  TESSERA_CHECK(p != nullptr,
                "Vorticity2D: fftw_malloc of " << count << " values (" << what << ") failed");
  return p;
}

fftw_complex* fftw(std::complex<double>* p) { return reinterpret_cast<fftw_complex*>(p); }

// The signed wavenumber of index j of n along a direction.
int wavenumber(int j, int n) { return j <= n / 2 ? j : j - n; }

// A key of the mode (kx, ky) the same for every grid that has it.
std::uint64_t mode_key(int kx, int ky) {
  constexpr std::int64_t offset = 1 << 20;
  return (static_cast<std::uint64_t>(kx + offset) << 21) | static_cast<std::uint64_t>(ky + offset);
}

}  // namespace

Vorticity2DConfig Vorticity2DConfig::from_options(Options& options) {
  Vorticity2DConfig c;
  c.points = options.integer("navier_stokes_points", c.points, 8, 1 << 14,
                             "n: the pseudo-spectral grid is n x n on the periodic unit square "
                             "(n even)");
  if (c.points % 2 != 0)
    options.report("-navier_stokes_points = " + std::to_string(c.points) + " is odd");
  c.viscosity = options.real("navier_stokes_viscosity", c.viscosity, 0.0, 10.0,
                             "nu: kinematic viscosity (the FNO paper: 1e-3, 1e-4, 1e-5)");
  c.time_step = options.real("navier_stokes_time_step", c.time_step, 1e-8, 1.0,
                             "Delta t of Crank-Nicolson (viscous) + Heun (advection, forcing)");
  c.forcing_amplitude =
      options.real("navier_stokes_forcing", c.forcing_amplitude, -100.0, 100.0,
                   "a of the forcing f = a (sin 2 pi (x + y) + cos 2 pi (x + y)); 0: unforced");
  return c;
}

RandomVorticityConfig RandomVorticityConfig::from_options(Options& options) {
  RandomVorticityConfig c;
  c.alpha = options.real("navier_stokes_grf_alpha", c.alpha, 1.0, 10.0,
                         "alpha of the initial vorticity N(0, tau^(2 alpha - 2) (-Laplacian + "
                         "tau^2)^-alpha)");
  c.tau = options.real("navier_stokes_grf_tau", c.tau, 0.0, 1000.0,
                       "tau of the initial vorticity's covariance");
  c.seed = static_cast<std::uint64_t>(options.integer("navier_stokes_seed",
                                                      static_cast<int>(c.seed), 0, 2147483647,
                                                      "seed of the initial vorticity fields"));
  return c;
}

Vorticity2D::Vorticity2D(const Vorticity2DConfig& config)
    : config_(config), n_(config.points), half_(config.points / 2 + 1) {
  TESSERA_CHECK(n_ >= 4 && n_ % 2 == 0, "Vorticity2D: the grid needs an even n >= 4, not " << n_);
  TESSERA_CHECK(config.time_step > 0, "Vorticity2D: the time step must be positive");
  TESSERA_CHECK(config.viscosity >= 0, "Vorticity2D: the viscosity must not be negative");
  const std::size_t modes = static_cast<std::size_t>(n_) * half_,
                    grid = static_cast<std::size_t>(n_) * n_;
  omega_hat_ = aligned<Complex>(modes, "vorticity");
  predictor_hat_ = aligned<Complex>(modes, "predictor");
  n0_hat_ = aligned<Complex>(modes, "advection");
  n1_hat_ = aligned<Complex>(modes, "advection");
  work_hat_ = aligned<Complex>(modes, "work");
  u_ = aligned<double>(grid, "u");
  v_ = aligned<double>(grid, "v");
  wx_ = aligned<double>(grid, "omega_x");
  wy_ = aligned<double>(grid, "omega_y");
  // FFTW_ESTIMATE: the same plan, hence the same numbers, in every process.
  forward_ = fftw_plan_dft_r2c_2d(n_, n_, u_, fftw(work_hat_), FFTW_ESTIMATE);
  backward_ = fftw_plan_dft_c2r_2d(n_, n_, fftw(work_hat_), u_, FFTW_ESTIMATE);
  TESSERA_CHECK(forward_ != nullptr && backward_ != nullptr,
                "Vorticity2D: FFTW could not plan the " << n_ << " x " << n_ << " transforms");

  kx_.resize(modes);
  ky_.resize(modes);
  kappa2_.resize(modes);
  keep_.resize(modes);
  for (int j = 0; j < n_; ++j) {
    const int ky = wavenumber(j, n_);
    for (int i = 0; i < half_; ++i) {
      const int kx = i;
      const std::size_t m = static_cast<std::size_t>(j) * half_ + i;
      kx_[m] = 2 * i == n_ ? 0.0 : 2 * M_PI * kx;
      ky_[m] = 2 * j == n_ ? 0.0 : 2 * M_PI * ky;
      kappa2_[m] = 4 * M_PI * M_PI * (double(kx) * kx + double(ky) * ky);
      keep_[m] = (3 * std::abs(kx) <= n_ && 3 * std::abs(ky) <= n_) ? 1.0 : 0.0;
    }
  }
  for (int j = 0; j < n_; ++j)
    for (int i = 0; i < n_; ++i) {
      const double phase = 2 * M_PI * (double(i) + j) / n_;
      u_[static_cast<std::size_t>(j) * n_ + i] =
          config.forcing_amplitude * (std::sin(phase) + std::cos(phase));
    }
  fftw_execute_dft_r2c(forward_, u_, fftw(work_hat_));
  forcing_hat_.assign(work_hat_, work_hat_ + modes);
  std::fill(omega_hat_, omega_hat_ + modes, Complex(0.0));
}

Vorticity2D::~Vorticity2D() {
  if (forward_) fftw_destroy_plan(forward_);
  if (backward_) fftw_destroy_plan(backward_);
  for (void* p : {static_cast<void*>(omega_hat_), static_cast<void*>(predictor_hat_),
                  static_cast<void*>(n0_hat_), static_cast<void*>(n1_hat_),
                  static_cast<void*>(work_hat_), static_cast<void*>(u_), static_cast<void*>(v_),
                  static_cast<void*>(wx_), static_cast<void*>(wy_)})
    fftw_free(p);
}

void Vorticity2D::set_vorticity(const std::vector<double>& omega) {
  const std::size_t grid = static_cast<std::size_t>(n_) * n_;
  TESSERA_CHECK(omega.size() == grid, "Vorticity2D::set_vorticity: " << omega.size()
                                                                     << " values for a " << n_
                                                                     << " x " << n_ << " grid");
  std::copy(omega.begin(), omega.end(), u_);
  fftw_execute_dft_r2c(forward_, u_, fftw(omega_hat_));
  steps_ = 0;
}

void Vorticity2D::set_random_vorticity(const RandomVorticityConfig& field, std::uint64_t sample) {
  const double scale = std::sqrt(2.0) * double(n_) * n_;  // n²: FFTW's unnormalized c2r
  // c_k = scale λ_k ξ_k; the real part of Σ c_k e^{2πik·x} has the Hermitian coefficients
  // (c_k + conj(c_−k)) / 2.
  auto coefficient = [&](int kx, int ky) {
    const double lambda = physics::random_field_amplitude(
        4 * M_PI * M_PI * (double(kx) * kx + double(ky) * ky), field.alpha, field.tau);
    const std::uint64_t key = mode_key(kx, ky);
    return scale * lambda *
           Complex(physics::counter_normal(field.seed, sample, 2 * key),
                   physics::counter_normal(field.seed, sample, 2 * key + 1));
  };
  for (int j = 0; j < n_; ++j) {
    const int ky = wavenumber(j, n_);
    for (int i = 0; i < half_; ++i) {
      const bool dropped = (i == 0 && ky == 0) || 2 * i == n_ || 2 * j == n_;
      omega_hat_[static_cast<std::size_t>(j) * half_ + i] =
          dropped ? Complex(0.0) : 0.5 * (coefficient(i, ky) + std::conj(coefficient(-i, -ky)));
    }
  }
  steps_ = 0;
}

void Vorticity2D::to_grid(const Complex* spectrum, double* values) const {
  const std::size_t modes = static_cast<std::size_t>(n_) * half_;
  std::copy(spectrum, spectrum + modes, work_hat_);  // c2r overwrites its input
  fftw_execute_dft_c2r(backward_, fftw(work_hat_), values);
}

void Vorticity2D::nonlinear(const Complex* omega_hat, Complex* result) {
  const std::size_t modes = static_cast<std::size_t>(n_) * half_,
                    grid = static_cast<std::size_t>(n_) * n_;
  const Complex i1(0.0, 1.0);
  auto derivative = [&](auto factor, double* values) {
    for (std::size_t m = 0; m < modes; ++m) work_hat_[m] = factor(m) * omega_hat[m];
    fftw_execute_dft_c2r(backward_, fftw(work_hat_), values);
  };
  auto inverse_laplacian = [&](std::size_t m) { return m == 0 ? 0.0 : 1.0 / kappa2_[m]; };
  derivative([&](std::size_t m) { return i1 * ky_[m] * inverse_laplacian(m); }, u_);   // ψ_y
  derivative([&](std::size_t m) { return -i1 * kx_[m] * inverse_laplacian(m); }, v_);  // −ψ_x
  derivative([&](std::size_t m) { return i1 * kx_[m]; }, wx_);
  derivative([&](std::size_t m) { return i1 * ky_[m]; }, wy_);
  // Each grid value above carries FFTW's factor n²; the product n⁴.
  const double normalization = 1.0 / (double(grid) * double(grid));
  for (std::size_t p = 0; p < grid; ++p) u_[p] = (u_[p] * wx_[p] + v_[p] * wy_[p]) * normalization;
  fftw_execute_dft_r2c(forward_, u_, fftw(result));
  for (std::size_t m = 0; m < modes; ++m) result[m] *= keep_[m];
}

void Vorticity2D::advance(long long steps) {
  const std::size_t modes = static_cast<std::size_t>(n_) * half_;
  const double dt = config_.time_step, nu = config_.viscosity;
  for (long long s = 0; s < steps; ++s) {
    nonlinear(omega_hat_, n0_hat_);
    for (std::size_t m = 0; m < modes; ++m) {
      const double half_viscous = 0.5 * dt * nu * kappa2_[m];
      predictor_hat_[m] =
          ((1.0 - half_viscous) * omega_hat_[m] + dt * (forcing_hat_[m] - n0_hat_[m])) /
          (1.0 + half_viscous);
    }
    nonlinear(predictor_hat_, n1_hat_);
    for (std::size_t m = 0; m < modes; ++m) {
      const double half_viscous = 0.5 * dt * nu * kappa2_[m];
      omega_hat_[m] = ((1.0 - half_viscous) * omega_hat_[m] +
                       dt * (forcing_hat_[m] - 0.5 * (n0_hat_[m] + n1_hat_[m]))) /
                      (1.0 + half_viscous);
    }
    ++steps_;
  }
}

std::vector<double> Vorticity2D::vorticity() const {
  const std::size_t grid = static_cast<std::size_t>(n_) * n_;
  to_grid(omega_hat_, wx_);
  std::vector<double> values(wx_, wx_ + grid);
  for (double& value : values) value /= double(grid);
  return values;
}

}  // namespace tessera::solvers
