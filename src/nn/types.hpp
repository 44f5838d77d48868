#pragma once
// The Kokkos containers the neural core is written in. Matrices are LayoutLeft so that every
// dense product maps onto a BLAS GEMM (OpenBLAS here, cuBLAS on CUDA builds of Kokkos Kernels).
#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace tessera::nn {

// Of a scalar type: the neural operators' layers (nn/spectral_conv, nn/fno) compute in double or
// in float (-operator_precision); everything else is double.
template <class Scalar>
using VectorOf = Kokkos::View<Scalar*>;
template <class Scalar>
using MatrixOf = Kokkos::View<Scalar**, Kokkos::LayoutLeft>;
template <class Scalar>
using UnmanagedMatrixOf =
    Kokkos::View<Scalar**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
template <class Scalar>
using ConstUnmanagedMatrixOf =
    Kokkos::View<const Scalar**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
template <class Scalar>
using UnmanagedVectorOf = Kokkos::View<Scalar*, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

using Vector = VectorOf<double>;
using Matrix = MatrixOf<double>;
using UnmanagedMatrix = UnmanagedMatrixOf<double>;
using UnmanagedVector = UnmanagedVectorOf<double>;

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
