#include "solvers/energy_spectrum.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <sstream>

#include "core/error.hpp"

namespace tessera::solvers {

namespace {

using Complex = std::complex<double>;

// exp(-2πi κ g / n) for κ = 0..modes-1 and the global indices g = start..start+count-1 of this
// rank's block along one direction, index-major: twiddle[l modes + κ] for g = start + l. κ g is
// reduced modulo n in integers first, so the angle stays in [0, 2π) and the twiddles are exact to
// round-off for any n.
std::vector<Complex> twiddles(int n, int modes, int start, int count) {
  std::vector<Complex> w(static_cast<size_t>(modes) * count);
  for (int l = 0; l < count; ++l)
    for (int kappa = 0; kappa < modes; ++kappa) {
      const long phase = (long(kappa) * (start + l)) % n;
      w[size_t(l) * modes + kappa] = std::polar(1.0, -2.0 * M_PI * double(phase) / n);
    }
  return w;
}

// y += w x for count complex numbers, in real arithmetic: std::complex's operator* also handles
// infinite and NaN operands (C99 Annex G), which keeps the compiler from vectorising the loop.
// Arrays of std::complex<double> may be read as arrays of (real, imaginary) doubles.
void complex_axpy(size_t count, Complex w, const Complex* x, Complex* y) {
  const double wr = w.real(), wi = w.imag();
  const double* xs = reinterpret_cast<const double*>(x);
  double* ys = reinterpret_cast<double*>(y);
  for (size_t q = 0; q < count; ++q) {
    const double xr = xs[2 * q], xi = xs[2 * q + 1];
    ys[2 * q] += wr * xr - wi * xi;
    ys[2 * q + 1] += wr * xi + wi * xr;
  }
}

// The partial DFT of one rank's block, separably. Extents: n[d] global points (1 beyond the
// dimension), c[d] local count, mx = n[0]/2 + 1 computed x modes. Output layout [κz][κy][κx], κx
// fastest, n[2] x n[1] x mx values, added to `out`.
class BlockTransform {
public:
  explicit BlockTransform(const Decomposition& decomp)
      : n_(decomp.global_points()), c_(decomp.local_count()), mx_(n_[0] / 2 + 1) {
    const auto& s = decomp.local_start();
    for (int d = 0; d < 3; ++d) w_[d] = twiddles(n_[d], d == 0 ? mx_ : n_[d], s[d], c_[d]);
  }

  size_t coefficients() const { return size_t(n_[2]) * n_[1] * mx_; }

  void add(const std::vector<double>& u, Complex* out) const {
    // Along x: a[k][j][κx] = Σ_i u[k][j][i] w_x(i, κx), a real (rows x c_x) by complex
    // (c_x x mx) matrix product, accumulated row by row.
    std::vector<Complex> a(size_t(c_[2]) * c_[1] * mx_, Complex(0));
    for (size_t row = 0; row < size_t(c_[2]) * c_[1]; ++row)
      for (int i = 0; i < c_[0]; ++i)
        complex_axpy(size_t(mx_), u[row * c_[0] + i], w_[0].data() + size_t(i) * mx_,
                     a.data() + row * mx_);
    // Along y: b[k][κy][κx] = Σ_j a[k][j][κx] w_y(κy, j); the κx loop is innermost (contiguous).
    std::vector<Complex> b(size_t(c_[2]) * n_[1] * mx_, Complex(0));
    for (int k = 0; k < c_[2]; ++k)
      for (int ky = 0; ky < n_[1]; ++ky) {
        Complex* br = b.data() + (size_t(k) * n_[1] + ky) * mx_;
        for (int j = 0; j < c_[1]; ++j) {
          const Complex w = w_[1][size_t(j) * n_[1] + ky];
          complex_axpy(size_t(mx_), w, a.data() + (size_t(k) * c_[1] + j) * mx_, br);
        }
      }
    // Along z: out[κz][κy][κx] += Σ_k b[k][κy][κx] w_z(κz, k); in 2D a copy (n_z = c_z = 1).
    const size_t plane = size_t(n_[1]) * mx_;
    for (int kz = 0; kz < n_[2]; ++kz)
      for (int k = 0; k < c_[2]; ++k) {
        const Complex w = w_[2][size_t(k) * n_[2] + kz];
        complex_axpy(plane, w, b.data() + size_t(k) * plane, out + size_t(kz) * plane);
      }
  }

private:
  std::array<int, 3> n_, c_;
  int mx_;
  std::array<std::vector<Complex>, 3> w_;
};

// The signed wavenumber of DFT index q on n points: q for q <= n/2, q - n above.
int signed_wavenumber(int q, int n) { return 2 * q <= n ? q : q - n; }

// Throws tessera::Error on every rank when the field does not fit decomp on some rank, so that no
// rank is left waiting in the allreduce. Collective over decomp.comm().
void check_fits(const Decomposition& decomp, const std::vector<std::vector<double>>& u,
                double length) {
  const int dim = decomp.dim();
  TESSERA_CHECK(dim == 2 || dim == 3, "energy_spectrum: dimension " << dim << " is not 2 or 3");
  TESSERA_CHECK(length > 0, "energy_spectrum: box side " << length << " is not positive");
  // The block's shape can differ between ranks: agree on the verdict before throwing.
  std::ostringstream problem;
  if (int(u.size()) != dim)
    problem << u.size() << " velocity components for a " << dim << "D field";
  for (size_t c = 0; c < u.size() && problem.tellp() == 0; ++c)
    if (long(u[c].size()) != decomp.local_size())
      problem << "component " << c << " has " << u[c].size() << " values on rank " << decomp.rank()
              << ", its block has " << decomp.local_size();
  int local = problem.tellp() > 0, anywhere = 0;
  TESSERA_MPI_CALL(MPI_Allreduce(&local, &anywhere, 1, MPI_INT, MPI_MAX, decomp.comm()));
  TESSERA_CHECK(!local, "energy_spectrum: " << problem.str());
  TESSERA_CHECK(!anywhere,
                "energy_spectrum: the velocity field of another rank does not fit "
                "the decomposition");
}

// The DFT coefficients of every component, summed over the ranks, [component][κz][κy][κx], κx =
// 0..n/2 (unnormalised). Collective over decomp.comm().
std::vector<Complex> coefficients_of(const Decomposition& decomp,
                                     const std::vector<std::vector<double>>& local_velocity,
                                     double length) {
  check_fits(decomp, local_velocity, length);
  const BlockTransform transform(decomp);
  const size_t per_component = transform.coefficients();
  std::vector<Complex> coefficients(per_component * local_velocity.size(), Complex(0));
  for (size_t c = 0; c < local_velocity.size(); ++c)
    transform.add(local_velocity[c], coefficients.data() + c * per_component);
  // One sum over ranks for all components: std::complex<double> is two doubles (C++ guarantees
  // the array layout).
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, coefficients.data(),
                                 static_cast<int>(2 * coefficients.size()), MPI_DOUBLE, MPI_SUM,
                                 decomp.comm()));
  return coefficients;
}

}  // namespace

