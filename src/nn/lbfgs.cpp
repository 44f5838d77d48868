#include "nn/lbfgs.hpp"

#include <KokkosBlas1_axpby.hpp>
#include <KokkosBlas1_dot.hpp>
#include <KokkosBlas1_nrminf.hpp>
#include <KokkosBlas1_scal.hpp>
#include <KokkosBlas1_update.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/profiling.hpp"

namespace tessera::nn {

namespace {

/// Minimiser of the cubic through (a, fa, da) and (b, fb, db), kept inside the middle 80% of
/// [a, b]; bisection when the cubic has no usable minimiser.
double cubic_step(double a, double fa, double da, double b, double fb, double db) {
  const double lo = std::min(a, b), hi = std::max(a, b), width = hi - lo;
  const double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  const double disc = d1 * d1 - da * db;
  double t = 0.5 * (a + b);
  if (disc >= 0 && std::isfinite(disc)) {
    const double d2 = std::copysign(std::sqrt(disc), b - a);
    const double denom = db - da + 2.0 * d2;
    if (denom != 0) t = b - (b - a) * (db + d2 - d1) / denom;
  }
  if (!std::isfinite(t) || t < lo + 0.1 * width || t > hi - 0.1 * width) t = 0.5 * (a + b);
  return t;
}

}  // namespace

const char* stop_reason(LbfgsStop reason) {
  switch (reason) {
    case LbfgsStop::MaxIterations:
      return "reached the iteration limit";
    case LbfgsStop::GradientTolerance:
      return "gradient norm below tolerance";
    case LbfgsStop::FunctionTolerance:
      return "loss change below tolerance";
    default:
      return "line search found no acceptable step (loss at round-off level)";
  }
}

double InnerProduct::dot(const Vector& a, const Vector& b) const { return KokkosBlas::dot(a, b); }

double InnerProduct::max_abs(const Vector& a) const { return KokkosBlas::nrminf(a); }

double Lbfgs::norm(const Vector& a) const { return std::sqrt(dot(a, a)); }

namespace {

Vector copy_of(const Vector& v) {
  Vector c(Kokkos::view_alloc("tessera::nn::lbfgs_pair", Kokkos::WithoutInitializing), v.extent(0));
  Kokkos::deep_copy(c, v);
  return c;
}

}  // namespace

Lbfgs::Lbfgs(const LbfgsConfig& config, long size, const InnerProduct* inner)
    : config_(config),
      inner_(inner ? inner : &local_),
      g_("tessera::nn::lbfgs_g", size),
      d_("tessera::nn::lbfgs_d", size),
      x_try_("tessera::nn::lbfgs_x_try", size),
      g_try_("tessera::nn::lbfgs_g_try", size) {}

double Lbfgs::evaluate(Objective& objective, const Vector& x, const Vector& d, double step,
                       int& evaluations) {
  Kokkos::deep_copy(x_try_, x);
  KokkosBlas::axpy(step, d, x_try_);
  ++evaluations;
  const double f = objective.value_and_gradient(x_try_, g_try_);
  return std::isfinite(f) ? f : std::numeric_limits<double>::infinity();
}

Lbfgs::LineSearch Lbfgs::search(Objective& objective, const Vector& x, double f0, const Vector& g0,
                                const Vector& d, double initial_step, int& evaluations) {
  const double dphi0 = dot(g0, d);
  const double c1 = config_.c1, c2 = config_.c2;
  auto sufficient = [&](double a, double fa) { return fa <= f0 + c1 * a * dphi0; };
  auto curvature = [&](double da) { return std::abs(da) <= -c2 * dphi0; };

  double a_prev = 0, f_prev = f0, d_prev = dphi0;
  double a = initial_step;
  double lo = 0, hi = 0, f_lo = f0, f_hi = 0, d_lo = dphi0, d_hi = 0;
  bool bracketed = false;
  int budget = config_.max_evaluations_per_search;
  while (budget-- > 0) {
    const double fa = evaluate(objective, x, d, a, evaluations);
    const double da = std::isfinite(fa) ? dot(g_try_, d) : 0.0;
    if (!sufficient(a, fa) || (a_prev > 0 && fa >= f_prev)) {
      lo = a_prev, f_lo = f_prev, d_lo = d_prev, hi = a, f_hi = fa, d_hi = da;
      bracketed = true;
      break;
    }
    if (curvature(da)) return {true, a, fa};
    if (da >= 0) {
      lo = a, f_lo = fa, d_lo = da, hi = a_prev, f_hi = f_prev, d_hi = d_prev;
      bracketed = true;
      break;
    }
    a_prev = a, f_prev = fa, d_prev = da;
    a *= 2.0;
  }
  if (!bracketed) return {false, 0, f0};

  while (budget-- > 0 && std::abs(hi - lo) > 1e-16 * std::max(1.0, std::abs(lo))) {
    const double a_new =
        std::isfinite(f_hi) ? cubic_step(lo, f_lo, d_lo, hi, f_hi, d_hi) : 0.5 * (lo + hi);
    const double fa = evaluate(objective, x, d, a_new, evaluations);
    const double da = std::isfinite(fa) ? dot(g_try_, d) : 0.0;
    if (!sufficient(a_new, fa) || fa >= f_lo) {
      hi = a_new, f_hi = fa, d_hi = da;
    } else {
      if (curvature(da)) return {true, a_new, fa};
      if (da * (hi - lo) >= 0) hi = lo, f_hi = f_lo, d_hi = d_lo;
      lo = a_new, f_lo = fa, d_lo = da;
    }
  }
  // No strong-Wolfe point within budget: still take the best decrease found, if any.
  if (lo > 0 && f_lo < f0) {
    const double fa = evaluate(objective, x, d, lo, evaluations);
    return {true, lo, fa};
  }
  return {false, 0, f0};
}

void Lbfgs::two_loop(const Vector& g, const Vector& d) {
  ProfilingRegion region(Phase::OptimizerStep);
  const int m = static_cast<int>(s_.size());
  std::vector<double> alpha(m);
  Kokkos::deep_copy(d, g);
  for (int i = m - 1; i >= 0; --i) {
    alpha[i] = rho_[i] * dot(s_[i], d);
    KokkosBlas::axpy(-alpha[i], y_[i], d);
  }
  if (m > 0) {
    const double gamma = dot(s_.back(), y_.back()) / dot(y_.back(), y_.back());
    KokkosBlas::scal(d, gamma, d);
  }
  for (int i = 0; i < m; ++i) {
    const double beta = rho_[i] * dot(y_[i], d);
    KokkosBlas::axpy(alpha[i] - beta, s_[i], d);
  }
  KokkosBlas::scal(d, -1.0, d);
}

LbfgsState Lbfgs::state() const {
  LbfgsState st;
  st.iteration = iteration_;
  st.evaluations = evaluations_;
  st.value = value_;
  st.gradient = g_;
  st.s.assign(s_.begin(), s_.end());
  st.y.assign(y_.begin(), y_.end());
  st.rho.assign(rho_.begin(), rho_.end());
  return st;
}

LbfgsResult Lbfgs::minimize(Objective& objective, const Vector& x, const Monitor& monitor,
                            const LbfgsState* resume) {
  LbfgsResult result;
  s_.clear(), y_.clear(), rho_.clear();
  double f = 0;
  int first = 0;
  if (resume) {
    TESSERA_CHECK(resume->s.size() == resume->y.size() && resume->s.size() == resume->rho.size() &&
                      static_cast<int>(resume->s.size()) <= config_.history &&
                      resume->gradient.extent(0) == g_.extent(0),
                  "Lbfgs: a resume state of " << resume->s.size() << " correction pairs and "
                                              << resume->gradient.extent(0)
                                              << " parameters does not fit");
    for (size_t i = 0; i < resume->s.size(); ++i) {
      s_.push_back(copy_of(resume->s[i]));
      y_.push_back(copy_of(resume->y[i]));
      rho_.push_back(resume->rho[i]);
    }
    Kokkos::deep_copy(g_, resume->gradient);
    f = resume->value;
    first = resume->iteration;
    result.evaluations = resume->evaluations;
    result.iterations = first;
    result.value = f;
  } else {
    f = objective.value_and_gradient(x, g_);
    result.evaluations = 1;
  }
  // A non-finite start would end at once with a failed line search and the start returned as
  // if it were a result.
  if (!std::isfinite(f) || !std::isfinite(dot(g_, g_)))
    TESSERA_THROW_DIVERGED("L-BFGS: the loss " << f
                                               << " or its gradient is not finite at its start "
                                               << "(L-BFGS iteration " << first
                                               << "; the same on every rank: both are reduced)");
  for (int k = first; k < config_.max_iterations; ++k) {
    result.gradient_norm = inner_->max_abs(g_);
    if (result.gradient_norm <= config_.gradient_tolerance) {
      result.reason = LbfgsStop::GradientTolerance;
      result.value = f;
      return result;
    }
    two_loop(g_, d_);
    double initial = 1.0;
    if (s_.empty()) {
      // Steepest descent with a step of unit length in parameter space on the first iteration.
      initial = 1.0 / std::max(1.0, norm(g_));
    } else if (dot(g_, d_) >= 0) {
      s_.clear(), y_.clear(), rho_.clear();
      two_loop(g_, d_);
      initial = 1.0 / std::max(1.0, norm(g_));
    }
    auto ls = search(objective, x, f, g_, d_, initial, result.evaluations);
    if (!ls.ok && !s_.empty()) {
      // A stale curvature model can point nowhere useful: restart from steepest descent once.
      s_.clear(), y_.clear(), rho_.clear();
      two_loop(g_, d_);
      ls = search(objective, x, f, g_, d_, 1.0 / std::max(1.0, norm(g_)), result.evaluations);
    }
    if (!ls.ok) {
      result.reason = LbfgsStop::LineSearchFailed;
      result.value = f;
      return result;
    }
    // s = x_try - x, y = g_try - g, then accept the step.
    {
      ProfilingRegion region(Phase::OptimizerStep);
      Vector s(Kokkos::view_alloc("tessera::nn::lbfgs_s", Kokkos::WithoutInitializing),
               x.extent(0));
      Vector y(Kokkos::view_alloc("tessera::nn::lbfgs_y", Kokkos::WithoutInitializing),
               x.extent(0));
      if (static_cast<int>(s_.size()) == config_.history) {
        s = s_.front(), y = y_.front();
        s_.pop_front(), y_.pop_front(), rho_.pop_front();
      }
      KokkosBlas::update(1.0, x_try_, -1.0, x, 0.0, s);
      KokkosBlas::update(1.0, g_try_, -1.0, g_, 0.0, y);
      const double sy = dot(s, y);
      if (sy > 1e-12 * dot(y, y)) {
        s_.push_back(s), y_.push_back(y), rho_.push_back(1.0 / sy);
      }
      Kokkos::deep_copy(x, x_try_);
      Kokkos::deep_copy(g_, g_try_);
    }
    const double change = std::abs(f - ls.value);
    const double scale = std::max(1.0, std::abs(f));
    f = ls.value;
    result.iterations = k + 1;
    result.value = f;
    iteration_ = k + 1, evaluations_ = result.evaluations, value_ = f;
    if (monitor) monitor(k + 1, f, result.evaluations);
    if (change <= config_.function_tolerance * scale) {
      result.reason = LbfgsStop::FunctionTolerance;
      return result;
    }
  }
  result.reason = LbfgsStop::MaxIterations;
  result.gradient_norm = inner_->max_abs(g_);
  return result;
}

}  // namespace tessera::nn
