// The distributed energy spectrum (src/solvers/energy_spectrum): single Fourier modes land in
// their shell with their energy, Parseval against the solver's kinetic energy, agreement with a
// direct O(N²) DFT, the same spectrum on every process grid to round-off, and the Taylor–Green
// initial fields in their shells.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

#include "core/allreduce.hpp"
#include "core/decomposition.hpp"
#include "core/error.hpp"
#include "physics/taylor_green.hpp"
#include "solvers/energy_spectrum.hpp"
#include "solvers/incompressible.hpp"

namespace {

using tessera::Decomposition;
using tessera::solvers::energy_spectrum;
using Field = std::vector<std::vector<double>>;
// Value of component c at the cell with global index (i, j, k).
using CellFunction = std::function<double(int c, int i, int j, int k)>;

const double kLength = 2 * M_PI;

Decomposition cube(MPI_Comm comm, int dim, int n, std::array<int, 3> process_grid = {0, 0, 0}) {
  return Decomposition(comm, dim, {n, n, dim == 3 ? n : 1}, process_grid);
}

// This rank's block of the field f, x fastest. Not collective.
Field local_field(const Decomposition& decomp, const CellFunction& f) {
  const auto& s = decomp.local_start();
  const auto& m = decomp.local_count();
  Field u(size_t(decomp.dim()));
  for (int c = 0; c < decomp.dim(); ++c)
    for (int k = s[2]; k < s[2] + m[2]; ++k)
      for (int j = s[1]; j < s[1] + m[1]; ++j)
        for (int i = s[0]; i < s[0] + m[0]; ++i) u[size_t(c)].push_back(f(c, i, j, k));
  return u;
}

// A reproducible white-noise field in [-1, 1): a hash of the component and the global cell index
// (splitmix64), so every process grid sees the same global field.
double noise(int c, int i, int j, int k) {
  uint64_t z = 0x9e3779b97f4a7c15ull *
               (1 + uint64_t(c) + 4 * (uint64_t(i) + 1024 * (uint64_t(j) + 1024 * k)));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return 2.0 * double(z >> 11) / double(1ull << 53) - 1.0;
}

// Component `component` = amplitude cos(2π κ·x / L + 0.3) at its MAC face positions (lower face
// in its own direction, cell centre in the others); zero for the other components.
CellFunction fourier_mode(int n, std::array<int, 3> kappa, int component, double amplitude) {
  return [=](int c, int i, int j, int k) {
    if (c != component) return 0.0;
    const std::array<int, 3> cell{i, j, k};
    double phase = 0.3;
    for (int d = 0; d < 3; ++d) phase += 2 * M_PI * kappa[d] * (cell[d] + (d == c ? 0.0 : 0.5)) / n;
    return amplitude * std::cos(phase);
  };
}

// The spectrum by the definition: the full O(N²) DFT of the whole field on one rank, every κ in
// (-n/2, n/2]^d binned by |κ| rounded, capped at n/2. Not collective.
std::vector<double> direct_spectrum(int dim, int n, const CellFunction& f) {
  const int nz = dim == 3 ? n : 1;
  const double points = double(n) * n * nz;
  std::vector<double> e(size_t(n / 2) + 1, 0.0);
  auto wavenumber = [n](int q) { return 2 * q <= n ? q : q - n; };
  for (int c = 0; c < dim; ++c)
    for (int qz = 0; qz < nz; ++qz)
      for (int qy = 0; qy < n; ++qy)
        for (int qx = 0; qx < n; ++qx) {
          std::complex<double> sum = 0;
          for (int k = 0; k < nz; ++k)
            for (int j = 0; j < n; ++j)
              for (int i = 0; i < n; ++i)
                sum += f(c, i, j, k) *
                       std::polar(1.0, -2 * M_PI * double(qx * i + qy * j + qz * k) / n);
          const int kx = wavenumber(qx), ky = wavenumber(qy), kz = wavenumber(qz);
          const double magnitude = std::sqrt(double(kx * kx + ky * ky + kz * kz));
          const int shell = std::min(int(std::lround(magnitude)), n / 2);
          e[size_t(shell)] += 0.5 * std::norm(sum / points);
        }
  return e;
}

double total(const std::vector<double>& e) { return std::accumulate(e.begin(), e.end(), 0.0); }

// One mode at a time: all its energy, amplitude²/4, in the shell of |κ| rounded (the corner mode
// (7, 7, 7) of n = 16, |κ| = 12.1, in the last shell k = 8), whichever component carries it.
TEST(EnergySpectrum, SingleModeLandsInItsShell) {
  struct Case {
    int dim;
    std::array<int, 3> kappa;
    int shell;
  };
  const int n = 16;
  const double amplitude = 0.7, energy = amplitude * amplitude / 4;
  for (const Case& m : {Case{2, {1, 0, 0}, 1}, Case{2, {1, 1, 0}, 1}, Case{2, {3, -4, 0}, 5},
                        Case{2, {7, 6, 0}, 8}, Case{3, {1, 1, 1}, 2}, Case{3, {2, -1, 1}, 2},
                        Case{3, {2, 2, 1}, 3}, Case{3, {0, 3, 4}, 5}, Case{3, {7, 7, 7}, 8}}) {
    const auto decomp = cube(MPI_COMM_WORLD, m.dim, n);
    for (int component = 0; component < m.dim; ++component) {
      const auto e = energy_spectrum(
          decomp, local_field(decomp, fourier_mode(n, m.kappa, component, amplitude)), kLength);
      ASSERT_EQ(e.size(), size_t(n / 2 + 1));
      for (size_t k = 0; k < e.size(); ++k)
        EXPECT_NEAR(e[k], k == size_t(m.shell) ? energy : 0.0, 1e-15)
            << m.dim << "D, kappa (" << m.kappa[0] << ", " << m.kappa[1] << ", " << m.kappa[2]
            << ") in component " << component << ", shell " << k;
    }
  }
}

// Parseval: the shells sum to the solver's (1/V) ∫ |u|²/2 for a white-noise field, whose
// energy is spread over every wavenumber, the corners included.
TEST(EnergySpectrum, ParsevalMatchesKineticEnergy) {
  for (int dim : {2, 3}) {
    tessera::solvers::IncompressibleConfig config;
    config.dim = dim;
    config.cells = dim == 2 ? 24 : 12;
    const auto decomp = cube(MPI_COMM_WORLD, dim, config.cells[0]);
    tessera::solvers::IncompressibleSolver solver(decomp, config);
    const double h = solver.h();
    solver.set_velocity([&](int c, const std::array<double, 3>& x) {
      std::array<int, 3> cell{0, 0, 0};
      for (int d = 0; d < dim; ++d) cell[d] = int(std::lround(x[d] / h - (d == c ? 0.0 : 0.5)));
      return noise(c, cell[0], cell[1], cell[2]);
    });
    Field u;
    for (int c = 0; c < dim; ++c) u.push_back(solver.local_velocity(c));
    const auto e = energy_spectrum(decomp, u, config.length);
    const double kinetic = solver.kinetic_energy();
    EXPECT_GT(kinetic, 0.1 * dim);  // white noise in [-1, 1): 1/6 per component
    EXPECT_NEAR(total(e), kinetic, 1e-14 * kinetic) << dim << "D";
    EXPECT_GT(e.back(), 0.1 * kinetic) << "the corner modes are lumped into the last shell";
  }
}

// The separable half-spectrum transform against the definition, on grids small enough for the
// direct O(N²) sum, odd n included (no Nyquist mode).
TEST(EnergySpectrum, MatchesDirectTransform) {
  for (auto [dim, n] : std::vector<std::array<int, 2>>{{2, 10}, {2, 9}, {3, 6}, {3, 5}}) {
    const auto decomp = cube(MPI_COMM_WORLD, dim, n);
    const auto e = energy_spectrum(decomp, local_field(decomp, noise), kLength);
    const auto reference = direct_spectrum(dim, n, noise);
    ASSERT_EQ(e.size(), reference.size());
    for (size_t k = 0; k < e.size(); ++k)
      EXPECT_NEAR(e[k], reference[k], 1e-14 * total(reference))
          << dim << "D, n = " << n << ", shell " << k;
  }
}

// Slabs, pencils and bricks all give the spectrum of the whole field on one rank, to round-off.
TEST(EnergySpectrum, SameOnEveryProcessGrid) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (auto [dim, n] : std::vector<std::array<int, 2>>{{2, 20}, {3, 12}, {3, 9}}) {
    const auto whole = cube(MPI_COMM_SELF, dim, n);
    const auto serial = energy_spectrum(whole, local_field(whole, noise), kLength);
    std::vector<std::array<int, 3>> grids{{0, 0, 0}, {size, 1, 1}, {1, size, 1}};
    if (dim == 3) grids.push_back({1, 1, size});
    for (const auto& grid : grids) {
      const auto decomp = cube(MPI_COMM_WORLD, dim, n, grid);
      const auto e = energy_spectrum(decomp, local_field(decomp, noise), kLength);
      for (size_t k = 0; k < e.size(); ++k)
        EXPECT_NEAR(e[k], serial[k], 1e-14 * total(serial))
            << dim << "D, n = " << n << ", process grid " << decomp.process_grid()[0] << "x"
            << decomp.process_grid()[1] << "x" << decomp.process_grid()[2] << ", shell " << k;
    }
  }
}

