#pragma once
// The shell-summed kinetic energy spectrum E(k) of a velocity field on a periodic box of n_x x n_y
// (x n_z) points at one spacing h in every direction (a cube [0, L]^d or a box L_d = n_d h),
// computed on the decomposed grid without gathering the field and without an FFT library
// (DESIGN.md section 5): each rank takes the partial DFT of its own block separably (along x,
// then y, then z, with twiddles precomputed for its index ranges), one MPI_Allreduce sums the
// partial coefficients, and every rank bins |û|²/2 into shells.
//
// Coefficients: û(q) = (1/N) Σ_p u(p) exp(-2πi Σ_d q_d p_d / n_d), N = Π n_d, q an integer vector
// (the wavenumber along d is 2π q_d / L_d). In a cube κ = q is the wavenumber in units of 2π/L;
// in a box the shells count in units of the longest side's 2π/L_max, κ_d = q_d n_max / n_d.
// The field is real, so only κ_x = 0..n_x/2 is computed and the other half counted through
// û(-κ) = conj û(κ): the allreduce moves (n_x/2 + 1) n_y n_z complex numbers per component
// (2.1 MiB at 64³), half of the full transform.
// Staggering: a MAC velocity component sits on its cells' lower faces, offset from the cell
// centres by the same vector s_c in every cell; the offset multiplies û(κ) by a phase, so |û(κ)|
// and the spectrum do not depend on where in the cell a component sits, and the cell index
// stands in for the position.
// Shells: shell k holds the modes with |κ| in [k - 1/2, k + 1/2) for k = 0..n/2 (n = n_max). The
// modes with |κ| >= n/2 + 1/2 (the corners of the box of resolved wavenumbers, up to sqrt(d) n/2)
// are lumped into the last shell k = n/2, so nothing is dropped and Parseval holds for every
// field: Σ_k E(k) = (1/N) Σ_p |u(p)|²/2 = IncompressibleSolver::kinetic_energy(). Read the last
// shell as "k >= n/2", not as a shell.
#include <vector>

#include "core/decomposition.hpp"

namespace tessera::solvers {

/// Collective over decomp.comm(). local_velocity[c] is this rank's block of component c (the d
/// components of a d-dimensional field), x fastest, laid out by decomp.local_start() and
/// local_count() (IncompressibleSolver::local_velocity), on a grid of one spacing in every
/// direction; length is the box side along x (it fixes the unit of k and does not change the
/// values). Returns E(k), k = 0..n_max/2, the same on every rank. Throws tessera::Error for a field
/// that does not fit decomp.
std::vector<double> energy_spectrum(const Decomposition& decomp,
                                    const std::vector<std::vector<double>>& local_velocity,
                                    double length);

/// Collective over decomp.comm(), with the arguments of energy_spectrum. The root mean square over
/// the box of the spectral divergence ∇·u of the field's modes with |q_d| <= n_d / divisor in every
/// direction (3: the band the LES residual dealiases to; 2: all of them, the Nyquist modes'
/// derivatives taken as 0), the same on every rank: 0 to round-off for a field that is
/// divergence-free spectrally. The LES's cell-centre velocity (divergence-free in the MAC grid's
/// differences, averaged to the centres) is nearly so on the low modes, less near the cut-off.
double divergence_rms(const Decomposition& decomp,
                      const std::vector<std::vector<double>>& local_velocity, double length,
                      int divisor);

}  // namespace tessera::solvers
