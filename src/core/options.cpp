#include "core/options.hpp"

#include <petscsys.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "core/deck_syntax.hpp"
#include "core/error.hpp"

namespace tessera {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool parse_int(const std::string& s, long& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtol(s.c_str(), &end, 10);
  return errno == 0 && end && *end == '\0';
}

bool parse_real(const std::string& s, double& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end && *end == '\0';
}

std::string format_real(double v) {
  std::ostringstream os;
  os << std::setprecision(6) << v;
  return os.str();
}

// Round-trips: the same double always gives the same text, and the text gives the double back.
std::string exact_real(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

}  // namespace

Options::Options(MPI_Comm comm, int argc, char** argv) : comm_(comm), argc_(argc), argv_(argv) {
  PetscBool help = PETSC_FALSE;
  TESSERA_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, "-help", &help));
  help_ = help == PETSC_TRUE;
}

void Options::load_deck(const std::string& path) {
  // Every rank checks for itself: on a cluster the deck may sit on a file system some nodes lack.
  int readable = std::ifstream(path).good() ? 1 : 0;
  int all_readable = 0;
  TESSERA_MPI_CALL(MPI_Allreduce(&readable, &all_readable, 1, MPI_INT, MPI_MIN, comm_));
  if (!all_readable)
    throw InputError("input deck '" + path + "' does not exist or cannot be read" +
                         (readable ? " on some ranks" : ""),
                     __FILE__, __LINE__);
  check_deck_syntax(path);
  if (PetscOptionsInsertFileYAML(comm_, nullptr, path.c_str(), PETSC_TRUE) != 0)
    throw InputError("input deck '" + path + "' is not a valid YAML options file", __FILE__,
                     __LINE__);
  // The deck must not override the command line: apply the command line again on top of it.
  int argc = argc_;
  char** argv = argv_;
  TESSERA_PETSC_CALL(PetscOptionsInsert(nullptr, &argc, &argv, nullptr));
  deck_ = path;
}

void Options::refuse_stray_arguments(int first) const {
  // "-name" is an option; "-1e-3" (a sign, then a digit or '.') is a value like any other word.
  const auto is_option = [](const char* word) {
    return word[0] == '-' && word[1] != '\0' &&
           !std::isdigit(static_cast<unsigned char>(word[1])) && word[1] != '.';
  };
  for (int i = std::max(first, 1); i < argc_; ++i) {
    if (is_option(argv_[i]) || is_option(argv_[i - 1])) continue;
    const std::string word = argv_[i];
    const bool deck = word.size() > 5 && word.compare(word.size() - 5, 5, ".yaml") == 0;
    throw InputError(
        "command-line argument " + std::to_string(i) + " '" + word + "' is " +
            (deck ? "a second deck: tessera runs one deck (DECK.yaml [-option value ...])"
                  : "neither an option (-name) nor the value of the option before it"),
        __FILE__, __LINE__);
  }
}

bool Options::lookup(const std::string& name, std::string& value, bool& has_value) {
  char buffer[PETSC_MAX_PATH_LEN] = {0};
  PetscBool set = PETSC_FALSE;
  TESSERA_PETSC_CALL(
      PetscOptionsGetString(nullptr, nullptr, ("-" + name).c_str(), buffer, sizeof buffer, &set));
  value = buffer;
  has_value = !value.empty();
  return set == PETSC_TRUE;
}

void Options::declare(const Declaration& d) {
  for (const auto& e : declared_)
    TESSERA_CHECK(e.name != d.name, "option -" << d.name << " is declared twice");
  declared_.push_back(d);
}

int Options::integer(const std::string& name, int fallback, int lo, int hi,
                     const std::string& help) {
  const std::string range = "integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  declare({name, "int", std::to_string(fallback), range, help, std::to_string(fallback)});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  long parsed = 0;
  if (!has_value || !parse_int(value, parsed)) {
    report("-" + name + " = '" + value + "' is not an integer; expected an " + range);
    return fallback;
  }
  if (parsed < lo || parsed > hi) {
    report("-" + name + " = " + value + " is out of range; expected an " + range);
    return fallback;
  }
  declared_.back().value = std::to_string(parsed);
  return static_cast<int>(parsed);
}

