#pragma once
// Jets: the derivative streams propagated forward through a network alongside the value.
//
// For a batch of N points in d dimensions, a jet of order
//   Value     has 1 stream:      u
//   Gradient  has 1 + d streams: u, du/dx_1 .. du/dx_d
//   Laplacian has 1 + 2d:        u, du/dx_i, d2u/dx_i2 (the pure second derivatives)
// A batch is a matrix with one row per feature and S*N columns, stream-major: column s*N + p is
// stream s of point p, so each stream is a contiguous block of N columns and one GEMM applies a
// dense layer to every stream of every point.

namespace tessera::nn {

enum class JetOrder { Value = 0, Gradient = 1, Laplacian = 2 };

inline int stream_count(JetOrder order, int dim) {
  return order == JetOrder::Value ? 1 : order == JetOrder::Gradient ? 1 + dim : 1 + 2 * dim;
}
/// Stream index of du/dx_i and d2u/dx_i2.
inline int gradient_stream(int i) { return 1 + i; }
inline int second_stream(int dim, int i) { return 1 + dim + i; }

}  // namespace tessera::nn
