#include "run/navier_stokes_pde.hpp"

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
#include "run/subdomain_learner.hpp"
#include "solvers/space_time_block.hpp"

namespace tessera::run {

NavierStokesPdeConfig NavierStokesPdeConfig::from_options(Options& options,
                                                          const std::string& pde) {
  NavierStokesPdeConfig c;
  if (pde == "kovasznay") {
    c.kovasznay.reynolds = options.real("kovasznay_reynolds", c.kovasznay.reynolds, 1e-3, 1e4,
                                        "Kovasznay flow: Reynolds number (20 and 40 are usual)");
    c.kovasznay_grid_x = options.integer("kovasznay_grid_x", c.kovasznay_grid_x, 2, 1 << 16,
                                         "Kovasznay: comparison grid points in x over [-0.5, 1]");
    c.kovasznay_grid_y = options.integer("kovasznay_grid_y", c.kovasznay_grid_y, 2, 1 << 16,
                                         "Kovasznay: comparison grid points in y over [-0.5, 1.5]");
    return c;
  }
  c.cavity.reynolds = options.real("cavity_reynolds", c.cavity.reynolds, 1e-3, 1e4,
                                   "lid-driven cavity: Reynolds number U L / nu");
  c.cavity.regularised_lid =
      options.choice("cavity_lid", c.cavity.regularised_lid ? "regularised" : "uniform",
                     {"regularised", "uniform"},
                     "lid-driven cavity: lid velocity 16 x^2 (1 - x)^2 (smooth at the corners) "
                     "or 1 (Ghia et al.; singular corners)") == "regularised";
  c.cavity_cells =
      options.integer("cavity_reference_cells", c.cavity_cells, 4, 1 << 14,
                      "lid-driven cavity: PETSc reference cells per direction, also the "
                      "comparison grid (u, v on their MAC faces, p at the cell centres)");
  c.cavity_steady = solvers::CavitySteadyConfig::from_options(options);
  return c;
}

bool is_navier_stokes(const std::string& pde) {
  return pde == "kovasznay" || pde == "lid_driven_cavity";
}

solvers::SpaceTimeBox navier_stokes_box(const std::string& pde) {
  using K = physics::Kovasznay;
  if (pde == "kovasznay") return {K::x_min, K::x_max, K::y_min, K::y_max, false};
  return {0.0, 1.0, 0.0, 1.0, false};
}

std::array<int, 3> navier_stokes_grid(const std::string& pde, const NavierStokesPdeConfig& c) {
  if (pde == "kovasznay") return {c.kovasznay_grid_x, c.kovasznay_grid_y, 1};
  return {c.cavity_cells, c.cavity_cells, 1};
}

namespace {

// Mean over every rank's entries of v. Collective.
double global_mean(MPI_Comm comm, const std::vector<double>& v) {
  double sums[2] = {0, static_cast<double>(v.size())};
  for (double x : v) sums[0] += x;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, comm));
  return sums[0] / sums[1];
}

std::vector<double> minus_mean(MPI_Comm comm, std::vector<double> v) {
  const double mean = global_mean(comm, v);
  for (double& x : v) x -= mean;
  return v;
}

std::vector<double> concatenated(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> ab(a);
  ab.insert(ab.end(), b.begin(), b.end());
  return ab;
}

std::vector<double> difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d(a.size());
  for (size_t k = 0; k < d.size(); ++k) d[k] = a[k] - b[k];
  return d;
}

/// Sets coordinate d of every point to value (points on a line of the box). Not collective.
void pin_coordinate(const nn::Matrix& points, int d, double value) {
  Kokkos::parallel_for(
      "tessera::run::pin_coordinate", Kokkos::RangePolicy<>(0, points.extent(1)),
      KOKKOS_LAMBDA(const int k) { points(d, k) = value; });
}

/// Collective. Trains the network on the flow's steady Navier–Stokes loss over the box
/// [lower, upper]: interior residuals, u and v on the whole boundary, and p = the flow's on the
/// pressure points if given.
template <class Flow>
pinn::TrainingResult train_flow(MPI_Comm comm, SingleLearner& learner, const Flow& flow,
                                const std::vector<double>& lower, const std::vector<double>& upper,
                                const nn::Matrix* pressure, const PdeRunConfig& config) {
  const auto& p = config.points;
  const auto interior = pinn::interior_points_2d(comm, p.interior_points, p.seed);
  const auto boundary = pinn::boundary_points_2d(comm, p.boundary_points, p.seed);
  pinn::map_to_box(interior, lower, upper);
  pinn::map_to_box(boundary, lower, upper);
  std::vector<pinn::ConditionPoints> conditions{{"boundary_u", boundary, p.boundary_weight, -1, 0},
                                                {"boundary_v", boundary, p.boundary_weight, -1, 1}};
  if (pressure) conditions.push_back({"pressure", *pressure, p.boundary_weight, -1, 2});
  return learner.train(pinn::SteadyNavierStokesResidual<Flow>{flow}, interior, conditions);
}

}  // namespace

