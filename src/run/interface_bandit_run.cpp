#include "run/interface_bandit_run.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/timer.hpp"
#include "io/output_directory.hpp"

namespace tessera::run {

namespace {

double reward(double error) { return -std::log10(error); }

}  // namespace

InterfaceBanditRunConfig InterfaceBanditRunConfig::from_options(Options& options) {
  InterfaceBanditRunConfig c;
  c.xpinn = DdPinnRunConfig::from_options(options);
  const std::string list =
      options.text("bandit_frequencies", "1,2,3,4",
                   "the PDE family: comma-separated Poisson frequencies k, the bandit's contexts");
  c.frequencies.clear();
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    const long k = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || k < 1 || k > 64) {
      options.report("-bandit_frequencies = '" + list +
                     "' must be a comma-separated list of integers in [1, 64]");
      c.frequencies = {1};
      break;
    }
    c.frequencies.push_back(static_cast<int>(k));
  }
  c.rounds = options.integer("bandit_rounds", c.rounds, 1, 100000,
                             "bandit rounds (trainings it chooses), contexts in turn");
  c.policy = options.choice("bandit_policy", "ucb", {"ucb", "thompson"},
                            "how the bandit chooses: upper confidence bound (GP-UCB) or Thompson "
                            "sampling (one joint posterior draw over every k x set)") == "thompson"
                 ? dd::BanditPolicy::Thompson
                 : dd::BanditPolicy::Ucb;
  c.seed = options.integer("bandit_seed", c.seed, 0, 2147483647,
                           "seed of Thompson sampling's posterior draws");
  c.exploration = options.real("bandit_exploration", c.exploration, 0.0, 1e6,
                               "β of the upper confidence bound mean + sqrt(β) sd");
  c.kernel.length_scale = options.real("bandit_length_scale", c.kernel.length_scale, 1e-3, 1e6,
                                       "RBF length scale of the GP over the frequency k");
  c.kernel.arm_correlation = options.real("bandit_arm_correlation", c.kernel.arm_correlation, 0.0,
                                          0.99, "GP correlation between different condition sets");
  c.kernel.variance = options.real("bandit_signal_variance", c.kernel.variance, 1e-6, 1e6,
                                   "GP prior variance of the reward -log10(error)");
  c.noise_variance = options.real("bandit_noise_variance", c.noise_variance, 1e-8, 1e6,
                                  "GP noise variance of an observed reward");
  c.reference_table = options.flag(
      "bandit_reference_table", c.reference_table,
      "train every (k, condition set) pair first, for the oracle, the best fixed set and regret");
  if (c.xpinn.domain.dim() != 2)
    options.report(
        "run: interface_bandit is 2D (its contexts are the frequencies k of the 2D "
        "problem); -dd_dim must be 2");
  if (!c.xpinn.checkpoint.restart.empty() || c.xpinn.checkpoint.every > 0 ||
      c.xpinn.checkpoint.physics.warm_start)
    options.report(
        "-dd_restart, -dd_checkpoint_every and -restart_warm_start do not apply to run: "
        "interface_bandit");
  return c;
}

InterfaceBanditRun::InterfaceBanditRun(MPI_Comm comm, const InterfaceBanditRunConfig& config)
    : config_(config), comm_(comm), arms_(dd::standard_interface_arms()) {
  // The tiling and reference split are checked by building one training's run, as run: xpinn would.
  DdPinnRun check(comm, training_config(0, 0));
}

DdPinnRunConfig InterfaceBanditRun::training_config(int frequency_index, int arm) const {
  DdPinnRunConfig c = config_.xpinn;
  c.domain.problem.square.frequency = config_.frequencies[frequency_index];
  c.interface = arms_[arm].weights;
  c.training.verbose = false;
  // Its trainings keep no checkpoint: a stop signal ends the study with nothing to continue.
  c.checkpoint.path.clear();
  c.output.name = config_.xpinn.output.name + "_k" +
                  std::to_string(config_.frequencies[frequency_index]) + "_" + arms_[arm].name;
  return c;
}

void InterfaceBanditRun::prepare_output() {
  for (size_t k = 0; k < config_.frequencies.size(); ++k)
    for (size_t a = 0; a < arms_.size(); ++a) {
      const auto c = training_config(static_cast<int>(k), static_cast<int>(a));
      output_locks_.push_back(io::prepare_output_directory(comm_, c.output.directory, c.output.name,
                                                           c.output.overwrite));
    }
}

double InterfaceBanditRun::error(int frequency_index, int arm, const std::string& options_text) {
  const auto key = std::make_pair(frequency_index, arm);
  const auto found = errors_.find(key);
  if (found != errors_.end()) return found->second;
  DdPinnRun run(comm_, training_config(frequency_index, arm));
  const double e = run.execute(options_text).pinn_error;
  errors_[key] = e;
  return e;
}

