// The 64-bit DLL (PE32+) `bridge32 wrap LIB --header H` writes for a 32-bit DLL (wrap-files.h):
// written whole by this code, no compiler or linker on the user's machine.
//
// It holds nothing but names and 32-byte entries. Entry i, exported under the name of function
// i, is
//     mov  r11d, i                     ; which function
//     lea  r10, [rip + block]          ; this wrapper's data block
//     jmp  [rip + iat]                 ; b32w_enter, in bridge32-wrap.dll
// with the program's arguments untouched in their registers, its home area and its stack.
// b32w_enter (host64/wrap) jumps to the function's closure, made at its first call from the file
// beside the wrapper. An entry touches neither the stack nor a register the program keeps, so as
// a leaf it needs no unwind data (.pdata): the unwinder finds the program's return address at
// the top of the stack.
//
// Sections: .text (the entries), .rdata (the export directory), .data (the import of b32w_enter
// and the data block), .reloc. Every address in the image is relative to it (RIP-relative code,
// RVAs in the directories), so it has no fixups; its relocation directory holds one block of
// padding only, which keeps it relocatable (ASLR) under every loader.
#include "wrap-files.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "bridge32/error.h"

namespace bridge32::tool {

namespace {

constexpr uint32_t kFileAlignment = 0x200;
constexpr uint32_t kSectionAlignment = 0x1000;
constexpr uint32_t kEntryBytes = 32;
constexpr uint64_t kImageBase = 0x180000000;  // where 64-bit DLLs prefer to be; any will do
constexpr uint32_t kHeaderBytes = 0x200;

// One section's bytes as they are built, addressed by RVA.
class Section {
 public:
  Section(const char* name, uint32_t rva, uint32_t characteristics)
      : name_(name), rva_(rva), characteristics_(characteristics) {}

  uint32_t rva() const { return rva_; }
  uint32_t here() const { return rva_ + uint32_t(bytes_.size()); }
  // The RVA of `size` bytes appended, aligned to `alignment`.
  uint32_t appendBytes(const void* data, size_t size, uint32_t alignment = 1) {
    bytes_.resize(alignUp(uint32_t(bytes_.size()), alignment));
    uint32_t at = here();
    bytes_.insert(bytes_.end(), static_cast<const uint8_t*>(data),
                  static_cast<const uint8_t*>(data) + size);
    return at;
  }
  template <typename T>
  uint32_t append(T value, uint32_t alignment = alignof(T)) {
    return appendBytes(&value, sizeof value, alignment);
  }
  uint32_t appendString(const std::string& text) {
    return appendBytes(text.c_str(), text.size() + 1);
  }
  uint32_t appendZeros(size_t size, uint32_t alignment) {
    return appendBytes(std::vector<uint8_t>(size).data(), size, alignment);
  }
  void patch(uint32_t rva, const void* data, size_t size) {
    std::memcpy(bytes_.data() + (rva - rva_), data, size);
  }
  template <typename T>
  void patch(uint32_t rva, T value) {
    patch(rva, &value, sizeof value);
  }

