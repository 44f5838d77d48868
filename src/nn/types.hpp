#pragma once
// The Kokkos containers the neural core is written in. Matrices are LayoutLeft so that every
// dense product maps onto a BLAS GEMM (OpenBLAS here, cuBLAS on CUDA builds of Kokkos Kernels).
#include <Kokkos_Core.hpp>

#include <string>
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

/// A View in the default execution space's memory holding a copy of values (index lists and
/// tables built once on the host). Not collective.
template <class T>
Kokkos::View<T*> to_device(const char* label, const std::vector<T>& values) {
  Kokkos::View<T*> view(std::string(label), values.size());
  const Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
      values.data(), values.size());
  Kokkos::deep_copy(view, host);
  return view;
}

}  // namespace tessera::nn
