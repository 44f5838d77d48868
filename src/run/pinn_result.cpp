#include "run/pinn_result.hpp"

#include <variant>

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

void write_pinn_result(MPI_Comm comm, const std::string& path, const Decomposition& decomp,
                       const problems::ProblemComparison& comparison, const PinnRunRecord& run,
                       const std::function<void(io::FieldFile&)>& extra,
                       const std::function<double()>& wall_seconds) {
  ProfilingRegion stage(Stage::Output);
  io::FieldFile file(comm, path);
  file.set_grid(io::uniform_grid(decomp, comparison.origin, comparison.spacing));
  for (const auto& [name, values] : comparison.fields)
    file.write_field(name, decomp, values.data());
  for (const auto& [name, components] : comparison.vectors)
    file.write_vector_field(name, decomp, {components[0].data(), components[1].data()},
                            io::kNondimensional);
  for (const auto& attribute : comparison.attributes)
    std::visit([&](const auto& value) { file.set_attribute(attribute.name, value); },
               attribute.value);
  if (extra) extra(file);
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
  file.set_attribute("wall_seconds", wall_seconds());
  file.commit_with_xdmf();
}

void write_history(io::FieldFile& file, const std::string& name,
                   const std::vector<std::string>& columns, const std::vector<double>& rows) {
  file.write_table(name, columns, rows);
  file.set_dataset_attribute(name, "phase_meaning", pinn::kPhaseMeaning);
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
