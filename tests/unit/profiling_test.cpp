// What a Kokkos tool and PETSc's log see of a short data-parallel PINN training: Tessera's phases
// as Kokkos regions (tessera::forward, ... inside tessera::training) and as PETSc events counted in
// the TesseraTraining stage, one count per call.
#include <gtest/gtest.h>
#include <petsclog.h>

#include <set>
#include <string>
#include <vector>

#include "core/profiling.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "pinn/trainer.hpp"

namespace {

using namespace tessera;

std::vector<std::string> g_stack;  // the regions open now, outermost first
std::set<std::string> g_paths;     // every region seen, as "outer/inner" from the outermost

void on_push(const char* label) {
  g_stack.emplace_back(label);
  std::string path;
  for (const auto& s : g_stack) path += (path.empty() ? "" : "/") + s;
  g_paths.insert(path);
}

void on_pop() {
  ASSERT_FALSE(g_stack.empty()) << "a region popped that was never pushed";
  g_stack.pop_back();
}

/// This rank's count of PETSc event `event` in stage `stage`.
int event_count(const char* stage, const char* event) {
  PetscLogStage s = -1;
  PetscLogEvent e = -1;
  EXPECT_EQ(PetscLogStageGetId(stage, &s), 0) << stage;
  EXPECT_EQ(PetscLogEventGetId(event, &e), 0) << event;
  PetscEventPerfInfo info{};
  EXPECT_EQ(PetscLogEventGetPerfInfo(s, e, &info), 0);
  return info.count;
}

TEST(Profiling, KokkosToolAndPetscLogSeeTheTrainingPhases) {
  namespace tools = Kokkos::Tools::Experimental;
  tools::set_push_region_callback(on_push);
  tools::set_pop_region_callback(on_pop);
  ASSERT_TRUE(Kokkos::Profiling::profileLibraryLoaded());
  PetscBool active = PETSC_FALSE;
  ASSERT_EQ(PetscLogIsActive(&active), 0);
  if (!active) {
    ASSERT_EQ(PetscLogDefaultBegin(), 0);
  }

  const std::uint64_t seed = 3;
  nn::Mlp net({2, 1, 8, 2, nn::Activation::Tanh});
  net.initialize_glorot(seed);
  const auto interior = pinn::interior_points_2d(MPI_COMM_WORLD, 64, seed);
  const auto boundary = pinn::boundary_points_2d(MPI_COMM_WORLD, 16, seed);
  pinn::PdeLoss<pinn::PoissonResidual<2>> loss(MPI_COMM_WORLD, net, {physics::Poisson2D{1.0}},
                                               interior, 1.0, {{"boundary", boundary, 1.0}});
  pinn::TrainingConfig config;
  config.adam_iterations = 2;
  config.lbfgs_iterations = 0;
  config.verbose = false;
  pinn::train(loss, net, config);

  EXPECT_TRUE(g_stack.empty()) << "regions left open: " << g_stack.size();
  const std::string training = kokkos_name(Stage::Training);
  EXPECT_EQ(training, "tessera::training");
  for (const auto& path : {std::string(kokkos_name(Phase::Sampling)),
                           training + "/tessera::forward", training + "/tessera::backward",
                           training + "/tessera::exchange", training + "/tessera::optimizer_step"})
    EXPECT_EQ(g_paths.count(path), 1u) << "the tool never saw " << path;

  // Two Adam iterations: two steps; every evaluation (the two, and the final one) runs the
  // boundary's and the interior's forward and backward pass and reduces the gradient once.
  EXPECT_EQ(event_count("Main Stage", "TessSampling"), 2);  // interior and boundary points
  EXPECT_EQ(event_count("TesseraTraining", "TessOptStep"), 2);
  EXPECT_EQ(event_count("TesseraTraining", "TessForward"), 6);
  EXPECT_EQ(event_count("TesseraTraining", "TessBackward"), 6);
  EXPECT_EQ(event_count("TesseraTraining", "TessExchange"), 3);
  EXPECT_EQ(event_count("TesseraTraining", "TessSampling"), 0);

  tools::set_push_region_callback(nullptr);
  tools::set_pop_region_callback(nullptr);
}

}  // namespace
