#include "dd/interface_bandit.hpp"

#include <cmath>
#include <utility>

#include "core/error.hpp"
#include "core/random.hpp"

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

InterfaceBandit::InterfaceBandit(int arms, const ContextArmKernel& kernel, double noise_variance,
                                 std::vector<std::vector<double>> contexts, std::uint64_t seed)
    : arms_(arms),
      policy_(BanditPolicy::Thompson),
      contexts_(std::move(contexts)),
      state_(splitmix64(seed)),
      gp_(kernel, noise_variance) {
  TESSERA_CHECK(arms >= 1 && !contexts_.empty(),
                "InterfaceBandit: " << arms << " arms, " << contexts_.size() << " contexts");
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

int InterfaceBandit::thompson_choice(const std::vector<double>& context) {
  std::vector<GaussianProcess::Point> grid;
  int at = -1;  // the first point of context in grid
  for (const auto& c : contexts_) {
    if (c == context) at = static_cast<int>(grid.size());
    for (int a = 0; a < arms_; ++a) grid.push_back({c, a});
  }
  if (at < 0) {
    at = static_cast<int>(grid.size());
    for (int a = 0; a < arms_; ++a) grid.push_back({context, a});
  }
  const auto draw = gp_.sample(grid, state_);
  int best = 0;
  for (int a = 1; a < arms_; ++a)
    if (draw[at + a] > draw[at + best]) best = a;
  return best;
}

int InterfaceBandit::choose(const std::vector<double>& context) {
  if (policy_ == BanditPolicy::Thompson) return thompson_choice(context);
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
