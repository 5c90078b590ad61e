// The files `bridge32 wrap LIB --header H` writes for a 32-bit library (issue 29): a 64-bit
// library of the same file name, exporting the functions the headers declare and LIB exports,
// each an entry into bridge32's wrap runtime (host64/wrap), written whole by these functions,
// without a compiler or linker.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bridge32::tool {

struct WrapperImage {
  std::string soname;   // the wrapped library's file name: "libz.so.1", "zlib1.dll"
  std::string runtime;  // the wrap runtime it needs: "libbridge32-wrap.so", "bridge32-wrap.dll"
  std::vector<std::string> exports;  // entry i exports function i
  // The symbol version of each export, as the wrapped library gives it ("ZLIB_1.2.0"; empty
  // for none): programs linked against a library's other build ask for them.
  std::vector<std::string> versions;
};

// An x86-64 ELF shared object (wrap-elf.c++).
std::vector<uint8_t> writeElfWrapper(const WrapperImage& wrapper);
// An x64 DLL (wrap-pe.c++); `versions` unused.
std::vector<uint8_t> writePeWrapper(const WrapperImage& wrapper);
// The import library of an x64 DLL named `dllName` exporting `exports` (import-library.c++): one
// file for Microsoft's linkers (NAME.lib) and MinGW's (libNAME.dll.a).
std::vector<uint8_t> writeImportLibrary(const std::string& dllName,
                                        const std::vector<std::string>& exports);

}  // namespace bridge32::tool
