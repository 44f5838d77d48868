#pragma once
// Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, Alg. 7.4, 3.5, 3.6).
// Deterministic given the objective, so data-parallel ranks that see the same allreduced values
// take the same steps. It never stops silently: the result says why it stopped.
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "nn/objective.hpp"

namespace tessera::nn {

struct LbfgsConfig {
  int max_iterations = 1000;
  int history = 50;                   // correction pairs kept
  double gradient_tolerance = 1e-10;  // stop when max |g_i| falls below
  double function_tolerance = 1e-15;  // stop when |f_k - f_k+1| <= tol * max(1, |f_k|)
  double c1 = 1e-4, c2 = 0.9;         // Wolfe constants
  int max_evaluations_per_search = 25;
};

enum class LbfgsStop { MaxIterations, GradientTolerance, FunctionTolerance, LineSearchFailed };
const char* stop_reason(LbfgsStop reason);

struct LbfgsResult {
  LbfgsStop reason = LbfgsStop::MaxIterations;
  int iterations = 0;
  int evaluations = 0;
  double value = 0;
  double gradient_norm = 0;  // max norm at the final point
};

/// The inner product L-BFGS uses on parameter vectors. The default is the local one; when the
/// parameters are distributed (each rank holds a part of x), a subclass sums over ranks, and its
/// methods are then collective. Every rank must get the same numbers, so that all take the same
/// steps and stop together.
class InnerProduct {
public:
  virtual ~InnerProduct() = default;
  virtual double dot(const Vector& a, const Vector& b) const;
  /// max_i |a_i|.
  virtual double max_abs(const Vector& a) const;
};

/// Everything minimize() carries from one iteration to the next, after `iteration` accepted
/// iterations: resuming from it continues along the same iterates.
struct LbfgsState {
  int iteration = 0;
  int evaluations = 0;
  double value = 0;          // f at the current point
  Vector gradient;           // at the current point
  std::vector<Vector> s, y;  // correction pairs, oldest first
  std::vector<double> rho;   // 1 / (s . y) per pair
};

class Lbfgs {
public:
  /// Called after each accepted iteration with (iteration, f, evaluations so far).
  using Monitor = std::function<void(int, double, int)>;

  /// inner: nullptr for the local inner product; otherwise it must outlive this object.
  Lbfgs(const LbfgsConfig& config, long size, const InnerProduct* inner = nullptr);

  /// Minimises from x (updated in place). Collective when the objective is. A loss or gradient
  /// that is not finite at the starting point throws DivergenceError (on every rank: both are
  /// reduced); trial points with non-finite values are treated as +inf by the line search.
  /// With resume, x must be the point the state was taken at; the iteration count continues.
  LbfgsResult minimize(Objective& objective, const Vector& x, const Monitor& monitor = {},
                       const LbfgsState* resume = nullptr);

  /// The state after the last accepted iteration, for a checkpoint taken inside a monitor call:
  /// its vectors share storage with this object and change with the next iteration.
  LbfgsState state() const;
  /// The gradient at the last accepted point (inside a monitor call: the point just accepted).
  const Vector& gradient() const { return g_; }

private:
  struct LineSearch {
    bool ok = false;
    double step = 0, value = 0;
  };
  /// Strong-Wolfe search along d from x (f0, g0). On success x_try/g_try hold the accepted point.
  LineSearch search(Objective& objective, const Vector& x, double f0, const Vector& g0,
                    const Vector& d, double initial_step, int& evaluations);
  double evaluate(Objective& objective, const Vector& x, const Vector& d, double step,
                  int& evaluations);
  void two_loop(const Vector& g, const Vector& d);

  double dot(const Vector& a, const Vector& b) const { return inner_->dot(a, b); }
  double norm(const Vector& a) const;

  LbfgsConfig config_;
  InnerProduct local_;
  const InnerProduct* inner_;
  std::deque<Vector> s_, y_;
  std::deque<double> rho_;
  Vector g_, d_, x_try_, g_try_;
  int iteration_ = 0, evaluations_ = 0;
  double value_ = 0;
};

}  // namespace tessera::nn
