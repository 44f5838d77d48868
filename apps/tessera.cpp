// tessera DECK.yaml [-option value ...]: runs the deck (see -help).
#include "core/environment.hpp"
#include "core/options.hpp"
#include "core/log.hpp"

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    tessera::Options options(env.comm(), argc, argv);
    if (argc > 1 && argv[1][0] != '-') options.load_deck(argv[1]);
    const int width = options.integer("pinn_width", 50, 1, 4096, "hidden layer width");
    const double lr = options.real("pinn_lr", 1e-3, 0, 1, "learning rate");
    options.check();
    options.reject_unused();
    TESSERA_LOG("width " << width << " lr " << lr);
    return 0;
  });
}
