#include "core/gaussian_process.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/random.hpp"

namespace tessera {

namespace {

/// Solves L z = b in place (L lower triangular, row-major n x n).
void forward_substitute(const std::vector<double>& l, int n, std::vector<double>& b) {
  for (int i = 0; i < n; ++i) {
    double s = b[i];
    for (int k = 0; k < i; ++k) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/// Solves L^T z = b in place.
void back_substitute(const std::vector<double>& l, int n, std::vector<double>& b) {
  for (int i = n - 1; i >= 0; --i) {
    double s = b[i];
    for (int k = i + 1; k < n; ++k) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/// The lower Cholesky factor of the symmetric n x n matrix a (row-major). A pivot at or below
/// tolerance is an Error when the matrix must be positive definite (tolerance 0); with tolerance >
/// 0 it is a direction of (numerically) zero variance: its column of L is set to zero.
std::vector<double> cholesky(const std::vector<double>& a, int n, double tolerance = 0) {
  std::vector<double> l(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = a[i * n + j];
      for (int k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      if (i == j) {
        TESSERA_CHECK(tolerance > 0 || s > 0,
                      "GaussianProcess: kernel matrix not positive definite");
        l[i * n + i] = s > tolerance ? std::sqrt(s) : 0.0;
      } else {
        l[i * n + j] = l[j * n + j] > 0 ? s / l[j * n + j] : 0.0;
      }
    }
  return l;
}

}  // namespace

double ContextArmKernel::operator()(const std::vector<double>& c1, int a1,
                                    const std::vector<double>& c2, int a2) const {
  TESSERA_CHECK(c1.size() == c2.size(),
                "ContextArmKernel: contexts of " << c1.size() << " and " << c2.size() << " values");
  double d2 = 0;
  for (size_t i = 0; i < c1.size(); ++i) d2 += (c1[i] - c2[i]) * (c1[i] - c2[i]);
  return variance * std::exp(-0.5 * d2 / (length_scale * length_scale)) *
         (a1 == a2 ? 1.0 : arm_correlation);
}

GaussianProcess::GaussianProcess(const ContextArmKernel& kernel, double noise_variance)
    : kernel_(kernel), noise_variance_(noise_variance) {
  TESSERA_CHECK(kernel.variance > 0 && kernel.length_scale > 0 && noise_variance > 0 &&
                    kernel.arm_correlation >= 0 && kernel.arm_correlation < 1,
                "GaussianProcess: variance " << kernel.variance << ", length scale "
                                             << kernel.length_scale << ", arm correlation "
                                             << kernel.arm_correlation << ", noise variance "
                                             << noise_variance << " out of range");
}

void GaussianProcess::add(const std::vector<double>& context, int arm, double y) {
  contexts_.push_back(context);
  arms_.push_back(arm);
  ys_.push_back(y);
  const int n = size();
  mean_ = 0;
  for (double v : ys_) mean_ += v / n;
  // Cholesky of K + s² I (positive definite: s² > 0).
  std::vector<double> k(static_cast<size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      k[i * n + j] = kernel_(contexts_[i], arms_[i], contexts_[j], arms_[j]) +
                     (i == j ? noise_variance_ : 0.0);
  cholesky_ = cholesky(k, n);
  alpha_.resize(n);
  for (int i = 0; i < n; ++i) alpha_[i] = ys_[i] - mean_;
  forward_substitute(cholesky_, n, alpha_);
  back_substitute(cholesky_, n, alpha_);
}

GaussianProcess::Prediction GaussianProcess::predict(const std::vector<double>& context,
                                                     int arm) const {
  const int n = size();
  const double prior = kernel_(context, arm, context, arm);
  if (n == 0) return {0.0, prior};
  std::vector<double> k(n);
  for (int i = 0; i < n; ++i) k[i] = kernel_(context, arm, contexts_[i], arms_[i]);
  Prediction p;
  p.mean = mean_;
  for (int i = 0; i < n; ++i) p.mean += k[i] * alpha_[i];
  forward_substitute(cholesky_, n, k);  // v = L^-1 k, variance = k** - v·v
  double vv = 0;
  for (double v : k) vv += v * v;
  p.variance = std::max(0.0, prior - vv);
  return p;
}

GaussianProcess::JointPrediction GaussianProcess::predict_joint(
    const std::vector<Point>& points) const {
  const int n = size(), m = static_cast<int>(points.size());
  JointPrediction p;
  p.mean.assign(m, n == 0 ? 0.0 : mean_);
  p.covariance.resize(static_cast<size_t>(m) * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      p.covariance[i * m + j] =
          kernel_(points[i].context, points[i].arm, points[j].context, points[j].arm);
  // v_i = L^-1 k(X, point i); mean_i += k_i·alpha; covariance_ij -= v_i·v_j.
  std::vector<std::vector<double>> v(m, std::vector<double>(n));
  for (int i = 0; i < m; ++i) {
    for (int d = 0; d < n; ++d)
      v[i][d] = kernel_(points[i].context, points[i].arm, contexts_[d], arms_[d]);
    for (int d = 0; d < n; ++d) p.mean[i] += v[i][d] * alpha_[d];
    forward_substitute(cholesky_, n, v[i]);
  }
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      double vv = 0;
      for (int d = 0; d < n; ++d) vv += v[i][d] * v[j][d];
      p.covariance[i * m + j] -= vv;
    }
  return p;
}

std::vector<double> GaussianProcess::sample(const std::vector<Point>& points,
                                            std::uint64_t& state) const {
  const auto p = predict_joint(points);
  const int m = static_cast<int>(points.size());
  // Pivots below this are round-off of a determined direction, not variance.
  const auto l = cholesky(p.covariance, m, 1e-12 * kernel_.variance);
  std::vector<double> z(m);
  for (double& zi : z) zi = standard_normal(state);
  std::vector<double> f = p.mean;
  for (int i = 0; i < m; ++i)
    for (int k = 0; k <= i; ++k) f[i] += l[i * m + k] * z[k];
  return f;
}

}  // namespace tessera
