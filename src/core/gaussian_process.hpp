#pragma once
// A small Gaussian-process regressor over (context, arm) pairs: a continuous context vector (e.g.
// the parameters of a PDE) and one of a few discrete arms (e.g. an interface-condition set). The
// kernel is a product
//   k((c, a), (c', a')) = σ² exp(-|c - c'|² / (2 ℓ²)) · (1 if a = a' else ρ),
// an RBF over the contexts times a discrete kernel over the arms whose correlation ρ ∈ [0, 1) lets
// what one arm taught carry over to the others. Observations y carry Gaussian noise of variance
// s²; the prior mean is the mean of the observations so far (a constant), so an untried arm is
// predicted as an average one. Exact inference through a Cholesky factor, refactored on each
// add(): meant for the tens of observations of a bandit, not for large data. Not collective.
// sample() draws the function jointly at a set of points from the posterior (Thompson sampling).
#include <cstdint>
#include <vector>

namespace tessera {

struct ContextArmKernel {
  double variance = 1.0;         // σ²
  double length_scale = 1.0;     // ℓ, in context units
  double arm_correlation = 0.0;  // ρ

  double operator()(const std::vector<double>& c1, int a1, const std::vector<double>& c2,
                    int a2) const;
};

class GaussianProcess {
public:
  /// Throws an Error if a hyperparameter is out of range (variance, length scale, noise > 0,
  /// 0 <= arm correlation < 1).
  GaussianProcess(const ContextArmKernel& kernel, double noise_variance);

  void add(const std::vector<double>& context, int arm, double y);
  int size() const { return static_cast<int>(ys_.size()); }
  double prior_mean() const { return mean_; }

  struct Prediction {
    double mean = 0, variance = 0;
  };
  /// The posterior of the noise-free function at (context, arm): with no data, the prior
  /// (mean 0, variance σ²).
  Prediction predict(const std::vector<double>& context, int arm) const;

  /// A (context, arm) pair at which the function is predicted jointly.
  struct Point {
    std::vector<double> context;
    int arm = 0;
  };
  struct JointPrediction {
    std::vector<double> mean;
    std::vector<double> covariance;  // row-major m x m
  };
  /// The joint posterior of the noise-free function at the m points: mean and covariance
  /// K** - K*ᵀ (K + s² I)⁻¹ K*.
  JointPrediction predict_joint(const std::vector<Point>& points) const;
  /// One draw of the noise-free function jointly at the points from the posterior, mean + L z
  /// with L L^T the covariance (a semidefinite Cholesky factor: points the data or each other
  /// determine get no independent noise) and z standard normal drawn from state, which advances.
  /// Deterministic given state, on every platform (core/random.hpp).
  std::vector<double> sample(const std::vector<Point>& points, std::uint64_t& state) const;

private:
  ContextArmKernel kernel_;
  double noise_variance_;
  std::vector<std::vector<double>> contexts_;
  std::vector<int> arms_;
  std::vector<double> ys_;
  double mean_ = 0;
  std::vector<double> cholesky_;  // lower factor L of K + s² I, row-major n x n
  std::vector<double> alpha_;     // (K + s² I)^-1 (y - mean)
};

}  // namespace tessera
