#pragma once
// The Kokkos containers the neural core is written in. Matrices are LayoutLeft so that every
// dense product maps onto a BLAS GEMM (OpenBLAS here, cuBLAS on CUDA builds of Kokkos Kernels).
#include <Kokkos_Core.hpp>

#include <vector>

namespace tessera::nn {

using Vector = Kokkos::View<double*>;
using Matrix = Kokkos::View<double**, Kokkos::LayoutLeft>;
using UnmanagedMatrix =
    Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using UnmanagedVector = Kokkos::View<double*, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// The product of the entries: the points of a grid, the entries of a tensor of that shape.
inline long product(const std::vector<int>& extents) {
  long p = 1;
  for (const int n : extents) p *= n;
  return p;
}

}  // namespace tessera::nn
