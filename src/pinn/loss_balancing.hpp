#pragma once
// Adaptive loss weighting: every few iterations, each term i > 0 gets the weight
//   lambda_i <- (1 - alpha) lambda_i + alpha lambda_hat_i,   with
//   annealing      lambda_hat_i = max|grad w_0 L_0| / mean|grad L_i|
//                  (learning-rate annealing, Wang, Teng & Perdikaris 2021, Alg. 1), or
//   gradient_norm  lambda_hat_i = ||grad w_0 L_0|| / ||grad L_i||
//                  (gradient-norm balancing, Wang et al. 2023: equal gradient norms),
// so that no term's gradient is swamped by the residual's (term 0) in a stiff problem. Works on
// any Loss through its term weights; each update costs one loss evaluation per term.
#include <string>
#include <vector>

#include "nn/types.hpp"
#include "pinn/loss.hpp"

namespace tessera::pinn {

enum class BalancingMethod { Annealing, GradientNorm };

BalancingMethod balancing_method_from_name(const std::string& name);
const char* balancing_method_name(BalancingMethod method);

class LearningRateAnnealing {
public:
  /// Starts from the loss's own weights. alpha in (0, 1]: 1 takes each estimate as it is.
  LearningRateAnnealing(Loss& loss, double alpha, long parameter_count,
                        BalancingMethod method = BalancingMethod::Annealing);

  /// Collective over the loss's communicator. Evaluates each term's gradient at x, updates the
  /// weights of terms 1.. and sets them on the loss; returns them.
  const std::vector<double>& update(const nn::Vector& x);

  const std::vector<double>& weights() const { return weights_; }
  /// Not collective. Continues from weights (those of weights() at a checkpoint): sets them on the
  /// loss too. An InputError if their count is not the loss's term count.
  void restore(const std::vector<double>& weights);

private:
  /// Max, mean and L2 norm of the gradient of the loss with these weights at x.
  struct Magnitude {
    double max = 0, mean = 0, norm = 0;
  };
  Magnitude gradient_magnitude(const nn::Vector& x, const std::vector<double>& weights);

  Loss& loss_;
  double alpha_;
  BalancingMethod method_;
  std::vector<double> weights_;
  nn::Vector gradient_;
};

}  // namespace tessera::pinn