// The Taylor–Green initial fields as the solver holds them: the 3D modes (±1, ±1, ±1), |κ| =
// sqrt(3), carry all of E = 1/8 in shell 2; the 2D modes (±1, ±1), |κ| = sqrt(2), all of 1/4 in
// shell 1.
TEST(EnergySpectrum, TaylorGreenInitialFieldIsInOneShell) {
  for (int dim : {2, 3}) {
    tessera::solvers::IncompressibleConfig config;
    config.dim = dim;
    config.cells = 16;
    const auto decomp = cube(MPI_COMM_WORLD, dim, config.cells[0]);
    tessera::solvers::IncompressibleSolver solver(decomp, config);
    const tessera::physics::TaylorGreen tgv{dim, 0.0};
    solver.set_velocity([&](int c, const std::array<double, 3>& x) {
      return tgv.velocity(c, x[0], x[1], x[2], 0.0);
    });
    Field u;
    for (int c = 0; c < dim; ++c) u.push_back(solver.local_velocity(c));
    const auto e = energy_spectrum(decomp, u, config.length);
    const size_t shell = dim == 3 ? 2 : 1;
    for (size_t k = 0; k < e.size(); ++k)
      EXPECT_NEAR(e[k], k == shell ? tgv.kinetic_energy(0.0) : 0.0, 1e-15)
          << dim << "D, shell " << k;
  }
}

