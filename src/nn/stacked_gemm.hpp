#pragma once
// The dense layers of B stacked networks (StackedMlp, nn/mlp.hpp) as one batched GEMM: block b
// multiplies its own rows of the batch by its own weights, C_b = op(A_b) op(B_b) + beta C_b, all
// blocks of one shape. On an execution space that runs on the host every block is one vendor
// BLAS GEMM (OpenBLAS's kernels are what a CPU core does best, and a block is large: S N rows);
// on a device one launch of KokkosBatched team GEMMs over (block, tile of C's rows) replaces B
// small launches.
#include <KokkosBatched_Gemm_Decl.hpp>
#include <KokkosBatched_Gemm_Team_Impl.hpp>
#include <KokkosBlas2_gemv.hpp>
#include <KokkosBlas3_gemm.hpp>
#include <Kokkos_Core.hpp>
#include <type_traits>

#include "nn/types.hpp"

namespace tessera::nn {

using KokkosBatched::Trans;

/// Block b of a batch matrix: its rows [b rows, (b + 1) rows).
struct RowBlocks {
  Matrix matrix;
  long rows;
  KOKKOS_INLINE_FUNCTION auto operator()(int b) const {
    return Kokkos::subview(matrix, Kokkos::make_pair(b * rows, (b + 1) * rows), Kokkos::ALL());
  }
};

/// Block b of a flat parameter-layout vector: the rows x cols matrix (column-major) at
/// flat + b stride + offset, a layer's weight (or its gradient) of network b.
struct WeightBlocks {
  double* flat;
  long stride, offset;
  int rows, cols;
  KOKKOS_INLINE_FUNCTION UnmanagedMatrix operator()(int b) const {
    return UnmanagedMatrix(flat + b * stride + offset, rows, cols);
  }
};

/// Block b of a flat parameter-layout vector: the `size` entries at flat + b stride + offset, a
/// layer's bias (or its gradient) of network b.
struct VectorBlocks {
  double* flat;
  long stride, offset, size;
  KOKKOS_INLINE_FUNCTION UnmanagedVector operator()(int b) const {
    return UnmanagedVector(flat + b * stride + offset, size);
  }
};

/// C_b = op(A_b) op(B_b) + beta C_b for every block b < blocks, each a vendor BLAS GEMM. Not
/// collective.
template <class TransA, class TransB, class A, class B, class C>
void stacked_gemm_blas(int blocks, double beta, const A& a, const B& b, const C& c) {
  const char* ta = std::is_same<TransA, Trans::Transpose>::value ? "T" : "N";
  const char* tb = std::is_same<TransB, Trans::Transpose>::value ? "T" : "N";
  for (int k = 0; k < blocks; ++k) KokkosBlas::gemm(ta, tb, 1.0, a(k), b(k), beta, c(k));
}

/// The rows of op(A) in range: rows of A, or columns of a transposed A.
template <class A, class Range>
KOKKOS_INLINE_FUNCTION auto op_rows(const A& a, const Range& range, Trans::NoTranspose) {
  return Kokkos::subview(a, range, Kokkos::ALL());
}
template <class A, class Range>
KOKKOS_INLINE_FUNCTION auto op_rows(const A& a, const Range& range, Trans::Transpose) {
  return Kokkos::subview(a, Kokkos::ALL(), range);
}

/// The same as one launch of team GEMMs, one team per (block, tile of kTile rows of C_b). Not
/// collective.
template <class TransA, class TransB, class A, class B, class C>
void stacked_gemm_batched(int blocks, double beta, const A& a, const B& b, const C& c) {
  using Team = Kokkos::TeamPolicy<>::member_type;
  constexpr long kTile = 32;
  const long m = static_cast<long>(c(0).extent(0));
  const int tiles = static_cast<int>((m + kTile - 1) / kTile);
  if (blocks == 0 || tiles == 0) return;
  Kokkos::parallel_for(
      "tessera::nn::stacked_gemm", Kokkos::TeamPolicy<>(blocks * tiles, Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const int k = team.league_rank() / tiles;
        const long first = (team.league_rank() % tiles) * kTile;
        const auto rows = Kokkos::make_pair(first, first + kTile < m ? first + kTile : m);
        const auto ck = Kokkos::subview(c(k), rows, Kokkos::ALL());
        KokkosBatched::TeamGemm<Team, TransA, TransB, KokkosBatched::Algo::Gemm::Unblocked>::invoke(
            team, 1.0, op_rows(a(k), rows, TransA()), b(k), beta, ck);
      });
}

/// C_b = op(A_b) op(B_b) + beta C_b for every block: per-block BLAS where the default execution
/// space runs on the host, one batched launch elsewhere. Not collective.
template <class TransA, class TransB, class A, class B, class C>
void stacked_gemm(int blocks, double beta, const A& a, const B& b, const C& c) {
  if constexpr (Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                           Kokkos::DefaultExecutionSpace::memory_space>::accessible)
    stacked_gemm_blas<TransA, TransB>(blocks, beta, a, b, c);
  else
    stacked_gemm_batched<TransA, TransB>(blocks, beta, a, b, c);
}

/// y_b += sum over the first n rows of A_b for every block, one kernel over (block, column). Not
/// collective.
template <class A, class Y>
void stacked_column_sums_kernel(int blocks, long n, const A& a, const Y& y) {
  const int cols = static_cast<int>(a(0).extent(1));
  Kokkos::parallel_for(
      "tessera::nn::stacked_column_sums", Kokkos::RangePolicy<>(0, blocks * cols),
      KOKKOS_LAMBDA(const int q) {
        const int k = q / cols, r = q % cols;
        const auto ak = a(k);
        double sum = 0;
        for (long p = 0; p < n; ++p) sum += ak(p, r);
        y(k)(r) += sum;
      });
}

/// y_b += sum over the first n rows of A_b (the value-stream rows of a block: a bias gradient)
/// for every block: per-block BLAS GEMVs against ones (length n) on the host, one kernel
/// elsewhere. Not collective.
template <class A, class Y>
void stacked_column_sums(int blocks, long n, const A& a, const Y& y, const Vector& ones) {
  if constexpr (Kokkos::SpaceAccessibility<
                    Kokkos::HostSpace, Kokkos::DefaultExecutionSpace::memory_space>::accessible) {
    for (int k = 0; k < blocks; ++k)
      KokkosBlas::gemv("T", 1.0, Kokkos::subview(a(k), Kokkos::make_pair(0L, n), Kokkos::ALL()),
                       ones, 1.0, y(k));
  } else {
    stacked_column_sums_kernel(blocks, n, a, y);
  }
}

}  // namespace tessera::nn
