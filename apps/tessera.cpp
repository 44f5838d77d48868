// tessera DECK.yaml [-option value ...]   runs a deck; -help lists every option.
#include <iostream>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "run/poisson_run.hpp"

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    tessera::Options options(env.comm(), argc, argv);
    const bool has_deck = argc > 1 && argv[1][0] != '-';
    if (has_deck) {
      options.load_deck(argv[1]);
    } else if (!options.help_requested()) {
      throw tessera::InputError(
          "usage: tessera DECK.yaml [-option value ...]   (-help lists options)", __FILE__,
          __LINE__);
    }
    const bool validate_only = options.flag(
        "validate", false, "check the deck and set up the solvers, then exit before any output");
    const auto config = tessera::run::PoissonRunConfig::from_options(options);
    if (options.help_requested()) {
      if (env.rank() == 0) std::cout << options.help_text();
      return 0;
    }
    options.check();
    tessera::run::PoissonRun run(env.comm(), config);
    options.reject_unused();  // after the reference solver has read its PETSc options
    if (validate_only) {
      if (env.rank() == 0) std::cout << "deck " << options.deck() << ": valid" << std::endl;
      return 0;
    }
    run.prepare_output();
    run.execute(options.database_text());
    return 0;
  });
}
