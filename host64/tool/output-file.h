// A file the tool writes (a CSV, a WAV), whose every failure is an Error naming it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace bridge32::tool {

// Opened for writing in binary mode on every platform, so that "\n" is LF on Windows too.
// Throws Error(failed) on anything that goes wrong (a full disk, a directory, no permission).
// Not copyable; one thread at a time.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);  // UTF-8
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes);
  // Overwrites `bytes` at `offset` (within what was written: a header's sizes, say), then goes
  // back to the end.
  void rewrite(uint32_t offset, std::string_view bytes);
  // Everything is on the disk, or this throws.
  void close();

  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail();

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace bridge32::tool
