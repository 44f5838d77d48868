#pragma once
// Meta-learned interface conditions (after METALIC, Huang et al.): for a family of parametric
// PDEs, a contextual bandit picks the interface-condition set of each training run. Its reward
// surrogate is a Gaussian process over (PDE parameters × condition set)
// (core/gaussian_process.hpp: RBF over the parameters, a discrete kernel over the sets), and it
// chooses by the upper confidence bound
//   a* = argmax_a  μ(c, a) + √β σ(c, a)
// (GP-UCB), or by Thompson sampling: one draw of the GP posterior jointly over the whole candidate
// grid (every context of the family × every set), the set best under that draw at the context.
// Either choice is deterministic (the draws come from a seeded, portable generator; ties go to
// the lower arm), so every rank of a run that feeds it the same rewards makes the same choices
// without communication.
#include <cstdint>
#include <string>
#include <vector>

#include "core/gaussian_process.hpp"
#include "dd/interface_condition.hpp"

namespace tessera::dd {

/// One arm of the bandit: a named set of interface conditions with their weights.
struct InterfaceArm {
  std::string name;
  InterfaceWeights weights;
};

/// The condition sets to choose from: continuity; continuity + flux; continuity + flux +
/// residual; average + flux; continuity + residual (continuity and average weight 10 — the
/// average term penalises a quarter of the squared jump, so it is the softer continuity — flux
/// and residual 1).
std::vector<InterfaceArm> standard_interface_arms();

/// How the bandit chooses: by the upper confidence bound or by Thompson sampling.
enum class BanditPolicy { Ucb, Thompson };

class InterfaceBandit {
public:
  /// GP-UCB: arms >= 1; exploration β >= 0. Throws an Error otherwise (or for a bad kernel).
  InterfaceBandit(int arms, const ContextArmKernel& kernel, double noise_variance,
                  double exploration);
  /// Thompson sampling over the candidate contexts (the PDE family, one or more), each draw joint
  /// over contexts × arms, seeded by seed. Throws an Error for no contexts (or as above).
  InterfaceBandit(int arms, const ContextArmKernel& kernel, double noise_variance,
                  std::vector<std::vector<double>> contexts, std::uint64_t seed);

  /// The arm with the highest upper confidence bound at context (GP-UCB), or the best arm at
  /// context of one joint posterior draw (Thompson; context joins the candidates if it is not one).
  int choose(const std::vector<double>& context);
  /// The arm with the highest posterior mean at context: the recommendation.
  int recommend(const std::vector<double>& context) const;
  void observe(const std::vector<double>& context, int arm, double reward);

  int arms() const { return arms_; }
  BanditPolicy policy() const { return policy_; }
  const GaussianProcess& surrogate() const { return gp_; }

private:
  int argmax(const std::vector<double>& context, double weight_of_deviation) const;
  int thompson_choice(const std::vector<double>& context);

  int arms_;
  BanditPolicy policy_ = BanditPolicy::Ucb;
  double exploration_ = 0;
  std::vector<std::vector<double>> contexts_;  // Thompson's candidate contexts
  std::uint64_t state_ = 0;                    // Thompson's generator
  GaussianProcess gp_;
};

}  // namespace tessera::dd
