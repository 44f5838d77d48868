#include "run/interface_bandit_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/output_directory.hpp"
#include "io/restart.hpp"
#include "problems/poisson.hpp"

namespace tessera::run {

namespace {

double reward(double error) { return -std::log10(error); }

}  // namespace

InterfaceBanditRunConfig InterfaceBanditRunConfig::from_options(Options& options) {
  InterfaceBanditRunConfig c;
  // 2D: its contexts are the frequencies k of the 2D Poisson problem.
  c.xpinn = PinnRunConfig::from_options(options, {"poisson2d", "xpinn", "interface_bandit"});
  c.frequencies = options.integers("bandit_frequencies", "1,2,3,4", 1, 64,
                                   "the PDE family: comma-separated Poisson frequencies k, the "
                                   "bandit's contexts");
  if (c.frequencies.empty()) c.frequencies = {1};  // reported; keeps the other checks going
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
  // A study continues only its own checkpoint, whose trainings all had these options.
  if (c.xpinn.checkpoint.physics.warm_start)
    options.report("-restart_warm_start does not apply to run: interface_bandit");
  c.checkpoint = c.xpinn.checkpoint;
  c.checkpoint.kind = "interface_bandit";
  c.checkpoint.physics.options.clear();
  c.checkpoint.physics.warm_start_allowed = false;
  // The policy's unused option does not change the study: UCB draws nothing, Thompson has no β.
  const std::string unused =
      c.policy == dd::BanditPolicy::Thompson ? "bandit_exploration" : "bandit_seed";
  for (auto& [name, value] : options.values(io::physics_option_names(c.checkpoint.kind)))
    if (name != unused) c.checkpoint.physics.options.emplace_back(name, value);
  return c;
}

InterfaceBanditRun::InterfaceBanditRun(MPI_Comm comm, const InterfaceBanditRunConfig& config)
    : config_(config), comm_(comm), arms_(dd::standard_interface_arms()) {
  // The tiling and reference split are checked by building one training's run, as run: xpinn would.
  PinnRunConfig check = training_config(0, 0);
  check.checkpoint.path.clear();
  const PinnRun probe(comm, check);
  auto& c = config_.checkpoint;
  c.restart = io::resolve_restart(comm, "dd_restart", c.restart, c.path, c.overwrite);
  if (c.restart.empty()) return;
  read_checkpoint(c.restart);
  // Continued from a checkpoint it keeps (not one named elsewhere), the study owns the results
  // and checkpoints of its trainings in its directory.
  const auto kept = io::kept_checkpoints(c.path);
  continues_own_ = std::find(kept.begin(), kept.end(), c.restart) != kept.end();
}

PinnRunConfig InterfaceBanditRun::training_config(int frequency_index, int arm) const {
  PinnRunConfig c = config_.xpinn;
  // The study trains poisson2d (its deck's PinnSelection).
  auto problem = std::make_shared<problems::PoissonConfig>(
      dynamic_cast<const problems::PoissonConfig&>(*c.problem));
  problem->poisson.square.frequency = config_.frequencies[frequency_index];
  c.problem = problem;
  c.subdomains.interface = arms_[arm].weights;
  c.training.verbose = false;
  c.output.name = config_.xpinn.output.name + "_k" +
                  std::to_string(config_.frequencies[frequency_index]) + "_" + arms_[arm].name;
  c.checkpoint.path = c.output.checkpoint_path();
  c.checkpoint.restart.clear();  // -dd_restart names the study's checkpoint
  for (auto& [name, value] : c.checkpoint.physics.options)
    if (name == "poisson_frequency") value = std::to_string(problem->poisson.square.frequency);
  return c;
}

void InterfaceBanditRun::prepare_output() {
  // The study's own name, under which it keeps its checkpoints (it writes no <name>.h5).
  const auto& output = config_.xpinn.output;
  output_locks_.push_back(io::prepare_output_directory(comm_, output.directory, output.name,
                                                       output.overwrite || continues_own_));
  for (size_t k = 0; k < config_.frequencies.size(); ++k)
    for (size_t a = 0; a < arms_.size(); ++a) {
      const auto c = training_config(static_cast<int>(k), static_cast<int>(a));
      output_locks_.push_back(io::prepare_output_directory(comm_, c.output.directory, c.output.name,
                                                           c.output.overwrite || continues_own_));
    }
}

double InterfaceBanditRun::error(int frequency_index, int arm, const std::string& options_text) {
  const auto key = std::make_pair(frequency_index, arm);
  const auto found = errors_.find(key);
  if (found != errors_.end()) return found->second;
  auto c = training_config(frequency_index, arm);
  // The first training of a continued study is the one a stop signal interrupted (or the next),
  // which continues from its checkpoint.
  if (continues_own_) c.checkpoint.overwrite = true;
  if (resumed_) c.checkpoint.restart = io::kLatestCheckpoint;
  resumed_ = false;
  const double e = PinnRun(comm_, c).execute(options_text).pinn_vs_exact;
  errors_[key] = e;
  write_checkpoint();
  if (poll_safe_point(comm_).stop)
    throw Stopped("the end of training " + c.output.name,
                  resume_text(config_.checkpoint.path, "dd_restart"));
  return e;
}

void InterfaceBanditRun::write_checkpoint() const {
  std::vector<double> rows;
  for (const auto& [key, e] : errors_)
    rows.insert(rows.end(),
                {double(key.first), double(config_.frequencies[key.first]), double(key.second), e});
  io::FieldFile file(comm_, config_.checkpoint.path);
  file.write_table("trainings", {"frequency_index", "frequency", "condition_set", "error"}, rows);
  file.set_attribute("run_kind", config_.checkpoint.kind);
  io::record_options(file, config_.checkpoint.physics.options);
  file.commit_checkpoint(config_.checkpoint.kept);
}

void InterfaceBanditRun::read_checkpoint(const std::string& path) {
  io::FieldFileReader reader(comm_, path, "checkpoint");
  io::require_run_kind(path,
                       reader.has_attribute("run_kind") ? reader.string_attribute("run_kind") : "",
                       config_.checkpoint.kind);
  config_.checkpoint.physics.require_same(reader);
  const auto table = reader.read_table("trainings");
  reader.require_finite("trainings", table.values);
  for (std::size_t r = 0; r < table.rows(); ++r) {
    const auto k = static_cast<int>(table.at(r, 0)), a = static_cast<int>(table.at(r, 2));
    const double e = table.at(r, 3);
    if (k < 0 || k >= static_cast<int>(config_.frequencies.size()) || a < 0 ||
        a >= static_cast<int>(arms_.size()) || !(e > 0))
      throw InputError("checkpoint '" + path + "': training " + std::to_string(r) +
                           " is not one of this study's",
                       __FILE__, __LINE__);
    errors_[{k, a}] = e;
  }
  resumed_ = true;
  TESSERA_LOG("restart from " << path << " with " << errors_.size() << " finished training(s)");
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

  if (config_.checkpoint.restart.empty()) write_checkpoint();
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
