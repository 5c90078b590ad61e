// A minimal PNG writer and reader so tests can save screenshots without an image library.
// Only 8-bit RGB, no interlacing, filter type 0 on every row, and zlib "stored" (uncompressed)
// deflate blocks: the files are larger than they need be, but any viewer opens them and the
// code has nothing to depend on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bridge32::test {

// Writes `rgb` (width * height pixels of 3 bytes, rows top to bottom) as a PNG file.
// Throws std::invalid_argument if a dimension is zero or rgb.size() != width * height * 3,
// std::runtime_error naming `path` if the file cannot be written. Any thread.
void writePng(const std::filesystem::path& path, uint32_t width, uint32_t height,
              std::span<const uint8_t> rgb);

// Reads back a PNG file as writePng writes it and returns its pixels in the same layout.
// Checks the signature, the IHDR, every chunk's CRC-32 and the zlib stream's Adler-32; throws
// std::runtime_error naming `path` and the problem for anything else (compressed deflate
// blocks, other colour types or bit depths, interlacing, row filters other than 0). Any thread.
std::vector<uint8_t> readPngRgb(const std::filesystem::path& path, uint32_t& width,
                                uint32_t& height);

}  // namespace bridge32::test
