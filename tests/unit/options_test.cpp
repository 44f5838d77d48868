// Options: typed reads, ranges, choices, and the one-error-lists-all contract.
#include <gtest/gtest.h>
#include <petscsys.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/options.hpp"

namespace {

// Each test gets a clean options database and sets only what it needs.
class OptionsTest : public ::testing::Test {
protected:
  void SetUp() override { PetscOptionsClear(nullptr); }
  void TearDown() override { PetscOptionsClear(nullptr); }
  void set(const char* name, const char* value) { PetscOptionsSetValue(nullptr, name, value); }
  tessera::Options options{MPI_COMM_WORLD, 0, nullptr};
};

TEST_F(OptionsTest, DefaultsWhenUnset) {
  EXPECT_EQ(options.integer("a_n", 5, 1, 10, "n"), 5);
  EXPECT_DOUBLE_EQ(options.real("a_x", 0.5, 0, 1, "x"), 0.5);
  EXPECT_FALSE(options.flag("a_f", false, "f"));
  EXPECT_EQ(options.choice("a_c", "tanh", {"tanh", "sin"}, "c"), "tanh");
  EXPECT_NO_THROW(options.check());
}

TEST_F(OptionsTest, ReadsTypedValues) {
  set("-a_n", "7");
  set("-a_x", "2.5e-3");
  set("-a_f", "yes");
  set("-a_c", "sin");
  EXPECT_EQ(options.integer("a_n", 5, 1, 10, "n"), 7);
  EXPECT_DOUBLE_EQ(options.real("a_x", 0.5, 0, 1, "x"), 2.5e-3);
  EXPECT_TRUE(options.flag("a_f", false, "f"));
  EXPECT_EQ(options.choice("a_c", "tanh", {"tanh", "sin"}, "c"), "sin");
  EXPECT_NO_THROW(options.check());
  EXPECT_NO_THROW(options.reject_unused());
}

TEST_F(OptionsTest, WrongTypeOutOfRangeAndBadChoiceAreAllReported) {
  set("-a_n", "seven");
  set("-a_x", "3");
  set("-a_c", "relu");
  options.integer("a_n", 5, 1, 10, "n");
  options.real("a_x", 0.5, 0, 1, "x");
  options.choice("a_c", "tanh", {"tanh", "sin"}, "c");
  try {
    options.check();
    FAIL() << "check() accepted invalid values";
  } catch (const tessera::InputError& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("-a_n = 'seven' is not an integer"), std::string::npos) << m;
    EXPECT_NE(m.find("-a_x = 3 is out of range"), std::string::npos) << m;
    EXPECT_NE(m.find("-a_c = 'relu' is not accepted; expected one of tanh sin"), std::string::npos)
        << m;
  }
}

TEST_F(OptionsTest, UnknownKeyIsNamed) {
  set("-a_n", "3");
  set("-a_nn", "4");
  options.integer("a_n", 5, 1, 10, "n");
  try {
    options.reject_unused();
    FAIL() << "reject_unused() accepted an unknown key";
  } catch (const tessera::InputError& e) {
    EXPECT_NE(e.message().find("-a_nn"), std::string::npos) << e.message();
  }
}

TEST_F(OptionsTest, MissingDeckIsAnInputError) {
  EXPECT_THROW(options.load_deck("/nonexistent/deck.yaml"), tessera::InputError);
}

// A relative file in a deck is the deck folder's file, whatever the current directory; a keyword
// stays a keyword; check() names a missing file by the path it resolved to and the deck's text;
// -help shows the resolved path and where it came from.
TEST_F(OptionsTest, DeckFilesResolveFromTheDecksFolder) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tessera_options_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "data.h5") << "x";
  std::ofstream(dir / "deck.yaml") << "a:\n  data: data.h5\n  restart: latest\n  gone: no.h5\n";
  options.load_deck((dir / "deck.yaml").string());
  const std::string data = (dir / "data.h5").string(), gone = (dir / "no.h5").string();
  EXPECT_EQ(options.input_file("a_data", "", "d"), data);
  EXPECT_EQ(options.input_file("a_restart", "", "r", {"latest"}), "latest");
  EXPECT_EQ(options.input_file("a_gone", "", "g"), gone);
  EXPECT_EQ(options.input_file("a_none", "", "n"), "");
  EXPECT_NE(options.help_text().find("= " + data + " (deck; default (none))"), std::string::npos)
      << options.help_text();
  try {
    options.check();
    FAIL() << "check() accepted a missing file";
  } catch (const tessera::InputError& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("-a_gone '" + gone + "' does not exist (the deck's 'no.h5'"),
              std::string::npos)
        << m;
    EXPECT_EQ(m.find("-a_data"), std::string::npos) << m;
  }
  fs::remove_all(dir);
}

}  // namespace