  const char* name() const { return name_; }
  uint32_t characteristics() const { return characteristics_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  uint32_t virtualEnd() const { return alignUp(here(), kSectionAlignment); }

 private:
  const char* name_;
  uint32_t rva_;
  uint32_t characteristics_;
  std::vector<uint8_t> bytes_;
};

constexpr uint32_t kCode = 0x00000020, kInitializedData = 0x00000040, kDiscardable = 0x02000000,
                   kExecute = 0x20000000, kRead = 0x40000000, kWrite = 0x80000000;

enum Directory { kExport = 0, kImport = 1, kBaseRelocation = 5, kImportAddressTable = 12 };

}  // namespace

std::vector<uint8_t> writePeWrapper(const WrapperImage& wrapper) {
  const size_t count = wrapper.exports.size();
  if (count == 0) throw Error(Error::Kind::invalidArgument, "a wrapper of no functions");
  // Far below what an export table allows (65,535 ordinals); a header declares fewer.
  if (count > 60000) {
    throw Error(Error::Kind::invalidArgument,
                std::to_string(count) + " functions, more than a DLL can export (60,000)");
  }

  // .text: the entries, their displacements filled in once the data's place is known.
  Section text(".text", kSectionAlignment, kCode | kExecute | kRead);
  text.appendZeros(count * kEntryBytes, 16);
  Section rdata(".rdata", text.virtualEnd(), kInitializedData | kRead);

  // .rdata: the export directory, its three tables (names sorted, as the loader's binary search
  // wants them), the DLL's name and the functions' names.
  const uint32_t exportDirectory = rdata.appendZeros(40, 4);
  const uint32_t functions = rdata.appendZeros(4 * count, 4);
  const uint32_t names = rdata.appendZeros(4 * count, 4);
  const uint32_t ordinals = rdata.appendZeros(2 * count, 2);
  const uint32_t dllName = rdata.appendString(wrapper.soname);
  std::vector<size_t> sorted(count);
  std::iota(sorted.begin(), sorted.end(), size_t(0));
  std::sort(sorted.begin(), sorted.end(),
            [&](size_t a, size_t b) { return wrapper.exports[a] < wrapper.exports[b]; });
  for (size_t i = 0; i < count; ++i) {
    rdata.patch(functions + 4 * uint32_t(i), uint32_t(text.rva() + i * kEntryBytes));
    rdata.patch(names + 4 * uint32_t(i), rdata.appendString(wrapper.exports[sorted[i]]));
    rdata.patch(ordinals + 2 * uint32_t(i), uint16_t(sorted[i]));
  }
  rdata.patch(exportDirectory + 12, dllName);                 // Name
  rdata.patch(exportDirectory + 16, uint32_t(1));             // Base (the first ordinal)
  rdata.patch(exportDirectory + 20, uint32_t(count));         // NumberOfFunctions
  rdata.patch(exportDirectory + 24, uint32_t(count));         // NumberOfNames
  rdata.patch(exportDirectory + 28, functions);               // AddressOfFunctions
  rdata.patch(exportDirectory + 32, names);                   // AddressOfNames
  rdata.patch(exportDirectory + 36, ordinals);                // AddressOfNameOrdinals
  const uint32_t exportBytes = rdata.here() - exportDirectory;

  // .data: one import (b32w_enter from the runtime), then the data block the entries point at.
  Section data(".data", rdata.virtualEnd(), kInitializedData | kRead | kWrite);
  const uint32_t importDirectory = data.appendZeros(2 * 20, 4);  // one descriptor, then none
  const uint32_t lookupTable = data.appendZeros(2 * 8, 8);
  const uint32_t addressTable = data.appendZeros(2 * 8, 8);
  const uint32_t hintName = data.append(uint16_t(0), 2);
  data.appendString("b32w_enter");
  const uint32_t runtimeName = data.appendString(wrapper.runtime);
  data.patch(lookupTable, uint64_t(hintName));
  data.patch(addressTable, uint64_t(hintName));  // the loader writes b32w_enter's address here
  data.patch(importDirectory + 0, lookupTable);   // OriginalFirstThunk
  data.patch(importDirectory + 12, runtimeName);  // Name
  data.patch(importDirectory + 16, addressTable);  // FirstThunk
  // The block: the wrapped library, then each function's closure, all made at the first call.
  const uint32_t block = data.appendZeros(8 * (count + 1), 16);

  // .reloc: no fixups, one block of two padding entries.
  Section reloc(".reloc", data.virtualEnd(), kInitializedData | kDiscardable | kRead);
  const uint32_t relocations = reloc.append(uint32_t(text.rva()));
  reloc.append(uint32_t(12));  // SizeOfBlock
  reloc.append(uint32_t(0));   // two IMAGE_REL_BASED_ABSOLUTE entries: nothing to fix

  for (size_t i = 0; i < count; ++i) {
    const uint32_t entry = text.rva() + uint32_t(i) * kEntryBytes;
    uint8_t code[kEntryBytes];
    std::memset(code, 0xCC, sizeof code);  // int3 after the jump
    const uint8_t movR11d[] = {0x41, 0xBB}, leaR10[] = {0x4C, 0x8D, 0x15}, jmpRip[] = {0xFF, 0x25};
    const uint32_t index = uint32_t(i);
    const int32_t toBlock = int32_t(block - (entry + 13));
    const int32_t toSlot = int32_t(addressTable - (entry + 19));
    std::memcpy(code + 0, movR11d, 2);
    std::memcpy(code + 2, &index, 4);
    std::memcpy(code + 6, leaR10, 3);
    std::memcpy(code + 9, &toBlock, 4);
    std::memcpy(code + 13, jmpRip, 2);
    std::memcpy(code + 15, &toSlot, 4);
    text.patch(entry, code, sizeof code);
  }

  const Section* sections[] = {&text, &rdata, &data, &reloc};
  constexpr uint16_t kSections = 4;
  ImageBytes file;
  // DOS header: the signature and where the PE header is; no DOS program.
  file.put(0, uint16_t(0x5A4D));  // "MZ"
  file.put(0x3C, uint32_t(0x40));
  file.put(0x40, uint32_t(0x00004550));  // "PE\0\0"
  // COFF header.
  const size_t coff = 0x44;
  file.put(coff + 0, uint16_t(0x8664));  // x86-64
  file.put(coff + 2, kSections);
  file.put(coff + 16, uint16_t(240));  // SizeOfOptionalHeader
  file.put(coff + 18, uint16_t(0x2000 | 0x0020 | 0x0002));  // DLL, large addresses, executable
  // Optional header (PE32+).
  const size_t optional = coff + 20;
  uint32_t initializedData = 0;
  for (const Section* section : {&rdata, &data, &reloc}) {
    initializedData += alignUp(uint32_t(section->bytes().size()), kFileAlignment);
  }
  file.put(optional + 0, uint16_t(0x20B));
  file.put(optional + 2, uint8_t(1));  // linker version: 1.0, bridge32's writer
  file.put(optional + 4, alignUp(uint32_t(text.bytes().size()), kFileAlignment));  // SizeOfCode
  file.put(optional + 8, initializedData);
  file.put(optional + 16, uint32_t(0));  // AddressOfEntryPoint: no DllMain
  file.put(optional + 20, text.rva());   // BaseOfCode
  file.put(optional + 24, kImageBase);
  file.put(optional + 32, kSectionAlignment);
  file.put(optional + 36, kFileAlignment);
  file.put(optional + 40, uint16_t(6));  // operating system 6.0 (Vista), as the runtime needs
  file.put(optional + 48, uint16_t(6));  // subsystem 6.0
  file.put(optional + 56, reloc.virtualEnd());  // SizeOfImage
  file.put(optional + 60, kHeaderBytes);
  file.put(optional + 68, uint16_t(2));  // Windows GUI, as DLLs are
  file.put(optional + 70, uint16_t(0x0020 | 0x0040 | 0x0100));  // high-entropy ASLR, ASLR, NX
  file.put(optional + 72, uint64_t(0x100000));  // stack reserve, commit; heap reserve, commit
  file.put(optional + 80, uint64_t(0x1000));
  file.put(optional + 88, uint64_t(0x100000));
  file.put(optional + 96, uint64_t(0x1000));
  file.put(optional + 108, uint32_t(16));  // NumberOfRvaAndSizes
  const auto directory = [&](Directory which, uint32_t rva, uint32_t size) {
    file.put(optional + 112 + 8 * which, rva);
    file.put(optional + 116 + 8 * which, size);
  };
  directory(kExport, exportDirectory, exportBytes);
  directory(kImport, importDirectory, 2 * 20);
  directory(kBaseRelocation, relocations, 12);
  directory(kImportAddressTable, addressTable, 2 * 8);
  // Section table, then each section's bytes at the next file-aligned offset.
  size_t header = optional + 240;
  uint32_t offset = kHeaderBytes;
  for (const Section* section : sections) {
    char name[8] = {};
    std::memcpy(name, section->name(), std::strlen(section->name()));
    const auto size = uint32_t(section->bytes().size());
    const uint32_t rawSize = alignUp(size, kFileAlignment);
    file.put(header + 0, name, 8);
    file.put(header + 8, size);  // VirtualSize
    file.put(header + 12, section->rva());
    file.put(header + 16, rawSize);
    file.put(header + 20, offset);
    file.put(header + 36, section->characteristics());
    file.put(offset, section->bytes().data(), size);
    header += 40;
    offset += rawSize;
  }
  file.reserve(offset);
  return file.take();
}

}  // namespace bridge32::tool
