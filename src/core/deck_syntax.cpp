#include "core/deck_syntax.hpp"

#include <yaml.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace tessera {
namespace {

std::string at(const yaml_mark_t& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// One open mapping: the '_'-joined key path of its entries, and whether the next scalar is a key.
struct Mapping {
  std::string prefix;
  bool expect_key = true;
  std::string pending_key;  // the key whose value is being read
};

class DeckParser {
public:
  explicit DeckParser(const std::string& path) : path_(path) {
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) fail("cannot be opened");
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_file(&parser_, file_.get());
  }
  ~DeckParser() { yaml_parser_delete(&parser_); }
  DeckParser(const DeckParser&) = delete;
  DeckParser& operator=(const DeckParser&) = delete;

  std::set<std::string> run() {
    for (bool done = false; !done;) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser_, &event)) syntax_error();
      done = event.type == YAML_STREAM_END_EVENT;
      const yaml_mark_t mark = event.start_mark;
      const yaml_event_type_t type = event.type;
      std::string scalar;
      if (type == YAML_SCALAR_EVENT)
        scalar.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                      event.data.scalar.length);
      yaml_event_delete(&event);
      handle(type, scalar, mark);
    }
    if (options_ == 0)
      fail(
          "holds no options (it is empty or only comments); a deck names at least its run: "
          "`run: KIND`");
    std::set<std::string> names;
    for (const auto& entry : seen_) names.insert(entry.first);
    return names;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("input deck '" + path_ + "' " + what, __FILE__, __LINE__);
  }

  [[noreturn]] void syntax_error() const {
    std::string what = "is not valid YAML: ";
    what += parser_.problem ? parser_.problem : "syntax error";
    if (parser_.context) what += std::string(" ") + parser_.context;
    fail(what + " at " + at(parser_.problem_mark));
  }

  void handle(yaml_event_type_t type, const std::string& scalar, const yaml_mark_t& mark) {
    const bool opens = type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT,
               closes = type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT;
    // Inside a list value everything is that one option's value (PETSc joins its items).
    if (in_list_ > 0) {
      in_list_ += opens ? 1 : closes ? -1 : 0;
      if (in_list_ == 0) value_read();
      return;
    }
    switch (type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1)
          fail("holds a second YAML document (starting at " + at(mark) +
               "); PETSc would read only the first: put every option in one document");
        return;
      case YAML_MAPPING_START_EVENT: {
        if (open_.empty()) {
          open_.push_back({});
          return;
        }
        if (open_.back().expect_key) fail("has a mapping used as a key at " + at(mark));
        Mapping child;
        child.prefix = open_.back().prefix + open_.back().pending_key + "_";
        open_.push_back(child);
        return;
      }
      case YAML_MAPPING_END_EVENT:
        open_.pop_back();
        if (!open_.empty()) open_.back().expect_key = true;
        return;
      case YAML_SEQUENCE_START_EVENT:
        if (open_.empty()) fail("is a list, not a mapping of options, at " + at(mark));
        if (open_.back().expect_key) fail("has a list used as a key at " + at(mark));
        in_list_ = 1;
        return;
      case YAML_SCALAR_EVENT:
      case YAML_ALIAS_EVENT:
        if (open_.empty()) {
          if (type == YAML_SCALAR_EVENT && scalar.empty()) return;  // an empty document
          fail("is not a mapping of options (a bare value at " + at(mark) + ")");
        }
        scalar_in_mapping(scalar, mark);
        return;
      default:
        return;
    }
  }

  void value_read() {
    open_.back().expect_key = true;
    ++options_;
  }

  void scalar_in_mapping(const std::string& scalar, const yaml_mark_t& mark) {
    Mapping& m = open_.back();
    if (!m.expect_key) {
      value_read();
      return;
    }
    const std::string name = m.prefix + scalar;
    const auto [seen, fresh] = seen_.emplace(name, mark);
    if (!fresh)
      fail("gives -" + name + " twice: at " + at(seen->second) + " and at " + at(mark) +
           " (PETSc would keep the last silently)");
    m.pending_key = scalar;
    m.expect_key = false;
  }

  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  yaml_parser_t parser_{};
  std::vector<Mapping> open_;
  std::map<std::string, yaml_mark_t> seen_;
  int documents_ = 0, in_list_ = 0;  // in_list_: open lists and mappings inside a list value
  long options_ = 0;
};

}  // namespace

std::set<std::string> check_deck_syntax(const std::string& path) { return DeckParser(path).run(); }

}  // namespace tessera
