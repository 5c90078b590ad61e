// Struct layout as the compilers that build DLLs see it. A few hundred structs and unions are
// generated (every integer width, doubles and long long, pointers, enums, nested records,
// arrays, anonymous members, unions, #pragma pack, packed, aligned, and bit-fields of every
// kind: mixed widths and types, unnamed, zero-width), read through the preprocessor and the
// declaration parser as a header would be, and laid out by layoutOf for each ABI. Each compiler
// compiles the same text with facts of its own making: sizeof, _Alignof and offsetof of every
// field, and for each bit-field a constant struct with only that field set to all ones, whose
// bytes say where it lies. The facts are read back from the object file (nm, objcopy), so that
// nothing runs: MSVC's layout comes from Clang targeting it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "library/c-parser.h"
#include "library/header-preprocessor.h"
#include "support.h"

namespace bridge32::library {
namespace {

using test::Ran;
using test::runProgram;

// ---- The structs --------------------------------------------------------------------------

// What a generated field is, for the probes: a path from its record (`n.x`; fields of
// anonymous members without a prefix) and whether it is a bit-field.
struct Access {
  std::string path;
  bool isBitField = false;
};

struct Generated {
  std::string name;  // "struct S12", "union U3"
  std::string text;  // its definition, with any #pragma around it
  std::vector<Access> accesses;
};

// What a compiler's dialect has: GCC's __attribute__((packed)) and ((aligned(n))), or MSVC's
// __declspec(align(n)) and #pragma pack alone. MinGW's GCC places bit-fields directly in a union
// differently from MSVC (c-types.h), whose rule bridge32 follows on Windows: none for it.
enum class Dialect { gnu, msvc, mingw };

class Generator {
 public:
  Generator(uint64_t seed, Dialect dialect) : random_(seed), dialect_(dialect) {}

  std::string prelude() const {
    return "enum Small { small_a, small_b, small_c };\n"        // no negative: unsigned in GCC
           "enum Signed { signed_a = -2, signed_b = 5 };\n";
  }

  Generated record(int index) {
    bool isUnion = chance(15);
    Generated made;
    made.name = std::string(isUnion ? "union U" : "struct S") + std::to_string(index);
    names_ = 0;
    std::string body = members(made.accesses, "", 1 + pick(7), 0, isUnion);
    std::string before, after, declspec, attributes;
    bool msvc = dialect_ == Dialect::msvc;
    std::string aligned = std::to_string(4u << pick(3));
    switch (pick(10)) {
      case 0: case 1: case 2: {
        std::string pack = std::to_string(1u << pick(4));  // 1, 2, 4 or 8
        before = "#pragma pack(push, " + pack + ")\n";
        after = "#pragma pack(pop)\n";
        break;
      }
      case 3:
        if (!msvc) attributes = " __attribute__((packed))";
        break;
      case 4:
        if (msvc) declspec = "__declspec(align(" + aligned + ")) ";
        else attributes = " __attribute__((aligned(" + aligned + ")))";
        break;
      default: break;
    }
    std::string keyword = made.name.substr(0, made.name.find(' ') + 1);
    std::string tag = made.name.substr(keyword.size());
    made.text = before + keyword + declspec + tag + " {\n" + body + "}" + attributes + ";\n" + after;
    // Later records hold this one by value, in arrays too.
    if (!isUnion || chance(50)) earlier_.push_back(made);
    return made;
  }

 private:
  uint64_t pick(uint64_t n) { return random_() % n; }
  bool chance(int percent) { return pick(100) < uint64_t(percent); }
  std::string fresh() { return "f" + std::to_string(names_++); }

  std::string members(std::vector<Access>& accesses, const std::string& prefix, int count,
                      int depth, bool inUnion) {
    std::string text;
    size_t named = accesses.size();
    for (int i = 0; i < count; ++i) {
      text += "  " + member(accesses, prefix, depth, inUnion) + ";\n";
    }
    // C leaves a struct without named members undefined (MSVC makes it 4 bytes, GCC 0).
    if (accesses.size() == named) {
      std::string name = fresh();
      accesses.push_back({prefix + name, false});
      text += "  int " + name + ";\n";
    }
    return text;
  }

