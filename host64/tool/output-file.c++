#include "output-file.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "bridge32/error.h"
#include "bridge32/types.h"

namespace bridge32::tool {

OutputFile::OutputFile(const std::string& path) : path_(path) {
  errno = 0;
#if _WIN32
  file_ = _wfopen(pathFromUtf8(path).wstring().c_str(), L"wb");
#else
  file_ = std::fopen(path.c_str(), "wb");
#endif
  if (!file_) fail();
}

OutputFile::~OutputFile() {
  if (file_) std::fclose(file_);
}

void OutputFile::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail();
}

void OutputFile::rewrite(uint32_t offset, std::string_view bytes) {
  if (std::fseek(file_, long(offset), SEEK_SET) != 0) fail();
  write(bytes);
  if (std::fseek(file_, 0, SEEK_END) != 0) fail();
}

void OutputFile::close() {
  std::FILE* file = std::exchange(file_, nullptr);
  bool flushed = std::fflush(file) == 0 && !std::ferror(file);
  int cause = errno;
  if (std::fclose(file) != 0 || !flushed) {
    errno = flushed ? errno : cause;
    fail();
  }
}

void OutputFile::fail() {
  int cause = errno;
  throw Error(Error::Kind::failed, "cannot write '" + path_ + "': " +
                                       (cause ? std::strerror(cause) : "the write failed"));
}

}  // namespace bridge32::tool
