#include "core/options.hpp"

#include <petscsys.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <sstream>

#include "core/deck_syntax.hpp"
#include "core/error.hpp"
#include "core/profiling.hpp"

namespace tessera {

namespace {

namespace fs = std::filesystem;

// "-name" is an option; "-1e-3" (a sign, then a digit or '.') is a value like any other word.
bool is_option(const char* word) {
  return word[0] == '-' && word[1] != '\0' && !std::isdigit(static_cast<unsigned char>(word[1])) &&
         word[1] != '.';
}

// The first words of PETSc's solver options (KSP, PC, SNES, TS, Tao, and the options PETSc's
// composite preconditioners give their inner solvers): without a prefix, none of Tessera's
// solvers reads them.
constexpr const char* kSolverOptionStarts[] = {"ksp_", "pc_",        "snes_",      "ts_",
                                               "tao_", "mg_levels_", "mg_coarse_", "sub_"};
// Those a KSP reads under its prefix (its own and its preconditioner's); a TS reads all but Tao's.
constexpr const char* kKrylovOptionStarts[] = {"ksp_", "pc_", "mg_levels_", "mg_coarse_", "sub_"};

bool starts_with_any(const std::string& name, const char* const* first, const char* const* last) {
  return std::any_of(first, last, [&](const char* s) { return name.rfind(s, 0) == 0; });
}

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
  for (int i = 1; i < argc_; ++i)
    if (is_option(argv_[i])) command_line_keys_.insert(lower(argv_[i] + 1));
  // PETSc applies PETSC_OPTIONS after the deck and before the command line.
  if (const char* environment = std::getenv("PETSC_OPTIONS")) {
    std::istringstream words(environment);
    for (std::string word; words >> word;)
      if (is_option(word.c_str())) environment_keys_.insert(lower(word.substr(1)));
  }
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
  for (const auto& key : check_deck_syntax(path)) deck_keys_.insert(lower(key));
  const PetscLogRequests started = petsc_log_requests();
  if (PetscOptionsInsertFileYAML(comm_, nullptr, path.c_str(), PETSC_TRUE) != 0)
    throw InputError("input deck '" + path + "' is not a valid YAML options file", __FILE__,
                     __LINE__);
  // The deck must not override the command line: apply the command line again on top of it.
  int argc = argc_;
  char** argv = argv_;
  TESSERA_PETSC_CALL(PetscOptionsInsert(nullptr, &argc, &argv, nullptr));
  // PetscInitialize has looked for -log_view, -log_trace, -info already; the deck's arrive now.
  begin_log_from_options(started);
  deck_ = path;
}

void Options::refuse_unprefixed_solver_options(const std::vector<SolverPrefix>& prefixes) const {
  // Every option in the database, wherever it came from (deck, command line, PETSC_OPTIONS).
  std::istringstream all(database_text());
  std::vector<std::string> bare;
  for (std::string word; all >> word;) {
    if (!is_option(word.c_str())) continue;
    const std::string name = lower(word.substr(1));
    if (starts_with_any(name, std::begin(kSolverOptionStarts), std::end(kSolverOptionStarts)))
      bare.push_back(name);
  }
  if (bare.empty()) return;
  std::sort(bare.begin(), bare.end());  // the same order whatever the source
  std::string message = std::string("invalid PETSc option") + (bare.size() > 1 ? "s" : "") +
                        ": each solver in Tessera reads its PETSc options under its own prefix, "
                        "so none reads an option without one";
  for (const auto& name : bare) {
    const bool krylov =
        starts_with_any(name, std::begin(kKrylovOptionStarts), std::end(kKrylovOptionStarts));
    std::string where;
    for (const auto& p : prefixes)
      if (p.time_stepper ? name.rfind("tao_", 0) != 0 : krylov)
        where += "\n    -" + p.prefix + name + "   (" + p.solve + ")";
    message += "\n  -" + name + " has no options prefix";
    message += where.empty() ? "; no solver in Tessera reads it under any prefix"
                             : "; give it to the solve it is for:" + where;
  }
  if (!deck_.empty()) message += "\n  (deck: " + deck_ + ")";
  throw InputError(message, __FILE__, __LINE__);
}

void Options::refuse_stray_arguments(int first) const {
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
  declared_.back().shown = d.fallback;
}

std::string Options::source(const std::string& name) const {
  const std::string key = lower(name);
  if (command_line_keys_.count(key)) return "command line";
  if (environment_keys_.count(key)) return "PETSC_OPTIONS";
  if (deck_keys_.count(key)) return "deck";
  return "a PETSc options file";
}

void Options::accept(const std::string& value, const std::string& shown) {
  Declaration& d = declared_.back();
  d.value = value;
  d.shown = shown;
  d.source = source(d.name);
}

int Options::integer(const std::string& name, int fallback, int lo, int hi,
                     const std::string& help) {
  const std::string range = "integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  declare({name, "int", std::to_string(fallback), range, help, std::to_string(fallback), "",
           "default"});
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
  accept(std::to_string(parsed), std::to_string(parsed));
  return static_cast<int>(parsed);
}

std::vector<int> Options::integers(const std::string& name, const std::string& fallback, int lo,
                                   int hi, const std::string& help) {
  const std::string range = "comma-separated list of integers in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "]";
  declare({name, "int list", fallback, range, help, fallback, "", "default"});
  std::string value;
  bool has_value = false;
  const bool given = lookup(name, value, has_value);
  if (!given) {
    value = fallback;
  } else if (!has_value) {
    report("-" + name + " needs a value");
    return {};
  }
  std::vector<int> list;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    long parsed = 0;
    if (!parse_int(item, parsed) || parsed < lo || parsed > hi) {
      report("-" + name + " = '" + value + "' is not a " + range);
      return {};
    }
    list.push_back(static_cast<int>(parsed));
  }
  if (list.empty() || value.back() == ',') {
    report("-" + name + " = '" + value + "' is not a " + range);
    return {};
  }
  if (given) accept(value, value);
  return list;
}

