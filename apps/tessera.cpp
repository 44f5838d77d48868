// tessera DECK.yaml [-option value ...]   runs a deck; -help lists every option of the deck's run.
//
// A deck names what it runs with the key `run:` (default pinn: a PINN, its problem and learner
// from src/problems/registry.hpp; poisson, xpinn, fbpinn and pde are older names of it, each
// printing what it maps to). Each kind is a Run class with
// a Config read from the options, a constructor that sets everything up without touching a file,
// prepare_output() and execute(options_text): the same five steps for every kind, here once,
// then -plot's figures of what the run wrote (apps/tessera-plot, installed next to tessera, draws
// any result file: `tessera-plot FILE.h5 [--output-dir DIR]`; input/README.md, "Plots and
// progress").
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "core/stop_request.hpp"
#include "problems/registry.hpp"
#include "run/dataset_run.hpp"
#include "run/interface_bandit_run.hpp"
#include "run/les_run.hpp"
#include "run/operator_run.hpp"
#include "run/pinn_run.hpp"
#include "run/plots.hpp"
#include "solvers/options_prefixes.hpp"

namespace {

template <class Config>
const tessera::run::OutputConfig& output_of(const Config& config) {
  return config.output;
}
// The study keeps its checkpoints under the XPINN output's name, its cases' results beside them.
const tessera::run::OutputConfig& output_of(const tessera::run::InterfaceBanditRunConfig& config) {
  return config.xpinn.output;
}

/// Reads the run's Config from the options (with `selection` for the PINN runs), then the five
/// steps. Collective.
template <class Run, class... Selection>
int drive(tessera::Environment& env, tessera::Options& options, bool validate_only,
          const Selection&... selection) {
  const auto config = Run::Config::from_options(options, selection...);
  if (options.help_requested()) {
    if (env.rank() == 0) std::cout << options.help_text();
    return 0;
  }
  options.check();
  Run run(env.comm(), config);
  options.reject_unused();  // after the solvers have read their PETSc options
  if (validate_only) {
    if (env.rank() == 0) std::cout << "deck " << options.deck() << ": valid" << std::endl;
    return 0;
  }
  // A second of slack for file systems that stamp times coarsely.
  const auto started = std::filesystem::file_time_type::clock::now() - std::chrono::seconds(1);
  run.prepare_output();
  run.execute(options.database_text());
  const auto& output = output_of(config);
  if (output.plot) tessera::run::plot_results(tessera::run::written_results(output, started));
  return 0;
}

/// run: pinn, and the older kinds that are its aliases (poisson, xpinn, fbpinn, pde): the problem
/// and learner selected (src/problems/registry.hpp), trained by the one PINN run
/// (src/run/pinn_run.hpp). Collective.
int drive_pinn(tessera::Environment& env, tessera::Options& options, bool validate_only,
               const std::string& kind) {
  namespace run = tessera::run;
  const auto selection = tessera::problems::PinnSelection::from_options(options, kind);
  if (kind != "pinn" && !options.help_requested() && env.rank() == 0)
    std::cout << "run: " << kind << " is " << selection.as_deck() << std::endl;
  return drive<run::PinnRun>(env, options, validate_only, selection);
}

struct RunKind {
  std::string name;
  std::function<int(tessera::Environment&, tessera::Options&, bool)> drive;
};

const std::vector<RunKind>& run_kinds() {
  static const std::vector<RunKind> kinds = [] {
    std::vector<RunKind> k{{"pinn", nullptr},
                           {"dataset", drive<tessera::run::DatasetRun>},
                           {"les", drive<tessera::run::LesRun>},
                           {"interface_bandit", drive<tessera::run::InterfaceBanditRun>},
                           {"operator", drive<tessera::run::OperatorRun>}};
    // run: pinn first (the default), its older names last; each prints what it maps to.
    for (const auto& name : tessera::problems::pinn_run_kinds()) {
      auto pinn = [name](tessera::Environment& env, tessera::Options& options, bool validate) {
        return drive_pinn(env, options, validate, name);
      };
      if (name == "pinn")
        k.front().drive = pinn;
      else
        k.push_back({name, pinn});
    }
    return k;
  }();
  return kinds;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    tessera::Options options(env.comm(), argc, argv);
    const bool has_deck = argc > 1 && argv[1][0] != '-';
    options.refuse_stray_arguments(has_deck ? 2 : 1);
    if (has_deck) {
      options.load_deck(argv[1]);
    } else if (!options.help_requested()) {
      throw tessera::InputError(
          "usage: tessera DECK.yaml [-option value ...]   (-help [-run KIND] lists options)",
          __FILE__, __LINE__);
    }
    options.refuse_unprefixed_solver_options(tessera::solvers::options_prefixes());
    std::vector<std::string> names;
    for (const auto& k : run_kinds()) names.push_back(k.name);
    const std::string kind =
        options.choice("run", names.front(), names,
                       "what the deck runs; -help -run KIND lists the options of that kind");
    const bool validate_only = options.flag(
        "validate", false, "check the deck and set up the solvers, then exit before any output");
    // One interval for every kind; each checkpoints at its first safe point after it has passed.
    tessera::set_checkpoint_interval(options.real(
        "checkpoint_every_seconds", 0.0, 0.0, 1e9,
        "wall-clock seconds between checkpoints, besides the run's own interval (0: none)"));
    // choice() answers a declared kind (the default after reporting a wrong one), so one matches.
    for (const auto& k : run_kinds())
      if (kind == k.name) return k.drive(env, options, validate_only);
    TESSERA_THROW("no driver for run kind '" << kind << "'");
  });
}
