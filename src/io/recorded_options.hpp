#pragma once
// Options a file records as root attributes under their own names (the generating options of a
// data set, the model and data a checkpoint was trained with), and the check that a later run,
// which resumes or restarts from the file, has the same values.
#include <string>
#include <utility>
#include <variant>
#include <vector>

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

}  // namespace tessera::io