std::array<std::vector<double>, 2> cavity_points(const Decomposition& decomp, int output) {
  const double ox = output == 0 ? 0.0 : 0.5, oy = output == 1 ? 0.0 : 0.5;  // in cells
  const auto& s = decomp.local_start();
  const auto& c = decomp.local_count();
  const double h = 1.0 / decomp.global_points()[0];
  std::array<std::vector<double>, 2> xy;
  for (int j = 0; j < c[1]; ++j)
    for (int i = 0; i < c[0]; ++i) {
      xy[0].push_back((s[0] + i + ox) * h);
      xy[1].push_back((s[1] + j + oy) * h);
    }
  return xy;
}

FlowErrors flow_errors(MPI_Comm comm, const FlowField& flow, const FlowField& reference) {
  FlowErrors e;
  e.u = relative_l2(comm, flow.u, reference.u);
  e.v = relative_l2(comm, flow.v, reference.v);
  e.velocity =
      relative_l2(comm, concatenated(flow.u, flow.v), concatenated(reference.u, reference.v));
  e.pressure = relative_l2(comm, minus_mean(comm, flow.p), minus_mean(comm, reference.p));
  return e;
}

PinnOutcome run_navier_stokes_pde(MPI_Comm comm, const Decomposition& decomp,
                                  const PdeRunConfig& config, const std::string& options_text,
                                  SingleLearner* single, SubdomainLearner* subdomains) {
  Timer total;
  PinnOutcome s;
  Learner& learner = single ? static_cast<Learner&>(*single) : *subdomains;
  const auto& ns = config.navier_stokes;
  const bool kovasznay = config.pde == "kovasznay";
  TESSERA_LOG("Tessera " << version << ": PINN for " << config.pde
                         << " at Re = " << (kovasznay ? ns.kovasznay.reynolds : ns.cavity.reynolds)
                         << ", " << learner.headline());

  pinn::TrainingResult training;
  // Output k of the learned flow at (xs, ys).
  const auto sample = [&](const std::vector<double>& xs, const std::vector<double>& ys, int k) {
    return learner.sample({xs, ys}, k);
  };
  // -pde_method xpinn / fbpinn: the flow's residuals on the subdomains, its conditions on the
  // box's faces.
  const auto train_subdomains = [&](const auto& flow) {
    return subdomains->train(pinn::SteadyNavierStokesResidual<std::decay_t<decltype(flow)>>{flow},
                             problems::domain_conditions(config.pde), config.training);
  };
  FlowField pinn, reference;
  // (u, v) at the grid's points for the vector fields: the cavity's u and v lie on the cells'
  // faces, half a cell off the points (the reference's face means, the network sampled there).
  std::array<std::vector<double>, 2> pinn_velocity, reference_velocity;
  std::array<double, 3> origin{0, 0, 0}, spacing{1, 1, 1};
  std::array<std::vector<double>, 2> centres;  // written as x and y
  if (kovasznay) {
    using K = physics::Kovasznay;
    // Pressure gauge: p = (1 - e^{2λ})/2 on the outlet x = 1, where the exact p is constant in y.
    // Any gauge would do (p enters the residuals through its gradient only); a line rather than
    // one point spreads the constraint over the outlet's boundary points.
    if (subdomains) {
      training = train_subdomains(ns.kovasznay);
    } else {
      const auto outlet =
          pinn::interior_points_2d(comm, config.points.boundary_points / 4, config.points.seed + 1);
      pinn::map_to_box(outlet, {K::x_min, K::y_min}, {K::x_max, K::y_max});
      pin_coordinate(outlet, 0, K::x_max);
      training = train_flow(comm, *single, ns.kovasznay, {K::x_min, K::y_min}, {K::x_max, K::y_max},
                            &outlet, config);
    }
    const auto box = navier_stokes_box(config.pde);
    centres[0] = solvers::sample_space_time_block(decomp, box, [](double x, double) { return x; });
    centres[1] = solvers::sample_space_time_block(decomp, box, [](double, double y) { return y; });
    const auto flow = ns.kovasznay;
    pinn.u = sample(centres[0], centres[1], 0);
    pinn.v = sample(centres[0], centres[1], 1);
    pinn.p = sample(centres[0], centres[1], 2);
    pinn_velocity = {pinn.u, pinn.v};
    for (int k = 0; k < 3; ++k) {
      auto& field = k == 0 ? reference.u : k == 1 ? reference.v : reference.p;
      field = solvers::sample_space_time_block(
          decomp, box, [&](double x, double y) { return flow.component(k, x, y); });
    }
    reference_velocity = {reference.u, reference.v};
    const auto& n = decomp.global_points();
    origin = {K::x_min, K::y_min, 0.0};
    spacing = {(K::x_max - K::x_min) / (n[0] - 1), (K::y_max - K::y_min) / (n[1] - 1), 1.0};
  } else {
    // No pressure condition: p enters the residuals through its gradient only, so its constant
    // is free; the comparison removes both means.
    training = subdomains
                   ? train_subdomains(ns.cavity)
                   : train_flow(comm, *single, ns.cavity, {0.0, 0.0}, {1.0, 1.0}, nullptr, config);
    solvers::IncompressibleConfig flow;
    flow.dim = 2;
    flow.cells = ns.cavity_cells;
    flow.length = 1.0;
    flow.viscosity = 1.0 / ns.cavity.reynolds;
    flow.boundary = solvers::Boundary::cavity;
    flow.lid_velocity = 1.0;
    flow.regularised_lid = ns.cavity.regularised_lid;
    Timer reference_timer;
    auto steady = solvers::run_cavity_to_steady_state(decomp, flow, ns.cavity_steady);
    TESSERA_LOG("PETSc cavity reference on "
                << ns.cavity_cells << "^2 cells: steady at t = " << steady.time << " after "
                << steady.steps << " steps, max div " << format("%.1e", steady.max_divergence)
                << ", " << format("%.1f s", reference_timer.seconds()));
    reference.u = std::move(steady.velocity[0]);
    reference.v = std::move(steady.velocity[1]);
    reference.p = std::move(steady.pressure);
    // Each component on its own MAC points: no interpolation of the reference.
    const auto faces_u = cavity_points(decomp, 0);
    const auto faces_v = cavity_points(decomp, 1);
    centres = cavity_points(decomp, 2);
    pinn.u = sample(faces_u[0], faces_u[1], 0);
    pinn.v = sample(faces_v[0], faces_v[1], 1);
    pinn.p = sample(centres[0], centres[1], 2);
    pinn_velocity = {sample(centres[0], centres[1], 0), sample(centres[0], centres[1], 1)};
    reference_velocity = {std::move(steady.centre_velocity[0]),
                          std::move(steady.centre_velocity[1])};
    const double h = 1.0 / ns.cavity_cells;
    origin = {0.5 * h, 0.5 * h, 0.0};
    spacing = {h, h, 1.0};
  }
  const auto errors = flow_errors(comm, pinn, reference);
  s.record_training(training, config.training);
  s.pinn_vs_reference = errors.velocity;
  if (kovasznay) s.pinn_vs_exact = errors.velocity;

  const auto path = io::result_path(config.output.directory, config.output.name);
  {
    ProfilingRegion stage(Stage::Output);
    const std::string ref = kovasznay ? "_exact" : "_reference";
    io::FieldFile file(comm, path);
    file.set_grid(io::uniform_grid(decomp, origin, spacing));
    file.write_field("x", decomp, centres[0].data());
    file.write_field("y", decomp, centres[1].data());
    const auto p_error = difference(minus_mean(comm, pinn.p), minus_mean(comm, reference.p));
    const char* names[3] = {"u", "v", "p"};
    const std::vector<double>* fields[3][2] = {
        {&pinn.u, &reference.u}, {&pinn.v, &reference.v}, {&pinn.p, &reference.p}};
    for (int k = 0; k < 3; ++k) {
      const std::string name = names[k];
      file.write_field(name, decomp, fields[k][0]->data());
      file.write_field(name + ref, decomp, fields[k][1]->data());
      const auto error = k == 2 ? p_error : difference(*fields[k][0], *fields[k][1]);
      file.write_field(name + "_error", decomp, error.data());
    }
    const auto velocity_error =
        std::array<std::vector<double>, 2>{difference(pinn_velocity[0], reference_velocity[0]),
                                           difference(pinn_velocity[1], reference_velocity[1])};
    file.write_vector_field("velocity", decomp, {pinn_velocity[0].data(), pinn_velocity[1].data()},
                            io::kNondimensional);
    file.write_vector_field("velocity" + ref, decomp,
                            {reference_velocity[0].data(), reference_velocity[1].data()},
                            io::kNondimensional);
    file.write_vector_field("velocity_error", decomp,
                            {velocity_error[0].data(), velocity_error[1].data()},
                            io::kNondimensional);
    if (!kovasznay)
      file.set_attribute("staggering",
                         "u on the cells' left faces, v on their lower faces, p at the centres "
                         "(the grid's points); velocity at the centres (the reference's: the "
                         "mean of each component's two faces); p_error with both means removed");
    file.set_attribute("relative_l2_u", errors.u);
    file.set_attribute("relative_l2_v", errors.v);
    file.set_attribute("relative_l2_velocity", errors.velocity);
    file.set_attribute("relative_l2_pressure", errors.pressure);
    finish_pinn_result(file, {config.selection, learner, s, training.history, options_text},
                       total.seconds());
  }

  const auto& n = decomp.global_points();
  TESSERA_LOG("summary (relative L2 on the "
              << n[0] << " x " << n[1] << " grid, vs "
              << (kovasznay ? "the exact solution" : "the PETSc cavity") << "):\n"
              << "  u                   " << format("%.3e", errors.u) << "\n"
              << "  v                   " << format("%.3e", errors.v) << "\n"
              << "  velocity            " << format("%.3e", errors.velocity) << "\n"
              << "  p (mean removed)    " << format("%.3e", errors.pressure) << "\n"
              << summary_tail(learner, s, total.seconds(), path));
  return s;
}

}  // namespace tessera::run
