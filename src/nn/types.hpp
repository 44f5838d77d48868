#pragma once
// The Kokkos containers the neural core is written in. Matrices are LayoutLeft so that every
// dense product maps onto a BLAS GEMM (OpenBLAS here, cuBLAS on CUDA builds of Kokkos Kernels).
#include <Kokkos_Core.hpp>

namespace tessera::nn {

using Vector = Kokkos::View<double*>;
using Matrix = Kokkos::View<double**, Kokkos::LayoutLeft>;
using UnmanagedMatrix =
    Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
using UnmanagedVector = Kokkos::View<double*, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

}  // namespace tessera::nn
