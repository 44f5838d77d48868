#pragma once
// Jets: the derivative streams propagated forward through a network alongside the value.
//
// For a batch of N points in d dimensions, a jet of order
//   Value     has 1 stream:      u
//   Gradient  has 1 + d streams: u, du/dx_1 .. du/dx_d
//   Laplacian has 2 + d streams: u, du/dx_i, and Δu = sum_i d2u/dx_i2 carried as one stream
//             (the "forward Laplacian": a_lap = s''(z) |grad z|^2 + s'(z) z_lap), so a PDE that
//             needs only the Laplacian pays for one second-order stream, not d.
// A batch is a matrix with one row per (stream, point) and one column per feature, stream-major:
// row s*N + p is stream s of point p. One GEMM then applies a dense layer to every stream of
// every point, with the long dimension first, which is the shape BLAS runs fastest.

namespace tessera::nn {

enum class JetOrder { Value = 0, Gradient = 1, Laplacian = 2 };

constexpr int stream_count(JetOrder order, int dim) {
  return order == JetOrder::Value ? 1 : order == JetOrder::Gradient ? 1 + dim : 2 + dim;
}
/// Stream index of du/dx_i and of Δu.
constexpr int gradient_stream(int i) { return 1 + i; }
constexpr int laplacian_stream(int dim) { return 1 + dim; }

}  // namespace tessera::nn
