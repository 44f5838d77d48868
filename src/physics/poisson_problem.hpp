#pragma once
// -Δu = f on the unit box [0,1]^dim, dim = 1, 2 or 3, u = g on the boundary: the 2D problem of
// poisson.hpp, the 3D one of poisson3d.hpp and the 1D one below, behind pointwise functions of a
// coordinate array, for the losses whose dimension is that of their subdomain grid (XPINN). Each
// function calls the problem of its dimension, so the 2D and 3D arithmetic is theirs exactly.
#include <Kokkos_Core.hpp>

#include "core/device_math.hpp"
#include "physics/poisson.hpp"
#include "physics/poisson3d.hpp"

namespace tessera {
class Options;
}

namespace tessera::physics {

/// -u'' = f on [0,1], u = sin(kπx), f = k²π² sin(kπx), g = u (0 for integer k).
struct Poisson1D {
  double frequency = 1.0;  // k

  /// Reads -poisson_frequency (the same k as in 2D). Not collective.
  static Poisson1D from_options(Options& options);

  KOKKOS_INLINE_FUNCTION double exact(double x) const { return math::sin(frequency * M_PI * x); }
  KOKKOS_INLINE_FUNCTION double source(double x) const {
    return frequency * frequency * M_PI * M_PI * exact(x);
  }
  KOKKOS_INLINE_FUNCTION double boundary(double x) const { return exact(x); }
  /// Residual of the PDE, -u'' - f, given u'' of a candidate u at x.
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, double x) const {
    return -laplacian - source(x);
  }
};

/// The Poisson problem of one dimension. Copyable into kernels.
struct PoissonProblem {
  int dim = 2;
  Poisson1D line;
  Poisson2D square;
  Poisson3D cube;

  PoissonProblem() = default;
  // One constructor per dimension, implicit: a Poisson2D is the 2D PoissonProblem.
  PoissonProblem(const Poisson1D& p) : dim(1), line(p) {}
  PoissonProblem(const Poisson2D& p) : dim(2), square(p) {}
  PoissonProblem(const Poisson3D& p) : dim(3), cube(p) {}

  /// The problem's name in result files: poisson1d, poisson2d, poisson3d.
  const char* name() const;

  // x holds dim coordinates.
  KOKKOS_INLINE_FUNCTION double exact(const double* x) const {
    return dim == 1   ? line.exact(x[0])
           : dim == 2 ? square.exact(x[0], x[1])
                      : cube.exact(x[0], x[1], x[2]);
  }
  KOKKOS_INLINE_FUNCTION double boundary(const double* x) const {
    return dim == 1   ? line.boundary(x[0])
           : dim == 2 ? square.boundary(x[0], x[1])
                      : cube.boundary(x[0], x[1], x[2]);
  }
  /// -Δu - f at x, given Δu of a candidate u there.
  KOKKOS_INLINE_FUNCTION double residual(double laplacian, const double* x) const {
    return dim == 1   ? line.residual(laplacian, x[0])
           : dim == 2 ? square.residual(laplacian, x[0], x[1])
                      : cube.residual(laplacian, x[0], x[1], x[2]);
  }
};

}  // namespace tessera::physics
