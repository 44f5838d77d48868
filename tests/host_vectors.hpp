#pragma once
// Host-side helpers for tests of layers on flat Vectors: copies both ways, reproducible random
// vectors, the norm-wise relative error, C-order index helpers, central differences.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nn/types.hpp"

namespace tessera::test {

inline std::vector<double> to_host(const nn::Vector& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

/// A float View's values (the single-precision networks'), widened to double.
inline std::vector<double> to_host(const nn::VectorOf<float>& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

/// A View holding v, rounded to Scalar (float for the single-precision networks).
template <class Scalar = double>
nn::VectorOf<Scalar> to_device(const std::vector<double>& v, const std::string& label = "v") {
  nn::VectorOf<Scalar> d(label, v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (size_t i = 0; i < v.size(); ++i) h(i) = static_cast<Scalar>(v[i]);
  Kokkos::deep_copy(d, h);
  return d;
}

/// n numbers uniform in [-1, 1) from seed, the same on every rank.
inline std::vector<double> random_vector(size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

inline long product(const std::vector<int>& v) {
  long p = 1;
  for (int x : v) p *= x;
  return p;
}

/// Multi-index of flat C-order index t over extents e.
inline std::vector<int> unflatten(long t, const std::vector<int>& e) {
  std::vector<int> idx(e.size());
  for (int d = static_cast<int>(e.size()) - 1; d >= 0; --d) idx[d] = int(t % e[d]), t /= e[d];
  return idx;
}

/// ||a - b|| / ||b|| (2-norms).
inline double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  return std::sqrt(num / den);
}

/// Central differences (f(v + h e_k) - f(v - h e_k)) / 2h of loss() in every entry k of v, which
/// loss reads (each entry restored afterwards).
template <class Loss>
std::vector<double> finite_differences(std::vector<double>& v, const Loss& loss, double h) {
  std::vector<double> g(v.size());
  for (size_t k = 0; k < v.size(); ++k) {
    const double saved = v[k];
    v[k] = saved + h;
    const double lp = loss();
    v[k] = saved - h;
    const double lm = loss();
    v[k] = saved;
    g[k] = (lp - lm) / (2 * h);
  }
  return g;
}

/// dL/dv_k of loss() (which reads v; v_k restored) by the fourth-order central difference
/// (8 (L(h) - L(-h)) - (L(2h) - L(-2h))) / 12h.
template <class Loss>
double central_difference(std::vector<double>& v, size_t k, const Loss& loss, double h) {
  const double saved = v[k];
  auto at = [&](double step) {
    v[k] = saved + step;
    return loss();
  };
  const double g = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
  v[k] = saved;
  return g;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

}  // namespace tessera::test
