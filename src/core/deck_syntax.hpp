#pragma once
// What PETSc's YAML reader lets through silently, checked before the deck is loaded: a syntax
// error (PETSc reports only that the file is invalid), a key given twice (in one mapping, or
// twice after PETSc joins nested keys with '_': `operator: {mode: a}` and `operator_mode: b` are
// both -operator_mode; PETSc keeps the last), a second YAML document (PETSc reads only the
// first), a deck that is not a mapping, and a deck with no options at all (empty or only
// comments, which would run every default).
#include <set>
#include <string>

namespace tessera {

/// Throws InputError naming the deck, the problem and its line and column (1-based). Reads the
/// file with libyaml; not collective (every rank reads the same file and throws the same error).
/// Answers the names of the options the deck gives, as PETSc joins them ('_'), without the '-'
/// (the keys of nested mappings are among them too).
std::set<std::string> check_deck_syntax(const std::string& path);

}  // namespace tessera