std::vector<double> energy_spectrum(const Decomposition& decomp,
                                    const std::vector<std::vector<double>>& local_velocity,
                                    double length) {
  const auto& n = decomp.global_points();
  const std::vector<Complex> coefficients = coefficients_of(decomp, local_velocity, length);
  const size_t per_component = coefficients.size() / local_velocity.size();
  const int dim = decomp.dim();
  const int most = *std::max_element(n.begin(), n.begin() + dim);
  const int half = most / 2, mx = n[0] / 2 + 1;
  // κ_d = q_d n_max / n_d: the wavenumbers in units of the longest side's 2π/L_max.
  const double scale[3] = {double(most) / n[0], double(most) / n[1], double(most) / n[2]};
  const double points = double(n[0]) * n[1] * n[2];
  std::vector<double> spectrum(size_t(half) + 1, 0.0);
  for (size_t c = 0; c < local_velocity.size(); ++c) {
    const Complex* u_hat = coefficients.data() + c * per_component;
    for (int kz = 0; kz < n[2]; ++kz)
      for (int ky = 0; ky < n[1]; ++ky)
        for (int kx = 0; kx < mx; ++kx) {
          // Every κx in 1..(n-1)/2 stands for itself and its conjugate -κx; κx = 0 and the
          // Nyquist κx = n/2 of an even n are their own partners.
          const double multiplicity = (kx == 0 || 2 * kx == n[0]) ? 1.0 : 2.0;
          const double sx = scale[0] * kx, sy = scale[1] * signed_wavenumber(ky, n[1]),
                       sz = scale[2] * signed_wavenumber(kz, n[2]);
          const double magnitude = std::sqrt(sx * sx + sy * sy + sz * sz);
          // In a cube or a box of whole ratios |κ|² is an integer, so |κ| never equals k + 1/2
          // and rounding picks the shell.
          const long shell = std::min(long(std::lround(magnitude)), long(half));
          const Complex value = u_hat[(size_t(kz) * n[1] + ky) * mx + kx] / points;
          spectrum[size_t(shell)] += 0.5 * multiplicity * std::norm(value);
        }
  }
  return spectrum;
}

double divergence_rms(const Decomposition& decomp,
                      const std::vector<std::vector<double>>& local_velocity, double length,
                      int divisor) {
  const auto& n = decomp.global_points();
  const int dim = decomp.dim();
  const std::vector<Complex> coefficients = coefficients_of(decomp, local_velocity, length);
  const size_t per_component = coefficients.size() / local_velocity.size();
  const int mx = n[0] / 2 + 1;
  TESSERA_CHECK(divisor >= 2, "divergence_rms: band divisor " << divisor << " is below 2");
  // One spacing h = length / n_x: the side along d is n_d h, its wavenumbers' unit 2π/(n_d h).
  const double points = double(n[0]) * n[1] * n[2], h = length / n[0];
  // The derivative along a direction of the signed wavenumber q: i q 2π/L_d, 0 at the Nyquist
  // wavenumber of an even n (its sine vanishes at the grid points).
  auto derivative = [&](int q, int points_d) {
    const int k = signed_wavenumber(q, points_d);
    return 2 * k == points_d ? 0.0 : 2 * M_PI * k / (points_d * h);
  };
  double mean_square = 0;
  for (int kz = 0; kz < n[2]; ++kz)
    for (int ky = 0; ky < n[1]; ++ky)
      for (int kx = 0; kx < mx; ++kx) {
        if (kx > n[0] / divisor || std::abs(signed_wavenumber(ky, n[1])) > n[1] / divisor ||
            std::abs(signed_wavenumber(kz, n[2])) > n[2] / divisor)
          continue;
        const double multiplicity = (kx == 0 || 2 * kx == n[0]) ? 1.0 : 2.0;
        const size_t at = (size_t(kz) * n[1] + ky) * mx + kx;
        const double k[3] = {derivative(kx, n[0]), derivative(ky, n[1]),
                             dim == 3 ? derivative(kz, n[2]) : 0.0};
        Complex divergence(0);
        for (int c = 0; c < dim; ++c)
          divergence += Complex(0, k[c]) * coefficients[size_t(c) * per_component + at];
        mean_square += multiplicity * std::norm(divergence / points);
      }
  return std::sqrt(mean_square);
}

}  // namespace tessera::solvers