  std::string member(std::vector<Access>& accesses, const std::string& prefix, int depth,
                     bool inUnion) {
    static const std::vector<std::string> scalars = {
        "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned int",
        "long", "unsigned long", "long long", "unsigned long long", "float", "double", "void *",
        "_Bool", "enum Small", "enum Signed"};
    // Bit-field types with their widths, as small as `long` is anywhere (32 bits on Windows).
    static const std::vector<std::pair<std::string, int>> bitTypes = {
        {"char", 8}, {"signed char", 8}, {"unsigned char", 8}, {"short", 16},
        {"unsigned short", 16}, {"int", 32}, {"unsigned int", 32}, {"long", 32},
        {"unsigned long", 32}, {"long long", 64}, {"unsigned long long", 64}, {"_Bool", 1},
        {"enum Small", 32}, {"enum Signed", 32}};
    int kind = int(pick(100));
    if (kind < 38 && !(inUnion && dialect_ == Dialect::mingw)) {
      const auto& [type, bits] = bitTypes[pick(bitTypes.size())];
      int shape = int(pick(10));
      if (shape == 0) return type + " : 0";  // unnamed, zero width
      int width = 1 + int(pick(uint64_t(bits)));
      // Widths near the type's own more often: they are where straddling is decided.
      if (chance(30)) width = std::max(1, bits - int(pick(3)));
      if (shape == 1) return type + " : " + std::to_string(width);  // unnamed
      std::string name = fresh();
      accesses.push_back({prefix + name, true});
      return type + " " + name + " : " + std::to_string(width);
    }
    if (kind < 70 || depth > 1) {
      std::string name = fresh();
      accesses.push_back({prefix + name, false});
      std::string type = scalars[pick(scalars.size())];
      if (chance(15)) return type + " " + name + "[" + std::to_string(1 + pick(4)) + "]";
      return type + " " + name;
    }
    if (kind < 85 && !earlier_.empty()) {
      const Generated& inner = earlier_[pick(earlier_.size())];
      std::string name = fresh();
      accesses.push_back({prefix + name, false});
      if (chance(25)) return inner.name + " " + name + "[" + std::to_string(1 + pick(3)) + "]";
      for (const Access& access : inner.accesses) {
        accesses.push_back({prefix + name + "." + access.path, access.isBitField});
      }
      return inner.name + " " + name;
    }
    // An anonymous struct or union: its fields are the record's own.
    bool isUnion = chance(50);
    return std::string(isUnion ? "union" : "struct") + " {\n" +
           members(accesses, prefix, 1 + int(pick(3)), depth + 1, isUnion) + "  }";
  }

  std::mt19937_64 random_;  // its numbers are the same everywhere (unlike its distributions')
  Dialect dialect_;
  std::vector<Generated> earlier_;
  int names_ = 0;
};

// ---- What a compiler says ------------------------------------------------------------------

struct Compiler {
  std::string label;
  std::string path;
  std::vector<std::string> flags;
  Abi abi;
  Dialect dialect;
  friend void PrintTo(const Compiler& compiler, std::ostream* out) { *out << compiler.label; }
};

std::vector<Compiler> compilers() {
  std::vector<Compiler> all = {
      {"gcc -m32", BRIDGE32_TEST_GCC, {"-m32"}, Abi::sysvI386, Dialect::gnu},
      {"gcc -m64", BRIDGE32_TEST_GCC, {"-m64"}, Abi::sysvX64, Dialect::gnu},
      {"i686-w64-mingw32-gcc", BRIDGE32_TEST_MINGW32_GCC, {}, Abi::win32, Dialect::mingw},
      {"x86_64-w64-mingw32-gcc", BRIDGE32_TEST_MINGW64_GCC, {}, Abi::win64, Dialect::mingw},
  };
  // MSVC's layout as Clang gives it, and Clang's System V one as a second opinion. (Clang's
  // MinGW target is a third layout engine, which agrees with neither in corners: no DLL here
  // is built with it.)
  for (auto [target, abi, dialect] :
       {std::tuple{"i686-pc-windows-msvc", Abi::win32, Dialect::msvc},
        std::tuple{"x86_64-pc-windows-msvc", Abi::win64, Dialect::msvc},
        std::tuple{"i686-linux-gnu", Abi::sysvI386, Dialect::gnu},
        std::tuple{"x86_64-linux-gnu", Abi::sysvX64, Dialect::gnu}}) {
    all.push_back({std::string("clang --target=") + target, BRIDGE32_TEST_CLANG,
                   {std::string("--target=") + target}, abi, dialect});
  }
  return all;
}

std::string symbolOf(size_t record, size_t probe) {
  return "b32_" + std::to_string(record) + (probe == 0 ? "" : "_" + std::to_string(probe));
}

// The records, then the facts: per record an array of sizeof, _Alignof and the offsetof of each
// field that is not a bit-field, and a probe per bit-field, all in one section.
std::string probeText(const std::string& declarations, const std::vector<Generated>& records) {
  std::string text = declarations + "\n#define B32_FACT __attribute__((section(\"b32facts\")))\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const Generated& record = records[i];
    text += "const unsigned long long " + symbolOf(i, 0) + "[] B32_FACT = {sizeof(" +
            record.name + "), _Alignof(" + record.name + ")";
    for (const Access& access : record.accesses) {
      if (!access.isBitField) {
        text += ", __builtin_offsetof(" + record.name + ", " + access.path + ")";
      }
    }
    text += "};\n";
    for (size_t a = 0; a < record.accesses.size(); ++a) {
      if (!record.accesses[a].isBitField) continue;
      text += "const " + record.name + " " + symbolOf(i, a + 1) + " B32_FACT = {." +
              record.accesses[a].path + " = -1};\n";
    }
  }
  return text;
}

// What one compiler made: where each symbol of the facts' section starts (COFF objects give no
// sizes; the test knows them), and the section's bytes.
struct Facts {
  std::map<std::string, uint64_t> symbols;
  std::string section;

