#include "io/recorded_options.hpp"

#include <sstream>

#include "io/field_file.hpp"
#include "io/field_reader.hpp"

namespace tessera::io {

std::string option_text(const OptionValue& value) {
  std::ostringstream text;
  std::visit([&](const auto& v) { text << v; }, value);
  return text.str();
}

void record_options(FieldFile& file, const RecordedOptions& options) {
  for (const auto& [name, value] : options)
    std::visit([&, &name = name](const auto& v) { file.set_attribute(name, v); }, value);
}

OptionDifference first_difference(const FieldFileReader& file, const RecordedOptions& options) {
  for (const auto& [name, value] : options) {
    if (!file.has_attribute(name)) return {name, true, value, value};
    OptionValue stored;
    if (std::holds_alternative<long long>(value))
      stored = file.integer_attribute(name);
    else if (std::holds_alternative<double>(value))
      stored = file.real_attribute(name);
    else
      stored = file.string_attribute(name);
    if (stored != value) return {name, false, value, stored};
  }
  return {};
}

}  // namespace tessera::io
