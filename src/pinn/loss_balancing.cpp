#include "pinn/loss_balancing.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "pinn/loss_balancing_kernels.hpp"

namespace tessera::pinn {

BalancingMethod balancing_method_from_name(const std::string& name) {
  if (name == "annealing") return BalancingMethod::Annealing;
  if (name == "gradient_norm") return BalancingMethod::GradientNorm;
  TESSERA_THROW("unknown loss balancing '" << name << "'; expected annealing or gradient_norm");
}

const char* balancing_method_name(BalancingMethod method) {
  return method == BalancingMethod::Annealing ? "annealing" : "gradient_norm";
}

LearningRateAnnealing::LearningRateAnnealing(Loss& loss, double alpha, long parameter_count,
                                             BalancingMethod method)
    : loss_(loss),
      alpha_(alpha),
      method_(method),
      weights_(loss.term_weights()),
      gradient_("tessera::pinn::term_gradient", parameter_count) {
  TESSERA_CHECK(alpha > 0 && alpha <= 1, "learning-rate annealing: alpha must be in (0, 1]");
  TESSERA_CHECK(weights_.size() >= 2, "learning-rate annealing needs a loss of weighted terms");
}

LearningRateAnnealing::Magnitude LearningRateAnnealing::gradient_magnitude(
    const nn::Vector& x, const std::vector<double>& weights) {
  loss_.set_term_weights(weights);
  loss_.value_and_gradient(x, gradient_);  // collective: every rank gets the summed gradient
  const auto g = gradient_;
  const long n = static_cast<long>(g.extent(0));
  Magnitude m;
  double sum = 0, sum_sq = 0;
  gradient_max_abs(g, m.max);
  gradient_sums(g, sum, sum_sq);
  m.mean = sum / n;
  m.norm = std::sqrt(sum_sq);
  return m;
}

void LearningRateAnnealing::restore(const std::vector<double>& weights) {
  if (weights.size() != weights_.size())
    throw InputError("the checkpoint holds " + std::to_string(weights.size()) +
                         " adaptive term weights; this loss has " +
                         std::to_string(weights_.size()) + " terms",
                     __FILE__, __LINE__);
  weights_ = weights;
  loss_.set_term_weights(weights_);
}

const std::vector<double>& LearningRateAnnealing::update(const nn::Vector& x) {
  const size_t terms = weights_.size();
  std::vector<double> only(terms, 0.0);
  only[0] = weights_[0];
  const auto residual = gradient_magnitude(x, only);
  const bool norm = method_ == BalancingMethod::GradientNorm;
  for (size_t i = 1; i < terms; ++i) {
    std::fill(only.begin(), only.end(), 0.0);
    only[i] = 1.0;  // the unweighted term's gradient
    const auto term = gradient_magnitude(x, only);
    const double num = norm ? residual.norm : residual.max, den = norm ? term.norm : term.mean;
    if (den > 0 && std::isfinite(num))
      weights_[i] = (1.0 - alpha_) * weights_[i] + alpha_ * num / den;
  }
  loss_.set_term_weights(weights_);
  return weights_;
}

}  // namespace tessera::pinn
