// The files `bridge32 wrap LIB --header H` writes for a 32-bit library (issue 29): a 64-bit
// library of the same file name, exporting the functions the headers declare and LIB exports,
// each an entry into bridge32's wrap runtime (host64/wrap), written whole by these functions,
// without a compiler or linker.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace bridge32::tool {

// `value` rounded up to a multiple of `alignment`.
template <typename T>
T alignUp(T value, uint64_t alignment) {
  return T((value + alignment - 1) / alignment * alignment);
}

// The bytes of a file the tool writes (the wrappers), little-endian, written at offsets.
class ImageBytes {
 public:
  void put(uint64_t at, const void* data, size_t size) {
    reserve(at + size);
    std::memcpy(bytes_.data() + at, data, size);
  }
  template <typename T>
  void put(uint64_t at, T value) {
    put(at, &value, sizeof value);
  }
  // At least `size` bytes, zeros where nothing was put.
  void reserve(uint64_t size) {
    if (bytes_.size() < size) bytes_.resize(size);
  }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

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
