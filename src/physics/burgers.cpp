#include "physics/burgers.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::physics {

Burgers1D Burgers1D::from_options(Options& options) {
  Burgers1D p;
  p.viscosity = options.real("burgers_viscosity", p.viscosity, 1e-6, 10.0,
                             "viscosity nu in u_t + u u_x = nu u_xx (the benchmark: 0.01/pi)");
  return p;
}

namespace {

// The normalised Hermite functions ψ_{n-1}(z) and ψ_n(z), ψ_k = H_k(z) exp(-z²/2) / sqrt(2^k k!
// sqrt(π)), by ψ_k = sqrt(2/k) z ψ_{k-1} - sqrt((k-1)/k) ψ_{k-2}: bounded by 1 for every k, so
// the recurrence neither overflows nor loses the small outer values (down to exp(-z²/2) ~ 1e-300).
void hermite_functions(int n, double z, double& previous, double& current) {
  previous = 0;
  current = std::pow(M_PI, -0.25) * std::exp(-0.5 * z * z);
  for (int k = 1; k <= n; ++k) {
    const double next = std::sqrt(2.0 / k) * z * current - std::sqrt((k - 1.0) / k) * previous;
    previous = current;
    current = next;
  }
}

double hermite_function(int n, double z) {
  double previous, current;
  hermite_functions(n, z, previous, current);
  return current;
}

}  // namespace

GaussHermiteRule gauss_hermite(int n) {
  TESSERA_CHECK(n >= 1 && n <= 600, "gauss_hermite: " << n << " points, expected 1 to 600");
  // Every root lies in |z| < sqrt(2n + 1); neighbouring roots are at least ~ π / sqrt(2n + 1)
  // apart, so a scan with a tenth of that spacing sees each positive root as one sign change.
  const double end = std::sqrt(2.0 * n + 1) + 1.0;
  const double step = 0.1 * M_PI / std::sqrt(2.0 * n + 1);
  std::vector<double> positive;
  double a = 0.5 * step, fa = hermite_function(n, a);
  for (double b = a + step; b < end + step; b += step) {
    const double fb = hermite_function(n, b);
    if ((fa < 0) != (fb < 0)) {
      double lo = a, hi = b, flo = fa;
      for (int it = 0; it < 100 && hi - lo > 1e-15 * hi; ++it) {
        const double mid = 0.5 * (lo + hi), fmid = hermite_function(n, mid);
        if ((fmid < 0) == (flo < 0)) {
          lo = mid;
          flo = fmid;
        } else {
          hi = mid;
        }
      }
      positive.push_back(0.5 * (lo + hi));
    }
    a = b;
    fa = fb;
  }
  TESSERA_CHECK(static_cast<int>(positive.size()) == n / 2,
                "gauss_hermite: found " << positive.size() << " positive roots of H_" << n
                                        << ", expected " << n / 2);
  GaussHermiteRule rule;
  for (auto it = positive.rbegin(); it != positive.rend(); ++it) rule.nodes.push_back(-*it);
  if (n % 2 == 1) rule.nodes.push_back(0.0);
  rule.nodes.insert(rule.nodes.end(), positive.begin(), positive.end());
  for (double z : rule.nodes) {
    double previous, current;
    hermite_functions(n, z, previous, current);
    // w = 1 / (n ψ̃_{n-1}(z)²) with ψ̃_{n-1} = ψ_{n-1} exp(z²/2).
    rule.log_weights.push_back(-std::log(static_cast<double>(n)) -
                               2.0 * std::log(std::abs(previous)) - z * z);
  }
  return rule;
}

ColeHopfBurgers::ColeHopfBurgers(const Burgers1D& problem, int quadrature_points)
    : problem_(problem) {
  TESSERA_CHECK(problem.viscosity > 0,
                "ColeHopfBurgers: viscosity " << problem.viscosity << " is not positive");
  rule_ = gauss_hermite(quadrature_points);
}

double ColeHopfBurgers::operator()(double x, double t) const {
  if (t <= 0) return Burgers1D::initial(x);
  const double nu = problem_.viscosity;
  const double spread = std::sqrt(4.0 * nu * t);
  const size_t n = rule_.nodes.size();
  // log of each term's weight w_i f(y_i), shifted by the largest before exponentiating.
  std::vector<double> log_terms(n);
  double largest = -HUGE_VAL;
  for (size_t i = 0; i < n; ++i) {
    const double y = x - spread * rule_.nodes[i];
    log_terms[i] = rule_.log_weights[i] - std::cos(M_PI * y) / (2.0 * M_PI * nu);
    largest = std::max(largest, log_terms[i]);
  }
  double numerator = 0, denominator = 0;
  for (size_t i = 0; i < n; ++i) {
    const double y = x - spread * rule_.nodes[i];
    const double w = std::exp(log_terms[i] - largest);
    numerator += std::sin(M_PI * y) * w;
    denominator += w;
  }
  return -numerator / denominator;
}

}  // namespace tessera::physics
