// What a module file exports, read from its PE export directory or ELF dynamic symbol table
// without loading it: for `bridge32 exports LIB` and for "no export 'x'; closest: ..." errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bridge32 {

struct Export {
  // As the loader matches it (GetProcAddress, dlsym): "std_sub@8" for a PE32 stdcall function
  // is exported under that name. Empty for a PE export by ordinal only.
  std::string name;
  std::optional<uint32_t> ordinal;  // PE: the export directory's base + index; ELF: none
  std::string forwarder;            // PE: "OTHER.Func" or "OTHER.#12" the loader resolves it to
  // Code rather than data. PE: its address is in an executable section (a forwarder counts as
  // a function: the module it names is not read); ELF: STT_FUNC or STT_GNU_IFUNC.
  bool isFunction = false;
  std::string demangled;  // an Itanium C++ name ("_Z3addii") demangled ("add(int, int)"), or empty
  std::string version;    // ELF symbol version ("GLIBC_2.14"), or empty
};

// [any-thread] The exports of the PE (PE32, PE32+) or ELF (32, 64-bit) file `path`: a PE's named
// exports in the order of its name table (sorted by name), then those by ordinal only; an ELF
// file's defined global and weak functions, objects and thread-local variables in .dynsym, in
// its order (the same name may appear once per version). An ELF file's symbols are read through
// its section table: a file without one (a loader does not need it) is `unsupported`.
// Every offset, size and count is checked against the file, which may be hostile. Throws Error:
// notFound, failed or badModule as inspectModuleFile does, and badModule naming the file and the
// damage when its export table is cut off, points outside the file or has absurd counts.
std::vector<Export> listExports(const std::filesystem::path& path);

// [any-thread] At most `max` names in `exports` close to `wanted`, the closest first, for
// suggestions when `wanted` is not found: compared without regard to case, by edit distance to
// the whole name or to its beginning ("compres" finds compress, compress2, compressBound), and a
// PE32 stdcall or fastcall name without its decoration ("_Name@8", "@Name@8" as "Name"). Names
// too far from `wanted` to be what was meant are left out, so the result may be empty.
std::vector<std::string> closestExports(const std::vector<Export>& exports, std::string_view wanted,
                                        size_t max = 3);

}  // namespace bridge32
