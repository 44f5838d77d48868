#pragma once
// Options a file records as root attributes under their own names (the generating options of a
// data set, the model and data a checkpoint was trained with), and the check that a later run,
// which resumes or restarts from the file, has the same values.
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {
class Options;
}

namespace tessera::io {

class FieldFile;
class FieldFileReader;

using OptionValue = std::variant<long long, double, std::string>;
/// (option name without the leading dash, value) pairs, in the order they are checked.
using RecordedOptions = std::vector<std::pair<std::string, OptionValue>>;

/// Not collective. The value as messages print it.
std::string option_text(const OptionValue& value);

/// Collective over the file's communicator. Each option as a root attribute of its name.
void record_options(FieldFile& file, const RecordedOptions& options);

/// The first option a file does not record, or records with another value; empty name if none.
struct OptionDifference {
  std::string name;
  bool missing = false;  // the file does not record it (here and stored are then meaningless)
  OptionValue here, stored;
  explicit operator bool() const { return !name.empty(); }
};

/// Collective over the reader's communicator (every rank gets the same answer).
OptionDifference first_difference(const FieldFileReader& file, const RecordedOptions& options);

/// The options that define the problem a checkpoint's state belongs to, its physics and its
/// discretisation, as this run has them: a checkpoint records them, and a restart that differs in
/// any is refused unless the deck declares it a deliberate warm start (-restart_warm_start).
struct RestartPhysics {
  RecordedOptions options;  // (name, value as Options::values() gives it)
  bool warm_start = false;
  bool warm_start_allowed = true;  // false: a refusal does not suggest -restart_warm_start

  /// Declares -restart_warm_start and takes this run's values of physics_option_names(kind),
  /// which must be declared already. Not collective.
  static RestartPhysics from_options(Options& options, const std::string& kind);
  /// Collective over the file's communicator.
  void record(FieldFile& file) const { record_options(file, options); }
  /// Collective over the reader's communicator. An InputError on every rank naming the file, the
  /// first option the file records otherwise (or not at all) and both values; with warm_start, a
  /// line on rank 0 instead for every difference.
  void require_same(const FieldFileReader& file) const;
};

/// Not collective. The one table of the options that count as physics or discretisation per
/// checkpointing run kind: "xpinn", "fbpinn", "poisson", "interface_bandit" (the
/// study), "pde_<method>_<pde>" (run: pde, every
/// -pde_method and -pde), "les".
/// Not in it: how training or time stepping proceeds (train_*, -les_dt, -les_cfl), sampling
/// (points, seeds), loss weights, evaluation (reference_*), output; a restart may change those.
std::vector<std::string> physics_option_names(const std::string& kind);

}  // namespace tessera::io
