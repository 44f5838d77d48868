#include "dd/interface_bandit.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tessera::dd {

std::vector<InterfaceArm> standard_interface_arms() {
  return {{"continuity", {10, 0, 0, 0}},
          {"continuity+flux", {10, 0, 1, 0}},
          {"continuity+flux+residual", {10, 0, 1, 1}},
          {"average+flux", {0, 10, 1, 0}},
          {"continuity+residual", {10, 0, 0, 1}}};
}

InterfaceBandit::InterfaceBandit(int arms, const ContextArmKernel& kernel, double noise_variance,
                                 double exploration)
    : arms_(arms), exploration_(exploration), gp_(kernel, noise_variance) {
  TESSERA_CHECK(arms >= 1 && exploration >= 0,
                "InterfaceBandit: " << arms << " arms, exploration " << exploration);
}

int InterfaceBandit::argmax(const std::vector<double>& context, double weight_of_deviation) const {
  int best = 0;
  double best_score = -HUGE_VAL;
  for (int a = 0; a < arms_; ++a) {
    const auto p = gp_.predict(context, a);
    const double score = p.mean + weight_of_deviation * std::sqrt(p.variance);
    if (score > best_score) best = a, best_score = score;
  }
  return best;
}

int InterfaceBandit::choose(const std::vector<double>& context) const {
  return argmax(context, std::sqrt(exploration_));
}

int InterfaceBandit::recommend(const std::vector<double>& context) const {
  return argmax(context, 0.0);
}

void InterfaceBandit::observe(const std::vector<double>& context, int arm, double reward) {
  TESSERA_CHECK(arm >= 0 && arm < arms_, "InterfaceBandit: no arm " << arm);
  gp_.add(context, arm, reward);
}

}  // namespace tessera::dd
