#pragma once
// Run-time options: declared once by the component that owns them (name, type, default, range,
// help), read once into that component's typed config struct, checked together.
//
// Values come from the PETSc options database, so an input deck (YAML, nested keys joined by '_':
// `pinn: {width: 50}` is `-pinn_width 50`) and the command line share one namespace, and the
// command line wins.
#include <mpi.h>

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
  /// one check_deck_syntax refuses (core/deck_syntax.hpp), is an InputError.
  void load_deck(const std::string& path);
  const std::string& deck() const { return deck_; }

  /// Throws InputError for a command-line word PETSc would ignore: one that is neither an option
  /// (-name) nor the value right after one, from argument `first` on (2 after a deck: a second
  /// deck is such a word). Not collective (every rank has the same command line).
  void refuse_stray_arguments(int first) const;

  int integer(const std::string& name, int fallback, int lo, int hi, const std::string& help);
  double real(const std::string& name, double fallback, double lo, double hi,
              const std::string& help);
  bool flag(const std::string& name, bool fallback, const std::string& help);
  std::string choice(const std::string& name, const std::string& fallback,
                     const std::vector<std::string>& allowed, const std::string& help);
  std::string text(const std::string& name, const std::string& fallback, const std::string& help);

  /// Adds a problem found by a component's own cross-option check (e.g. "a < b").
  void report(const std::string& problem) { problems_.push_back(problem); }

  /// Throws one InputError listing every problem reported so far. Collective-consistent: every
  /// rank reads the same database, so every rank throws the same error.
  void check() const;

  /// Throws an InputError naming every option that nothing read: misspelled or unknown keys.
  /// Call after every component, PETSc objects included, has read its options.
  void reject_unused() const;

  bool help_requested() const { return help_; }
  /// The table of every declared option, for -help.
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
    std::string value;  // what the run uses, in values()'s form
  };
  bool lookup(const std::string& name, std::string& value, bool& has_value);
  void declare(const Declaration& d);

  MPI_Comm comm_;
  int argc_;
  char** argv_;
  std::string deck_;
  bool help_ = false;
  std::vector<Declaration> declared_;
  std::vector<std::string> problems_;
};

}  // namespace tessera
