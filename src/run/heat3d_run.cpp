#include "run/heat3d_run.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/output_directory.hpp"
#include "io/uniform_grid.hpp"
#include "pinn/collocation.hpp"
#include "pinn/pde_residuals.hpp"
#include "run/comparison.hpp"
#include "run/pde_run.hpp"
#include "run/single_learner.hpp"

namespace tessera::run {

Heat3DConfig Heat3DConfig::from_options(Options& options) {
  Heat3DConfig c;
  c.heat3d = physics::Heat3D::from_options(options);
  c.heat_final_time = options.real("heat_final_time", c.heat_final_time, 1e-6, 1e6,
                                   "T: the 3D heat PINN covers t in [0, T] and is compared at "
                                   "T/2 and T");
  c.heat_reference = solvers::HeatReferenceConfig::from_options(options);
  return c;
}

namespace {

/// Not collective. x, y, z of this rank's block of decomp's grid on [0,1]^3, x fastest (the
/// layout of the references' local_solution and of FieldFile::write_field).
std::vector<std::vector<double>> block_coordinates(const Decomposition& decomp) {
  const auto& start = decomp.local_start();
  const auto& count = decomp.local_count();
  const auto& n = decomp.global_points();
  std::vector<std::vector<double>> xyz(3);
  for (int k = 0; k < count[2]; ++k)
    for (int j = 0; j < count[1]; ++j)
      for (int i = 0; i < count[0]; ++i) {
        // i/(n-1) as in the references, so that the last point is exactly 1.
        xyz[0].push_back(static_cast<double>(start[0] + i) / (n[0] - 1));
        xyz[1].push_back(static_cast<double>(start[1] + j) / (n[1] - 1));
        xyz[2].push_back(static_cast<double>(start[2] + k) / (n[2] - 1));
      }
  return xyz;
}

/// The fields and errors of the comparison at one time.
struct Compared {
  std::string suffix;  // of the field names: "_mid" or "_final"
  double time = 0;
  std::vector<double> pinn, reference, exact;
  double pinn_vs_reference = 0, pinn_vs_exact = 0, reference_vs_exact = 0;

  /// Collective. Fills the relative L2 errors.
  void measure(MPI_Comm comm) {
    pinn_vs_reference = relative_l2(comm, pinn, reference);
    pinn_vs_exact = relative_l2(comm, pinn, exact);
    reference_vs_exact = relative_l2(comm, reference, exact);
  }
};

}  // namespace

Heat3DRun::Heat3DRun(const Decomposition& decomp, const PdeRunConfig& config)
    : decomp_(decomp), config_(config) {
  TESSERA_CHECK(decomp.dim() == 3, "Heat3DRun: needs a 3D decomposition");
  heat_reference_ = std::make_unique<solvers::HeatReference>(decomp, config.heat.heat3d,
                                                             config.heat.heat_reference);
}

Heat3DRun::~Heat3DRun() = default;

PinnOutcome Heat3DRun::execute(const std::string& options_text, SingleLearner& learner) {
  Timer total;
  PinnOutcome s;
  const MPI_Comm comm = decomp_.comm();
  const auto& p = config_.points;
  const auto& c = config_.heat;
  const double final_time = c.heat_final_time;
  TESSERA_LOG("Tessera " << version << ": PINN for " << config_.pde << ", " << learner.headline());

  pinn::TrainingResult training;
  {
    // (x, y, z, t): the interior, t = 0, and the cube's faces, with t on [0, T].
    const auto interior = pinn::interior_points(comm, 4, p.interior_points, p.seed);
    const auto initial = pinn::interior_points(comm, 4, p.boundary_points, p.seed + 1);
    const auto boundary = pinn::face_points(comm, 4, 3, p.boundary_points, p.seed + 2);
    pinn::map_to_box(interior, {0, 0, 0, 0}, {1, 1, 1, final_time});
    pinn::map_to_box(initial, {0, 0, 0, 0}, {1, 1, 1, 0});
    pinn::map_to_box(boundary, {0, 0, 0, 0}, {1, 1, 1, final_time});
    training = learner.train(
        pinn::Heat3DResidual{c.heat3d}, interior,
        {{"initial", initial, p.boundary_weight}, {"boundary", boundary, p.boundary_weight}});
  }
  s.record_training(training, config_.training);

  auto xyz = block_coordinates(decomp_);
  std::vector<Compared> compared;
  {
    xyz.emplace_back(xyz[0].size());
    // A typed array: nvcc's front end deduces no initializer list from nested braces.
    const std::pair<const char*, double> instants[] = {{"_mid", final_time / 2},
                                                       {"_final", final_time}};
    for (const auto& [suffix, time] : instants) {
      heat_reference_->advance_to(time);
      Compared r;
      r.suffix = suffix;
      r.time = time;
      std::fill(xyz[3].begin(), xyz[3].end(), time);
      r.pinn = learner.sample(xyz);
      r.reference = heat_reference_->local_solution();
      const auto problem = c.heat3d;
      for (size_t k = 0; k < xyz[0].size(); ++k)
        r.exact.push_back(problem.exact(xyz[0][k], xyz[1][k], xyz[2][k], time));
      compared.push_back(std::move(r));
    }
  }
  for (auto& r : compared) r.measure(comm);
  s.pinn_vs_reference = compared.back().pinn_vs_reference;
  s.pinn_vs_exact = compared.back().pinn_vs_exact;
  s.reference_vs_exact = compared.back().reference_vs_exact;

  const auto& output = config_.output;
  const auto path = io::result_path(output.directory, output.name);
  {
    ProfilingRegion stage(Stage::Output);
    const auto& n = decomp_.global_points();
    io::FieldFile file(comm, path);
    file.set_grid(io::uniform_grid(decomp_, {0.0, 0.0, 0.0},
                                   {1.0 / (n[0] - 1), 1.0 / (n[1] - 1), 1.0 / (n[2] - 1)}));
    for (const auto& r : compared) {
      std::vector<double> error(r.pinn.size());
      for (size_t k = 0; k < error.size(); ++k) error[k] = r.pinn[k] - r.reference[k];
      file.write_field("pinn" + r.suffix, decomp_, r.pinn.data());
      file.write_field("reference" + r.suffix, decomp_, r.reference.data());
      file.write_field("exact" + r.suffix, decomp_, r.exact.data());
      file.write_field("pinn_error" + r.suffix, decomp_, error.data());
      file.set_attribute("time" + r.suffix, r.time);
      file.set_attribute("relative_l2_pinn_vs_reference" + r.suffix, r.pinn_vs_reference);
      file.set_attribute("relative_l2_pinn_vs_exact" + r.suffix, r.pinn_vs_exact);
      file.set_attribute("relative_l2_reference_vs_exact" + r.suffix, r.reference_vs_exact);
    }
    finish_pinn_result(file, {config_.selection, learner, s, training.history, options_text},
                       total.seconds());
  }

  const auto& n = decomp_.global_points();
  std::string errors;
  for (const auto& r : compared) {
    errors += "  at t = " + format("%g", r.time) + ":\n";
    errors += "  PINN vs reference   " + format("%.3e", r.pinn_vs_reference) + " (PETSc)\n" +
              "  PINN vs exact       " + format("%.3e", r.pinn_vs_exact) + "\n" +
              "  reference vs exact  " + format("%.3e", r.reference_vs_exact) + "\n";
  }
  TESSERA_LOG("summary (relative L2 on the "
              << n[0] << " x " << n[1] << " x " << n[2] << " grid):\n"
              << errors << summary_tail(learner, s, total.seconds(), path));
  return s;
}

}  // namespace tessera::run