// The spectral divergence: 0 to round-off for a divergence-free field, and the exact root mean
// square (of all modes, and of a band) for u = (sin(x + 2y + z), 2 sin(2x + 2y + z +
// 1), sin(3x + 2y + z + 2)) at the cell indices (x = 2π i / n): ∇·u = cos(·) + 4 cos(·) + cos(·) of
// three orthogonal waves, mean square (1 + 16 + 1) / 2 = 9. On every process grid.
TEST(EnergySpectrum, DivergenceOfKnownFields) {
  const int n = 12;
  for (const std::array<int, 3> grid : {std::array<int, 3>{0, 0, 0}, {1, 1, 0}}) {
    const auto decomp = cube(MPI_COMM_WORLD, 3, n, grid);
    const double h = kLength / n;
    const auto free = local_field(decomp, [&](int c, int i, int j, int k) {
      const double x = i * h, y = j * h, z = k * h;
      return c == 0 ? std::sin(y + 2 * z) : c == 1 ? std::cos(3 * z + x) : std::sin(2 * x - y);
    });
    EXPECT_NEAR(tessera::solvers::divergence_rms(decomp, free, kLength, 2), 0.0, 1e-13);
    const auto known = local_field(decomp, [&](int c, int i, int j, int k) {
      const double x = i * h, y = j * h, z = k * h;
      return (c == 1 ? 2.0 : 1.0) * std::sin((c + 1) * x + 2 * y + z + c);
    });
    EXPECT_NEAR(tessera::solvers::divergence_rms(decomp, known, kLength, 2), 3.0, 1e-12);
    // In a box of side 1 every derivative is 2π times larger.
    EXPECT_NEAR(tessera::solvers::divergence_rms(decomp, known, 1.0, 2), 6 * M_PI, 1e-11);
    // The band |κ_d| <= n/6 = 2 drops the third wave (κ = (3, 2, 1)): mean square (1 + 16) / 2.
    EXPECT_NEAR(tessera::solvers::divergence_rms(decomp, known, kLength, 6), std::sqrt(8.5), 1e-12);
  }
}

