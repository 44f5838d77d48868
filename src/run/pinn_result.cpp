#include "run/pinn_result.hpp"

#include <iomanip>
#include <sstream>

#include "core/log.hpp"
#include "core/profiling.hpp"
#include "io/field_file.hpp"
#include "io/uniform_grid.hpp"
#include "nn/lbfgs.hpp"
#include "run/learner.hpp"

namespace tessera::run {

void TrainingOutcome::record_training(const pinn::TrainingResult& training,
                                      const pinn::TrainingConfig& config) {
  training_seconds = training.seconds;
  initial_loss = training.initial_loss;
  final_loss = training.final_loss;
  lbfgs_stop =
      config.lbfgs_iterations > 0 ? nn::stop_reason(training.lbfgs.reason) : "no L-BFGS phase";
}

void PinnOutcome::record_errors(const GridFields& f) {
  pinn_vs_exact = f.grid.relative_l2(f.pinn, f.exact);
  reference_vs_exact = f.grid.relative_l2(f.reference, f.exact);
  pinn_vs_reference = f.grid.relative_l2(f.pinn, f.reference);
}

void finish_pinn_result(io::FieldFile& file, const PinnRunRecord& run, double wall_seconds) {
  write_history(file, "history", run.history.columns, run.history.rows);
  run.learner.write(file);
  file.set_attribute("options", run.options_text);
  file.set_attribute("problem", run.selection.problem);
  file.set_attribute("learner", run.selection.learner);
  file.set_attribute("parameters", run.learner.parameter_count());
  file.set_attribute("training_seconds", run.outcome.training_seconds);
  file.set_attribute("initial_loss", run.outcome.initial_loss);
  file.set_attribute("final_loss", run.outcome.final_loss);
  file.set_attribute("lbfgs_stop", run.outcome.lbfgs_stop);
  file.set_attribute("wall_seconds", wall_seconds);
  file.commit_with_xdmf();
}

void write_pinn_result(MPI_Comm comm, const Decomposition& decomp, double h,
                       const GridFields& fields, const PinnOutcome& outcome,
                       const PinnRunRecord& run, const std::function<double()>& wall_seconds,
                       const std::function<void(io::FieldFile&)>& extra) {
  ProfilingRegion stage(Stage::Output);
  std::vector<double> error(fields.pinn.size());
  for (size_t k = 0; k < error.size(); ++k) error[k] = fields.pinn[k] - fields.exact[k];
  io::FieldFile file(comm, outcome.output_file);
  file.set_grid(io::uniform_grid(decomp, {0.0, 0.0, 0.0}, {h, h, h}));
  file.write_field("x", decomp, fields.grid.x().data());
  if (decomp.dim() >= 2) file.write_field("y", decomp, fields.grid.y().data());
  if (decomp.dim() == 3) file.write_field("z", decomp, fields.grid.z().data());
  file.write_field("pinn", decomp, fields.pinn.data());
  file.write_field("reference", decomp, fields.reference.data());
  file.write_field("exact", decomp, fields.exact.data());
  file.write_field("pinn_error", decomp, error.data());
  file.set_attribute("relative_l2_pinn_vs_exact", outcome.pinn_vs_exact);
  file.set_attribute("relative_l2_reference_vs_exact", outcome.reference_vs_exact);
  file.set_attribute("relative_l2_pinn_vs_reference", outcome.pinn_vs_reference);
  if (extra) extra(file);
  finish_pinn_result(file, run, wall_seconds());
}

void write_history(io::FieldFile& file, const std::string& name,
                   const std::vector<std::string>& columns, const std::vector<double>& rows) {
  file.write_table(name, columns, rows);
  file.set_dataset_attribute(name, "phase_meaning", pinn::kPhaseMeaning);
}

std::string error_summary(const std::string& label, int n, const PinnOutcome& o, int dim) {
  std::ostringstream os;
  std::string grid = std::to_string(n) + (dim == 1 ? "-point" : "");
  for (int d = 1; d < dim; ++d) grid += " x " + std::to_string(n);
  const std::string learned = (label + " vs exact").append(20, ' ').substr(0, 20);
  const std::string versus = (label + " vs reference").append(20, ' ').substr(0, 20);
  os << "summary (relative L2 on the " << grid << " reference grid):\n"
     << "  " << learned << format("%.3e", o.pinn_vs_exact) << "\n"
     << "  reference vs exact  " << format("%.3e", o.reference_vs_exact) << "\n"
     << "  " << versus << format("%.3e", o.pinn_vs_reference);
  return os.str();
}

std::string training_summary(const TrainingOutcome& o) {
  return "  training            " + format("%.1f s", o.training_seconds) + ", final loss " +
         format("%.3e", o.final_loss) + " (initial " + format("%.3e", o.initial_loss) +
         ", reduction " + format("%.2e", o.initial_loss / o.final_loss) +
         "), L-BFGS: " + o.lbfgs_stop;
}

std::string summary_tail(const Learner& learner, const TrainingOutcome& outcome,
                         double wall_seconds, const std::string& output_file) {
  return learner.summary() + training_summary(outcome) + "\n" + "  wall time           " +
         format("%.1f s", wall_seconds) + "\n" + "  output              " + output_file +
         " (+ .xmf for ParaView)";
}

}  // namespace tessera::run