InterfaceBanditSummary InterfaceBanditRun::execute(const std::string& options_text) {
  Timer total;
  InterfaceBanditSummary s;
  const int family = static_cast<int>(config_.frequencies.size());
  const int arms = static_cast<int>(arms_.size());
  TESSERA_LOG("interface bandit: Poisson k in {"
              <<
              [&] {
                std::string l;
                for (int k : config_.frequencies) l += (l.empty() ? "" : ", ") + std::to_string(k);
                return l;
              }()
              << "}, " << arms << " condition sets, " << config_.rounds << " rounds, "
              << (config_.policy == dd::BanditPolicy::Thompson
                      ? "Thompson sampling, seed " + std::to_string(config_.seed)
                      : "GP-UCB β = " + format("%g", config_.exploration)));

  std::vector<int> oracle(family, 0);
  if (config_.reference_table) {
    std::vector<double> mean_reward(arms, 0.0);
    for (int k = 0; k < family; ++k)
      for (int a = 0; a < arms; ++a) {
        const double e = error(k, a, options_text);
        mean_reward[a] += reward(e) / family;
        if (e < error(k, oracle[k], options_text)) oracle[k] = a;
      }
    s.best_fixed_arm = 0;
    for (int a = 1; a < arms; ++a)
      if (mean_reward[a] > mean_reward[s.best_fixed_arm]) s.best_fixed_arm = a;
    std::ostringstream table;
    table << "reference table: relative L2 error per k (columns) and condition set (rows)\n";
    for (int a = 0; a < arms; ++a) {
      std::string name = arms_[a].name;
      name.resize(26, ' ');
      table << "  " << name;
      for (int k = 0; k < family; ++k) table << "  " << format("%.3e", error(k, a, options_text));
      table << (a == s.best_fixed_arm ? "   <- best fixed set" : "") << "\n";
    }
    TESSERA_LOG(table.str());
  }

  std::vector<std::vector<double>> contexts;
  for (int k : config_.frequencies) contexts.push_back({double(k)});
  dd::InterfaceBandit bandit =
      config_.policy == dd::BanditPolicy::Thompson
          ? dd::InterfaceBandit(arms, config_.kernel, config_.noise_variance, contexts,
                                static_cast<std::uint64_t>(config_.seed))
          : dd::InterfaceBandit(arms, config_.kernel, config_.noise_variance, config_.exploration);
  TESSERA_LOG("round  k  chosen condition set          error      reward  regret(oracle)");
  for (int t = 0; t < config_.rounds; ++t) {
    const int k = t % family;
    const std::vector<double> context{double(config_.frequencies[k])};
    const int a = bandit.choose(context);
    const double e = error(k, a, options_text);
    bandit.observe(context, a, reward(e));
    s.chosen.push_back(a);
    s.errors.push_back(e);
    double gap = 0;
    if (config_.reference_table) {
      gap = reward(error(k, oracle[k], options_text)) - reward(e);
      s.regret_vs_oracle += gap;
      s.regrets.push_back(gap);
      s.regret_vs_best_fixed += reward(error(k, s.best_fixed_arm, options_text)) - reward(e);
    }
    std::string name = arms_[a].name;
    name.resize(28, ' ');
    TESSERA_LOG(format("%5.0f", t)
                << format("%3.0f", context[0]) << "  " << name << format("%.3e", e)
                << format("%8.3f", reward(e)) << format("%10.3f", gap));
  }

  std::ostringstream summary;
  summary << "per k: the bandit's recommendation (highest posterior mean)";
  if (config_.reference_table) summary << " vs the best fixed set and the best set for that k";
  summary << "\n";
  for (int k = 0; k < family; ++k) {
    const std::vector<double> context{double(config_.frequencies[k])};
    const int r = bandit.recommend(context);
    summary << "  k = " << config_.frequencies[k] << ": " << arms_[r].name << " "
            << format("%.3e", error(k, r, options_text));
    if (config_.reference_table)
      summary << "; fixed " << arms_[s.best_fixed_arm].name << " "
              << format("%.3e", error(k, s.best_fixed_arm, options_text)) << "; best "
              << arms_[oracle[k]].name << " " << format("%.3e", error(k, oracle[k], options_text))
              << "; recommendation's regret "
              << format("%.3f", reward(error(k, oracle[k], options_text)) -
                                    reward(error(k, r, options_text)));
    summary << "\n";
  }
  if (config_.reference_table) {
    summary << "cumulative regret over " << config_.rounds
            << " rounds (decades of error): " << format("%.3f", s.regret_vs_oracle)
            << " vs the best set per k, " << format("%.3f", s.regret_vs_best_fixed)
            << " vs the best fixed set\n";
    // Learning shows as a smaller regret per round later on.
    const int half = config_.rounds / 2;
    double early = 0, late = 0;
    for (int t = 0; t < config_.rounds; ++t) (t < half ? early : late) += s.regrets[t];
    summary << "regret per round vs the best set per k: "
            << format("%.3f", half > 0 ? early / half : 0.0) << " in the first half, "
            << format("%.3f", late / (config_.rounds - half)) << " in the second\n";
  }
  summary << "trainings " << errors_.size() << ", wall time " << format("%.1f s", total.seconds());
  TESSERA_LOG(summary.str());
  return s;
}

}  // namespace tessera::run