TEST(EnergySpectrum, RejectsAFieldThatDoesNotFit) {
  const auto decomp = cube(MPI_COMM_WORLD, 3, 8);
  auto u = local_field(decomp, noise);
  EXPECT_THROW(energy_spectrum(decomp, Field(u.begin(), u.begin() + 2), kLength), tessera::Error);
  u[1].pop_back();
  EXPECT_THROW(energy_spectrum(decomp, u, kLength), tessera::Error);
}

// A box of one spacing, 16 x 16 x 8 cells ([0, 2π]² x [0, π]): the shells count in units of the
// long sides' 2π/L, so a mode with one wave over the short side (q_z = 1) sits at κ_z = 2; all
// of a mode's energy lands in its shell; Parseval holds; the divergence takes each direction's
// own unit.
TEST(EnergySpectrum, BoxOfOneSpacing) {
  const std::array<int, 3> n{16, 16, 8};
  const Decomposition box(MPI_COMM_WORLD, 3, n);
  const double amplitude = 0.7, energy = amplitude * amplitude / 4;
  struct Case {
    std::array<int, 3> q;
    int shell;
  };
  for (const Case& m :
       {Case{{1, 0, 0}, 1}, Case{{0, 0, 1}, 2}, Case{{3, 0, 2}, 5}, Case{{0, 1, 3}, 6}}) {
    const auto e = energy_spectrum(box,
                                   local_field(box,
                                               [&](int c, int i, int j, int k) {
                                                 if (c != 1) return 0.0;
                                                 const double phase =
                                                     0.3 + 2 * M_PI *
                                                               (m.q[0] * (i + 0.5) / n[0] +
                                                                m.q[1] * double(j) / n[1] +
                                                                m.q[2] * (k + 0.5) / n[2]);
                                                 return amplitude * std::cos(phase);
                                               }),
                                   kLength);
    ASSERT_EQ(e.size(), size_t(9));
    for (size_t k = 0; k < e.size(); ++k)
      EXPECT_NEAR(e[k], k == size_t(m.shell) ? energy : 0.0, 1e-15)
          << "q (" << m.q[0] << ", " << m.q[1] << ", " << m.q[2] << "), shell " << k;
  }
  const auto u = local_field(box, noise);
  double local = 0;
  for (const auto& component : u)
    for (double v : component) local += 0.5 * v * v;
  const double mean = tessera::allreduce_sum(MPI_COMM_WORLD, local) / (16.0 * 16 * 8);
  EXPECT_NEAR(total(energy_spectrum(box, u, kLength)), mean, 1e-13 * mean);
  // u_z = sin(2z) on [0, π]: ∇·u = 2 cos(2z), root mean square sqrt(2) (1/sqrt(2) with the x
  // side's unit).
  const double h = kLength / n[0];
  const auto wave =
      local_field(box, [&](int c, int, int, int k) { return c == 2 ? std::sin(2 * k * h) : 0.0; });
  EXPECT_NEAR(tessera::solvers::divergence_rms(box, wave, kLength, 2), std::sqrt(2.0), 1e-13);
}

}  // namespace
