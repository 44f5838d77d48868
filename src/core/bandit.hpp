#pragma once
// UCB1 (Auer, Cesa-Bianchi and Fischer 2002) for choosing a solver parameter online across a
// sequence of solves: each arm is one parameter value, each solve one pull, and the feedback is a
// cost such as the solve's iteration count (lower is better).
//
// UCB1 wants rewards in [0, 1]; iteration counts have no fixed scale, so a cost is turned into
// the reward (worst - cost) / (worst - best) with the best and worst costs seen so far. A mean
// reward is then max - mean cost over the same range, which stays consistent as the range grows.
//
// Pure and deterministic: ranks that feed it the same costs (iteration counts are the same on
// every rank) make the same choices without communicating.
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.hpp"

namespace tessera {

class Ucb1Bandit {
public:
  /// exploration is c in mean + c sqrt(ln t / n); sqrt(2) is UCB1's, smaller values exploit
  /// sooner, which suits short sequences.
  explicit Ucb1Bandit(int arms, double exploration = std::sqrt(2.0))
      : exploration_(exploration), pulls_(arms, 0), cost_sum_(arms, 0.0) {
    TESSERA_CHECK(arms >= 1, "Ucb1Bandit: needs at least one arm, got " << arms);
    TESSERA_CHECK(exploration >= 0, "Ucb1Bandit: exploration " << exploration << " < 0");
  }

  int arms() const { return static_cast<int>(pulls_.size()); }
  int total_pulls() const { return total_; }
  /// How often each arm was chosen.
  const std::vector<int>& pulls() const { return pulls_; }
  double mean_cost(int arm) const { return cost_sum_.at(arm) / pulls_.at(arm); }

  /// The arm to pull next: each untried arm once in index order, then the highest upper
  /// confidence bound (ties to the lower index).
  int choose() const {
    for (int a = 0; a < arms(); ++a)
      if (pulls_[a] == 0) return a;
    const double range = worst_ - best_;
    int chosen = 0;
    double top = -std::numeric_limits<double>::infinity();
    for (int a = 0; a < arms(); ++a) {
      const double mean_reward = range > 0 ? (worst_ - mean_cost(a)) / range : 1.0;
      const double bound =
          mean_reward + exploration_ * std::sqrt(std::log(static_cast<double>(total_)) / pulls_[a]);
      if (bound > top) {
        top = bound;
        chosen = a;
      }
    }
    return chosen;
  }

  /// Records the cost an arm's pull gave.
  void record(int arm, double cost) {
    TESSERA_CHECK(arm >= 0 && arm < arms(), "Ucb1Bandit: no arm " << arm);
    ++pulls_[arm];
    ++total_;
    cost_sum_[arm] += cost;
    best_ = std::min(best_, cost);
    worst_ = std::max(worst_, cost);
  }

  /// The arm with the lowest mean cost among those tried (-1 before any pull).
  int best_arm() const {
    int best = -1;
    for (int a = 0; a < arms(); ++a)
      if (pulls_[a] > 0 && (best < 0 || mean_cost(a) < mean_cost(best))) best = a;
    return best;
  }

private:
  double exploration_;
  std::vector<int> pulls_;
  std::vector<double> cost_sum_;
  int total_ = 0;
  double best_ = std::numeric_limits<double>::infinity();
  double worst_ = -std::numeric_limits<double>::infinity();
};

}  // namespace tessera