  // `count` bytes of `symbol`, or nothing if the object has no such symbol or bytes.
  std::optional<std::string_view> bytes(const std::string& symbol, uint64_t count) const {
    auto found = symbols.find(symbol);
    if (found == symbols.end() || found->second + count > section.size()) return std::nullopt;
    return std::string_view(section).substr(found->second, count);
  }
};

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Facts compile(const Compiler& compiler, const std::string& text,
              const std::filesystem::path& directory, std::string& failure) {
  auto source = directory / "layouts.c";
  auto object = directory / "layouts.o";
  auto section = directory / "layouts.bin";
  std::ofstream(source, std::ios::binary) << text;
  std::vector<std::string> args = compiler.flags;
  for (std::string flag : {"-std=gnu11", "-w", "-c", "-o"}) args.push_back(flag);
  args.push_back(object.string());
  args.push_back(source.string());
  Ran compiled = runProgram(compiler.path, args);
  Facts facts;
  if (compiled.exitCode != 0) {
    failure = compiler.label + " failed: " + compiled.err.substr(0, 4000);
    return facts;
  }
  Ran symbols = runProgram(BRIDGE32_TEST_NM, {"-P", object.string()});
  Ran copied = runProgram(BRIDGE32_TEST_OBJCOPY, {"-O", "binary", "--only-section=b32facts",
                                                  object.string(), section.string()});
  if (symbols.exitCode != 0 || copied.exitCode != 0) {
    failure = "nm or objcopy failed on " + compiler.label + "'s object: " + symbols.err + copied.err;
    return facts;
  }
  facts.section = readFile(section);
  // nm -P: "name type value [size]", values relative to the section in an object file.
  std::istringstream lines(symbols.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name, type, value;
    if (!(fields >> name >> type >> value)) continue;
    if (!name.empty() && name[0] == '_') name.erase(0, 1);  // i686 COFF's underscore
    if (name.rfind("b32_", 0) == 0) facts.symbols[name] = std::stoull(value, nullptr, 16);
  }
  return facts;
}

// ---- What layoutOf says --------------------------------------------------------------------

struct Placed {
  uint64_t offset = 0;
  std::optional<BitRange> bits;
};

// Every field's place by path, as Generator's accesses name them.
void flatten(const Layout& layout, const std::string& prefix, uint64_t base,
             std::map<std::string, Placed>& out) {
  for (const FieldLayout& field : layout.fields) {
    if (field.bits && field.name.empty()) continue;  // unnamed bit-fields have no path
    std::string path = field.name.empty() ? prefix : prefix + field.name;
    if (!field.name.empty()) out[path] = {base + field.offset, field.bits};
    // A nested record's fields (an array's are not named by the accesses).
    if (!field.layout.fields.empty()) {
      flatten(field.layout, field.name.empty() ? prefix : path + ".", base + field.offset, out);
    }
  }
}

// Where the set bits of a probe are: "byte 4, bits 3-7 and on".
std::optional<Placed> bitsOf(std::string_view probe) {
  std::optional<Placed> found;
  uint64_t first = 0, count = 0;
  for (uint64_t bit = 0; bit < probe.size() * 8; ++bit) {
    if (!((uint8_t(probe[bit / 8]) >> (bit % 8)) & 1)) continue;
    if (count == 0) first = bit;
    else if (bit != first + count) return std::nullopt;  // not contiguous: not one field
    ++count;
  }
  if (count == 0) return std::nullopt;
  return Placed{first / 8, BitRange{uint32_t(first % 8), uint32_t(count)}};
}

std::string describe(const std::optional<Placed>& placed) {
  if (!placed) return "(none)";
  std::string text = "offset " + std::to_string(placed->offset);
  if (placed->bits) {
    text += " bit " + std::to_string(placed->bits->offset) + " width " +
            std::to_string(placed->bits->width);
  }
  return text;
}

// The differences between layoutOf and one compiler over every record, one line each.
std::vector<std::string> compare(const Compiler& compiler, const Declarations& ours,
                                 const std::vector<Generated>& records, const Facts& facts) {
  std::vector<std::string> differences;
  for (size_t i = 0; i < records.size(); ++i) {
    const Generated& record = records[i];
    std::string tag = record.name.substr(record.name.find(' ') + 1);
    auto difference = [&](const std::string& what) {
      differences.push_back(record.name + ": " + what + "\n" + record.text);
    };
    Layout layout;
    try {
      layout = layoutOf(*ours.findTag(tag), compiler.abi);
    } catch (const std::exception& error) {
      difference(std::string("layoutOf refused it: ") + error.what());
      continue;
    }
    size_t wholeFields = std::count_if(record.accesses.begin(), record.accesses.end(),
                                       [](const Access& access) { return !access.isBitField; });
    auto numbers = facts.bytes(symbolOf(i, 0), (2 + wholeFields) * 8);
    if (!numbers) {
      difference("no facts in the object");
      continue;
    }
    std::vector<uint64_t> said(2 + wholeFields);
    std::memcpy(said.data(), numbers->data(), numbers->size());
    if (said.at(0) != layout.size || said.at(1) != layout.alignment) {
      difference("size " + std::to_string(layout.size) + " align " +
                 std::to_string(layout.alignment) + ", compiler: size " +
                 std::to_string(said.at(0)) + " align " + std::to_string(said.at(1)));
      continue;
    }
    std::map<std::string, Placed> placed;
    flatten(layout, "", 0, placed);
    size_t next = 2;
    for (size_t a = 0; a < record.accesses.size(); ++a) {
      const Access& access = record.accesses[a];
      std::optional<Placed> expected;
      if (auto found = placed.find(access.path); found != placed.end()) expected = found->second;
      std::optional<Placed> actual;
      if (access.isBitField) {
        if (auto probe = facts.bytes(symbolOf(i, a + 1), said[0])) actual = bitsOf(*probe);
      } else if (next < said.size()) {
        actual = Placed{said[next++], std::nullopt};
      }
      bool same = expected && actual && expected->offset == actual->offset &&
                  expected->bits == actual->bits;
      if (!same) {
        difference("'" + access.path + "' at " + describe(expected) + ", compiler: " +
                   describe(actual));
        break;
      }
    }
  }
  return differences;
}

// ---- The test ------------------------------------------------------------------------------

constexpr int kRecords = 400;

class Layouts : public testing::TestWithParam<Compiler> {};

TEST_P(Layouts, OfGeneratedStructsAreTheCompilers) {
  const Compiler& compiler = GetParam();
  Generator generator(0x62726964676533, compiler.dialect);
  std::vector<Generated> records;
  std::string declarations = generator.prelude();
  for (int i = 0; i < kRecords; ++i) {
    records.push_back(generator.record(i));
    declarations += records.back().text;
  }
  // As a header is read: preprocessed for the ABI (#pragma pack), then parsed.
  PreprocessOptions preprocess;
  preprocess.abi = compiler.abi;
  PreprocessedText text = preprocessHeaderText(declarations, "layouts.h", preprocess);
  ParseOptions parse;
  parse.abi = compiler.abi;
  parse.maxTextBytes = kMaxHeaderTextBytes;
  Declarations ours = parseDeclarations(text.text, parse);

  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(test.begin(), test.end(), '/', '-');
  auto directory = std::filesystem::temp_directory_path() / ("bridge32-" + test);
  std::filesystem::create_directories(directory);
  std::string failure;
  Facts facts = compile(compiler, probeText(declarations, records), directory, failure);
  ASSERT_TRUE(failure.empty()) << failure << "\n(the source is " << (directory / "layouts.c") << ")";

  size_t bitFields = 0;
  for (const Generated& record : records) {
    for (const Access& access : record.accesses) bitFields += access.isBitField;
  }
  // The probes are all there: a compiler that left some out would make this test weaker.
  EXPECT_EQ(facts.symbols.size(), records.size() + bitFields);
  EXPECT_GT(bitFields, size_t(kRecords));

  std::vector<std::string> differences = compare(compiler, ours, records, facts);
  for (size_t i = 0; i < differences.size() && i < 8; ++i) ADD_FAILURE() << differences[i];
  EXPECT_EQ(differences.size(), 0u) << "of " << records.size() << " records (the source is kept: "
                                    << (directory / "layouts.c") << ")";
  if (differences.empty()) std::filesystem::remove_all(directory);
}

INSTANTIATE_TEST_SUITE_P(Compilers, Layouts, testing::ValuesIn(compilers()),
                         [](const testing::TestParamInfo<Compiler>& info) {
                           std::string name;
                           for (char c : info.param.label) {
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace bridge32::library
