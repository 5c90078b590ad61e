// libFuzzer target: a module file as bridge32 reads it without loading it, for `bridge32 doctor`,
// `bridge32 exports` and load errors: its header, its dependencies (PE import and delay-load
// tables, ELF dynamic section) and its exports. Whatever the bytes, each reader answers or
// throws an Error naming the file, never a crash, hang, read past the end or undefined behaviour
// (ASan and UBSan).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "bridge32/error.h"
#include "module-dependencies.h"
#include "module-exports.h"
#include "module-file.h"

namespace {

using namespace bridge32;

// The readers take a path, as the loader does: each input becomes this process's own file.
const std::filesystem::path& scratchFile() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("bridge32-fuzz-module-" + std::to_string(getpid()) + ".bin");
  return path;
}

template <typename Read>
void expectAnswerOrError(Read read) {
  try {
    read();
  } catch (const Error& error) {
    if (error.message().find(scratchFile().string()) == std::string::npos) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& path = scratchFile();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), std::streamsize(size));
  expectAnswerOrError([&] { readModuleFile(path, "module"); });
  expectAnswerOrError([&] { readDependencies(path); });
  expectAnswerOrError([&] { listExports(path); });
  importedDlls(path);
  return 0;
}
