#pragma once
// Run-time options: declared once by the component that owns them (name, type, default, range,
// help), read once into that component's typed config struct, checked together.
//
// Values come from the PETSc options database, so an input deck (YAML, nested keys joined by '_':
// `pinn: {width: 50}` is `-pinn_width 50`) and the command line share one namespace, and the
// command line wins.
#include <mpi.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

class Options {
public:
  /// Collective over comm. argv is the program's own command line, re-applied after the deck
  /// so that command-line overrides win over deck values.
  Options(MPI_Comm comm, int argc, char** argv);

  /// Loads a YAML deck into the options database (collective). A missing or unreadable deck, and
  /// one check_deck_syntax refuses (core/deck_syntax.hpp), is an InputError. A deck's log_view,
  /// log_trace, info, log_view_memory and memory_view start what they ask for
  /// (core/profiling.hpp: begin_log_from_options).
  void load_deck(const std::string& path);
  const std::string& deck() const { return deck_; }

  /// A PETSc solver's options prefix, the solve it belongs to (for messages), and whether it is a
  /// time stepper (a TS, which also reads SNES options under its prefix) or a KSP.
  struct SolverPrefix {
    std::string prefix, solve;
    bool time_stepper = false;
  };
  /// Throws InputError for a PETSc solver option given without a prefix (-ksp_monitor, -pc_type,
  /// -snes_*, -ts_*, -tao_*, -mg_levels_*, -mg_coarse_*, -sub_*): every solver in Tessera reads
  /// its options under its own prefix, so PETSc would never read it. The message names it under
  /// each of `prefixes` whose solver reads such options. Global PETSc options (-log_view,
  /// -malloc_debug, -options_left, ...) pass. Not collective (every rank has the same database).
  void refuse_unprefixed_solver_options(const std::vector<SolverPrefix>& prefixes) const;

  /// Throws InputError for a command-line word PETSc would ignore: one that is neither an option
  /// (-name) nor the value right after one, from argument `first` on (2 after a deck: a second
  /// deck is such a word). Not collective (every rank has the same command line).
  void refuse_stray_arguments(int first) const;

  int integer(const std::string& name, int fallback, int lo, int hi, const std::string& help);
  /// A comma-separated list of integers in [lo, hi] ("12" or "12,16"), fallback in that form;
  /// anything else is reported and gives an empty list.
  std::vector<int> integers(const std::string& name, const std::string& fallback, int lo, int hi,
                            const std::string& help);
  double real(const std::string& name, double fallback, double lo, double hi,
              const std::string& help);
  bool flag(const std::string& name, bool fallback, const std::string& help);
  std::string choice(const std::string& name, const std::string& fallback,
                     const std::vector<std::string>& allowed, const std::string& help);
  std::string text(const std::string& name, const std::string& fallback, const std::string& help);
  /// A file the run reads (a data set, a reference table, a checkpoint). A relative path given in
  /// the deck is taken relative to the deck's folder, one given on the command line relative to
  /// the current directory; the answer is the path to open. Empty (no file) and the words in
  /// `keywords` (e.g. "latest") are answered as given. check() refuses a file that does not exist.
  std::string input_file(const std::string& name, const std::string& fallback,
                         const std::string& help, const std::vector<std::string>& keywords = {});

  /// Adds a problem found by a component's own cross-option check (e.g. "a < b").
  void report(const std::string& problem) { problems_.push_back(problem); }

  /// reject_unused() names an unknown key that begins with prefix as `explanation` (e.g. "an
  /// option of -pinn_problem helmholtz, which this run does not solve"): the keys of a block the
  /// run does not read. Not collective.
  void explain_unknown(const std::string& prefix, const std::string& explanation) {
    unknown_explanations_.emplace_back(prefix, explanation);
  }

  /// Throws one InputError listing every problem reported so far, and every input_file() that
  /// does not exist on some rank. Collective over the communicator: every rank reads the same
  /// database and learns what every rank's file system holds, so every rank throws the same error.
  void check() const;

  /// Throws an InputError naming every option that nothing read: misspelled or unknown keys.
  /// Call after every component, PETSc objects included, has read its options.
  void reject_unused() const;

  bool help_requested() const { return help_; }
  /// The table of every declared option with the value in force and where it comes from (default,
  /// deck, command line, or PETSc's other sources such as PETSC_OPTIONS), for -help.
  std::string help_text() const;

  /// Every option in the database as "-key value" lines, for output file attributes.
  std::string database_text() const;

  /// The value each named option has in this run (given, or its default) as text in one form
  /// per value (integers in decimal, reals to 17 significant digits), in the order of names; names
  /// not declared (yet) are left out, so one list can name the options of several variants of a
  /// run. Not collective.
  std::vector<std::pair<std::string, std::string>> values(
      const std::vector<std::string>& names) const;

private:
  struct Declaration {
    std::string name, type, fallback, accepted, help;
    std::string value;   // what the run uses, in values()'s form
    std::string shown;   // the same for -help (reals to 6 digits)
    std::string source;  // where the value comes from: "default", "deck", "command line", ...
  };
  struct InputFile {
    std::string option, path, given;  // given: the deck's text, where it resolved it
  };
  bool lookup(const std::string& name, std::string& value, bool& has_value);
  void declare(const Declaration& d);
  /// Marks the last declaration's value as given, with where it came from.
  void accept(const std::string& value, const std::string& shown);
  std::string source(const std::string& name) const;

  MPI_Comm comm_;
  int argc_;
  char** argv_;
  std::string deck_;
  // Option names without '-', lower case, by where they were given.
  std::set<std::string> deck_keys_, command_line_keys_, environment_keys_;
  std::vector<InputFile> input_files_;
  bool help_ = false;
  std::vector<Declaration> declared_;
  std::vector<std::string> problems_;
  std::vector<std::pair<std::string, std::string>> unknown_explanations_;  // prefix, why
};

/// Not collective. A word as a boolean option's value: true, yes, on, 1 or false, no, off, 0 (any
/// case); std::nullopt for any other word.
std::optional<bool> boolean_word(const std::string& word);

}  // namespace tessera