double Options::real(const std::string& name, double fallback, double lo, double hi,
                     const std::string& help) {
  const std::string range = "real in [" + format_real(lo) + ", " + format_real(hi) + "]";
  declare({name, "real", format_real(fallback), range, help, exact_real(fallback), "", "default"});
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
  accept(exact_real(parsed), format_real(parsed));
  return parsed;
}

std::optional<bool> boolean_word(const std::string& word) {
  const std::string w = lower(word);
  if (w == "true" || w == "yes" || w == "on" || w == "1") return true;
  if (w == "false" || w == "no" || w == "off" || w == "0") return false;
  return std::nullopt;
}

bool Options::flag(const std::string& name, bool fallback, const std::string& help) {
  declare({name, "bool", fallback ? "true" : "false", "true or false", help,
           fallback ? "true" : "false", "", "default"});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  const auto parsed = has_value ? boolean_word(value) : std::optional<bool>(true);  // bare: on
  if (parsed) {
    accept(*parsed ? "true" : "false", *parsed ? "true" : "false");
    return *parsed;
  }
  report("-" + name + " = '" + value + "' is not a boolean; expected true or false");
  return fallback;
}

std::string Options::choice(const std::string& name, const std::string& fallback,
                            const std::vector<std::string>& allowed, const std::string& help) {
  std::string accepted = "one of";
  for (const auto& a : allowed) accepted += " " + a;
  declare({name, "choice", fallback, accepted, help, fallback, "", "default"});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    report("-" + name + " = '" + value + "' is not accepted; expected " + accepted);
    return fallback;
  }
  accept(value, value);
  return value;
}

std::string Options::text(const std::string& name, const std::string& fallback,
                          const std::string& help) {
  declare({name, "string", fallback.empty() ? "(none)" : fallback, "text", help, fallback, "",
           "default"});
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) return fallback;
  if (!has_value) {
    report("-" + name + " needs a value");
    return fallback;
  }
  accept(value, value);
  return value;
}

std::string Options::input_file(const std::string& name, const std::string& fallback,
                                const std::string& help, const std::vector<std::string>& keywords) {
  std::string accepted = "path of an existing file";
  for (const auto& k : keywords) accepted += " or " + k;
  declare({name, "file", fallback.empty() ? "(none)" : fallback, accepted, help, fallback, "",
           "default"});
  const auto is_keyword = [&](const std::string& v) {
    return std::find(keywords.begin(), keywords.end(), v) != keywords.end();
  };
  std::string value;
  bool has_value = false;
  if (!lookup(name, value, has_value)) {
    if (!fallback.empty() && !is_keyword(fallback)) input_files_.push_back({name, fallback, ""});
    return fallback;
  }
  if (!has_value) {
    report("-" + name + " needs a value");
    return fallback;
  }
  if (is_keyword(value)) {
    accept(value, value);
    return value;
  }
  // A deck names its files as seen from its own folder, so that it runs from any directory.
  std::string path = value;
  if (source(name) == "deck" && fs::path(value).is_relative())
    path = (fs::path(deck_).parent_path() / value).lexically_normal().string();
  accept(path, path);
  input_files_.push_back({name, path, path == value ? "" : value});
  return path;
}

void Options::check() const {
  std::vector<std::string> problems = problems_;
  // Every rank looks for itself: on a cluster a file may sit on a file system some nodes lack.
  for (const auto& f : input_files_) {
    std::error_code code;
    const int here = fs::is_regular_file(f.path, code) ? 1 : 0;
    int everywhere = 0;
    TESSERA_MPI_CALL(MPI_Allreduce(&here, &everywhere, 1, MPI_INT, MPI_MIN, comm_));
    if (everywhere) continue;
    std::string problem = "-" + f.option + " '" + f.path + "' " +
                          (fs::exists(f.path, code) ? "is not a file" : "does not exist") +
                          (here ? " on some ranks" : "");
    if (!f.given.empty())
      problem += " (the deck's '" + f.given + "', taken relative to the deck's folder)";
    problems.push_back(problem);
  }
  if (problems.empty()) return;
  std::string message = problems.size() == 1 ? "invalid option: " : "invalid options:";
  if (problems.size() == 1) {
    message += problems.front();
  } else {
    for (const auto& p : problems) message += "\n  " + p;
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
  for (const auto& u : unused) {
    message += " " + u;
    for (const auto& [prefix, why] : unknown_explanations_)
      if (u.compare(0, prefix.size() + 1, "-" + prefix) == 0) {
        message += " (" + why + ")";
        break;
      }
  }
  message += "\n  run with -help to list every option Tessera accepts";
  if (!deck_.empty()) message += " (deck: " + deck_ + ")";
  throw InputError(message, __FILE__, __LINE__);
}

std::string Options::help_text() const {
  std::ostringstream os;
  os << "Tessera options, each with the value in force and where it comes from (deck key a: {b: "
        "v} is -a_b v; the command line overrides the deck; a relative file named in the deck is "
        "taken from the deck's folder)"
     << (deck_.empty() ? std::string() : "; deck: " + deck_) << ":\n";
  for (const auto& d : declared_) {
    os << "  -" << std::left << std::setw(30) << d.name << " " << std::setw(7) << d.type << " = "
       << (d.shown.empty() ? "(none)" : d.shown) << " (" << d.source;
    if (d.source != "default") os << "; default " << d.fallback;
    os << "); " << d.accepted << "\n      " << d.help << "\n";
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