double Options::real(const std::string& name, double fallback, double lo, double hi,
                     const std::string& help) {
  const std::string range = "real in [" + format_real(lo) + ", " + format_real(hi) + "]";
  declare({name, "real", format_real(fallback), range, help, exact_real(fallback)});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  double parsed = 0;
  if (!has_value || !parse_real(value, parsed)) {
    report("-" + name + " = '" + value + "' is not a number; expected a " + range);
    return fallback;
  }
  if (!(parsed >= lo && parsed <= hi)) {
    report("-" + name + " = " + value + " is out of range; expected a " + range);
    return fallback;
  }
  declared_.back().value = exact_real(parsed);
  return parsed;
}

bool Options::flag(const std::string& name, bool fallback, const std::string& help) {
  declare({name, "bool", fallback ? "true" : "false", "true or false", help,
           fallback ? "true" : "false"});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  const std::string v = lower(value);
  const bool on = !has_value || v == "true" || v == "yes" || v == "on" || v == "1";  // bare: on
  const bool off = v == "false" || v == "no" || v == "off" || v == "0";
  if (on || off) {
    declared_.back().value = on ? "true" : "false";
    return on;
  }
  report("-" + name + " = '" + value + "' is not a boolean; expected true or false");
  return fallback;
}

std::string Options::choice(const std::string& name, const std::string& fallback,
                            const std::vector<std::string>& allowed, const std::string& help) {
  std::string accepted = "one of";
  for (const auto& a : allowed) accepted += " " + a;
  declare({name, "choice", fallback, accepted, help, fallback});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    report("-" + name + " = '" + value + "' is not accepted; expected " + accepted);
    return fallback;
  }
  declared_.back().value = value;
  return value;
}

std::string Options::text(const std::string& name, const std::string& fallback,
                          const std::string& help) {
  declare({name, "string", fallback.empty() ? "(none)" : fallback, "text", help, fallback});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  if (!has_value) {
    report("-" + name + " needs a value");
    return fallback;
  }
  declared_.back().value = value;
  return value;
}

void Options::check() const {
  if (problems_.empty()) return;
  std::string message = problems_.size() == 1 ? "invalid option: " : "invalid options:";
  if (problems_.size() == 1) {
    message += problems_.front();
  } else {
    for (const auto& p : problems_) message += "\n  " + p;
  }
  if (!deck_.empty()) message += "\n  (deck: " + deck_ + ")";
  throw InputError(message, __FILE__, __LINE__);
}

void Options::reject_unused() const {
  // PETSc reads these only in PetscFinalize; they are known to PETSc, not misspellings.
  for (const char* name :
       {"-options_left", "-options_view", "-malloc_dump", "-malloc_view", "-objects_dump",
        "-log_view", "-log_view_memory", "-memory_view", "-log_trace", "-log_all"}) {
    PetscBool set = PETSC_FALSE;
    TESSERA_PETSC_CALL(PetscOptionsHasName(nullptr, nullptr, name, &set));
  }
  PetscInt count = 0;
  char** names = nullptr;
  char** values = nullptr;
  TESSERA_PETSC_CALL(PetscOptionsLeftGet(nullptr, &count, &names, &values));
  std::vector<std::string> unused;
  for (PetscInt i = 0; i < count; ++i) unused.push_back(std::string("-") + names[i]);
  TESSERA_PETSC_CALL(PetscOptionsLeftRestore(nullptr, &count, &names, &values));
  if (unused.empty()) return;
  std::string message = "unknown option" + std::string(unused.size() > 1 ? "s" : "") + ":";
  for (const auto& u : unused) message += " " + u;
  message += "\n  run with -help to list every option Tessera accepts";
  if (!deck_.empty()) message += " (deck: " + deck_ + ")";
  throw InputError(message, __FILE__, __LINE__);
}

std::string Options::help_text() const {
  std::ostringstream os;
  os << "Tessera options (deck key a: {b: v} is -a_b v; the command line overrides the deck):\n";
  for (const auto& d : declared_) {
    os << "  -" << std::left << std::setw(30) << d.name << " " << std::setw(7) << d.type
       << " default " << d.fallback << "; " << d.accepted << "\n      " << d.help << "\n";
  }
  return os.str();
}

std::string Options::database_text() const {
  char* all = nullptr;
  TESSERA_PETSC_CALL(PetscOptionsGetAll(nullptr, &all));
  std::string text = all ? all : "";
  TESSERA_PETSC_CALL(PetscFree(all));
  return text;
}

std::vector<std::pair<std::string, std::string>> Options::values(
    const std::vector<std::string>& names) const {
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& name : names)
    for (const auto& d : declared_)
      if (d.name == name) found.emplace_back(name, d.value);
  return found;
}

}  // namespace tessera
