// README.md's code says how it is checked, and is: every fenced block's info string is one of
//   c++ example=NAME / c++ windows-example=NAME   a whole program, compiled as printed by the
//                                                 build (tests/readme-examples.cmake) and run
//                                                 against the fixtures there where it takes one;
//   c example=NAME                                 the same in C99, through the C API;
//   python example=NAME                            a whole Python program, run as printed by
//                                                 the Python package's tests
//                                                 (python/tests/test_readme.py);
//   LANGUAGE excerpt=PATH                          each line is a line of PATH (a trailing comment
//                                                 of the README's own and "..." aside);
//   console                                        a transcript: each "$ bridge32 ..." command is
//                                                 one the tool has, with options it takes;
//   sh                                             commands: bridge32's as above, scripts/ ones
//                                                 that exist;
//   text                                           a drawing or a listing, no code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support.h"

namespace bridge32 {
namespace {

const std::filesystem::path kSource = BRIDGE32_SOURCE_DIR;

struct Block {
  size_t line;       // of the opening fence
  std::string info;  // after the fence
  std::vector<std::string> lines;
};

std::vector<Block> fencedBlocks(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<Block> blocks;
  std::string line;
  bool inside = false;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.rfind("```", 0) == 0) {
      if (inside) {
        inside = false;
      } else {
        inside = true;
        blocks.push_back({number, line.substr(3), {}});
      }
    } else if (inside) {
      blocks.back().lines.push_back(line);
    }
  }
  EXPECT_FALSE(inside) << file << " ends inside a code block";
  return blocks;
}

std::string trimmed(std::string text) {
  size_t first = text.find_first_not_of(" \t"), last = text.find_last_not_of(" \t\r");
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

// `line` without a trailing comment of its own ("  # ...", "  // ...").
std::string withoutComment(const std::string& line) {
  for (const char* marker : {"  # ", "  // "}) {
    if (size_t at = line.find(marker); at != std::string::npos) return line.substr(0, at);
  }
  return line;
}

// What `bridge32 help COMMAND` prints, once per command.
const std::string& helpFor(const std::string& command) {
  static std::map<std::string, std::string> known;
  auto [at, added] = known.try_emplace(command);
  if (added) {
    test::Ran ran = test::runProgram(test::toolPath(), {"help", command});
    at->second = ran.exitCode == 0 ? ran.out : "";
  }
  return at->second;
}

// A command line of a README block: bridge32's with options its help lists, scripts that exist.
void checkCommand(const std::string& commandLine, const Block& block) {
  std::istringstream words(commandLine);
  std::string program, command;
  words >> program;
  if (program == "bridge32") {
    words >> command;
    if (command == "--version") return;
    if (command == "help") words >> command;  // `bridge32 help run`: run's help must exist
    const std::string& help = helpFor(command);
    ASSERT_FALSE(help.empty()) << "README.md:" << block.line << ": no command '" << command << "'";
    for (std::string word; words >> word;) {
      if (word.rfind("--", 0) != 0 && word.rfind("[--", 0) != 0) continue;
      std::string option = word.substr(word[0] == '[' ? 1 : 0);
      option = option.substr(0, option.find_first_of("]= "));
      EXPECT_NE(help.find(option), std::string::npos)
          << "README.md:" << block.line << ": bridge32 " << command << " has no option " << option;
    }
  } else if (program.rfind("scripts/", 0) == 0) {
    EXPECT_TRUE(std::filesystem::exists(kSource / program))
        << "README.md:" << block.line << ": no " << program;
  }
}

TEST(Readme, EveryCodeBlockSaysHowItIsCheckedAndIs) {
  std::vector<Block> blocks = fencedBlocks(kSource / "README.md");
  ASSERT_GT(blocks.size(), 10u);
  std::set<std::string> examples;
  for (const Block& block : blocks) {
    SCOPED_TRACE("README.md:" + std::to_string(block.line) + ": ```" + block.info);
    std::istringstream info(block.info);
    std::string language, how;
    info >> language >> how;
    if (how.rfind("example=", 0) == 0 || how.rfind("windows-example=", 0) == 0) {
      bool anywhere = how.rfind("example=", 0) == 0;
      EXPECT_TRUE(language == "c++" || ((language == "c" || language == "python") && anywhere))
          << "examples are C++, or C or Python (not Windows-only)";
      EXPECT_TRUE(examples.insert(how.substr(how.find('=') + 1)).second) << "a second " << how;
      std::string code;
      for (const auto& line : block.lines) code += line + "\n";
      if (language != "python") {
        EXPECT_NE(code.find("int main("), std::string::npos) << "an example is a whole program";
      }
      EXPECT_EQ(code.find('`'), std::string::npos) << "no backquotes in examples (extraction)";
    } else if (how.rfind("excerpt=", 0) == 0) {
      std::filesystem::path file = kSource / how.substr(8);
      ASSERT_TRUE(std::filesystem::exists(file)) << file;
      std::ifstream in(file);
      std::set<std::string> lines;
      for (std::string line; std::getline(in, line);) lines.insert(trimmed(line));
      for (const auto& line : block.lines) {
        std::string wanted = trimmed(withoutComment(line));
        if (wanted.empty() || wanted == "...") continue;
        EXPECT_TRUE(lines.count(wanted)) << "not a line of " << how.substr(8) << ": " << wanted;
      }
    } else if (language == "console") {
      for (const auto& line : block.lines) {
        if (line.rfind("$ ", 0) == 0) checkCommand(line.substr(2), block);
      }
    } else if (language == "sh") {
      for (const auto& line : block.lines) checkCommand(trimmed(line), block);
    } else {
      EXPECT_EQ(language, "text") << "a block must say how it is checked (see readme-test.c++)";
      EXPECT_TRUE(how.empty());
    }
  }
  // What the build compiles (tests/readme-examples.cmake) is what is here.
  EXPECT_TRUE(examples.count("plugin-host") && examples.count("zlib-compress") &&
              examples.count("typed-functions") && examples.count("com-objects") &&
              examples.count("c-zlib"));
}

}  // namespace
}  // namespace bridge32
