#include "png.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bridge32::test {
namespace {

constexpr std::array<uint8_t, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr uint32_t kMaxDimension = 0x7fffffff;     // PNG's limit for width, height, chunk length
constexpr size_t kMaxStoredBlock = 65535;          // LEN is 16 bits
constexpr size_t kMaxIdatChunk = 65536;            // any size is valid; this keeps chunks small
constexpr uint32_t kAdlerModulus = 65521;
constexpr uint8_t kColourTypeRgb = 2;

// CRC-32 as PNG and zlib define it (reflected polynomial 0xedb88320).
constexpr std::array<uint32_t, 256> kCrcTable = [] {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}();

// A chunk's CRC covers its type and data, not its length.
uint32_t chunkCrc(std::span<const uint8_t> typeAndData) {
  uint32_t crc = 0xffffffffu;
  for (uint8_t byte : typeAndData) crc = kCrcTable[(crc ^ byte) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

uint32_t adler32(std::span<const uint8_t> bytes) {
  uint32_t a = 1, b = 0;
  // 5552 bytes is the most that can be summed before b could overflow 32 bits.
  for (size_t start = 0; start < bytes.size(); start += 5552) {
    size_t end = std::min(bytes.size(), start + 5552);
    for (size_t i = start; i < end; ++i) {
      a += bytes[i];
      b += a;
    }
    a %= kAdlerModulus;
    b %= kAdlerModulus;
  }
  return (b << 16) | a;
}

void appendBigEndian32(std::vector<uint8_t>& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(value >> shift));
}

uint32_t bigEndian32(const uint8_t* bytes) {
  return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
}

uint16_t littleEndian16(const uint8_t* bytes) { return uint16_t(bytes[0] | bytes[1] << 8); }

void appendChunk(std::vector<uint8_t>& png, std::string_view type, std::span<const uint8_t> data) {
  appendBigEndian32(png, uint32_t(data.size()));
  size_t typeStart = png.size();
  png.insert(png.end(), type.begin(), type.end());
  png.insert(png.end(), data.begin(), data.end());
  appendBigEndian32(png, chunkCrc(std::span(png).subspan(typeStart)));
}

std::string hex32(uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", unsigned(value));
  return text;
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw std::runtime_error("PNG file " + path.string() + ": " + problem);
}

// Undoes the zlib wrapper and the deflate blocks, which must all be stored (type 0) blocks.
// Stops with an error as soon as the output would exceed `expectedSize`, so a forged IHDR
// cannot make this allocate more than the file holds.
std::vector<uint8_t> inflateStored(const std::filesystem::path& path,
                                   std::span<const uint8_t> zlib, uint64_t expectedSize) {
  if (zlib.size() < 2) fail(path, "zlib stream too short for its header");
  uint8_t cmf = zlib[0], flg = zlib[1];
  if ((cmf & 0x0f) != 8) {
    fail(path, "zlib compression method " + std::to_string(cmf & 0x0f) + ", expected 8 (deflate)");
  }
  if ((cmf >> 4) > 7) fail(path, "zlib window size field " + std::to_string(cmf >> 4) + " is > 7");
  if ((cmf << 8 | flg) % 31 != 0) fail(path, "zlib header check bits are wrong");
  if (flg & 0x20) fail(path, "zlib preset dictionary is not supported");

  std::vector<uint8_t> raw;
  raw.reserve(size_t(std::min<uint64_t>(expectedSize, zlib.size())));
  size_t pos = 2;
  for (bool final = false; !final;) {
    if (pos >= zlib.size()) fail(path, "zlib stream ends before the final deflate block");
    // A stored block's 3 header bits are followed by padding to the next byte, and every stored
    // block ends on a byte boundary, so each header is exactly one byte here.
    uint8_t header = zlib[pos++];
    final = header & 1;
    int type = (header >> 1) & 3;
    if (type != 0) {
      fail(path, "deflate block type " + std::to_string(type) + " at zlib offset " +
                     std::to_string(pos - 1) + "; only stored (type 0) blocks are supported");
    }
    if (zlib.size() - pos < 4) fail(path, "stored deflate block header is truncated");
    uint16_t length = littleEndian16(&zlib[pos]);
    uint16_t lengthComplement = littleEndian16(&zlib[pos + 2]);
    pos += 4;
    if (uint16_t(~length) != lengthComplement) {
      fail(path, "stored deflate block at zlib offset " + std::to_string(pos - 5) +
                     " has LEN and NLEN that do not match");
    }
    if (zlib.size() - pos < length) fail(path, "stored deflate block is truncated");
    if (raw.size() + length > expectedSize) {
      fail(path, "image data is longer than the " + std::to_string(expectedSize) +
                     " bytes the IHDR dimensions call for");
    }
    raw.insert(raw.end(), zlib.begin() + pos, zlib.begin() + pos + length);
    pos += length;
  }
  if (zlib.size() - pos < 4) fail(path, "zlib stream has no Adler-32 checksum");
  uint32_t stored = bigEndian32(&zlib[pos]);
  uint32_t computed = adler32(raw);
  if (stored != computed) {
    fail(path, "Adler-32 mismatch: stored " + hex32(stored) + ", computed " + hex32(computed));
  }
  if (zlib.size() - pos > 4) {
    fail(path, std::to_string(zlib.size() - pos - 4) + " bytes after the end of the zlib stream");
  }
  return raw;
}

}  // namespace

void writePng(const std::filesystem::path& path, uint32_t width, uint32_t height,
              std::span<const uint8_t> rgb) {
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension) {
    throw std::invalid_argument("PNG dimensions " + std::to_string(width) + "x" +
                                std::to_string(height) + " are not 1 to 2^31-1 pixels each");
  }
  uint64_t rowBytes = uint64_t(width) * 3;
  if (rgb.size() != rowBytes * height) {
    throw std::invalid_argument("PNG pixel buffer has " + std::to_string(rgb.size()) +
                                " bytes; " + std::to_string(width) + "x" + std::to_string(height) +
                                " RGB needs " + std::to_string(rowBytes * height));
  }

  // Each row is its filter type byte (0, none) followed by the pixels.
  std::vector<uint8_t> raw;
  raw.reserve(size_t((rowBytes + 1) * height));
  for (uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    auto row = rgb.subspan(size_t(y * rowBytes), size_t(rowBytes));
    raw.insert(raw.end(), row.begin(), row.end());
  }

  // zlib: CMF 0x78 (deflate, 32K window), FLG 0x01 (makes CMF*256+FLG a multiple of 31), then
  // stored blocks, then the Adler-32 of the uncompressed data.
  std::vector<uint8_t> zlib = {0x78, 0x01};
  zlib.reserve(raw.size() + raw.size() / kMaxStoredBlock * 5 + 16);
  for (size_t start = 0; start < raw.size(); start += kMaxStoredBlock) {
    size_t length = std::min(kMaxStoredBlock, raw.size() - start);
    bool final = start + length == raw.size();
    zlib.push_back(final ? 1 : 0);  // BFINAL, BTYPE 00
    zlib.push_back(uint8_t(length));
    zlib.push_back(uint8_t(length >> 8));
    zlib.push_back(uint8_t(~length));
    zlib.push_back(uint8_t(~length >> 8));
    zlib.insert(zlib.end(), raw.begin() + start, raw.begin() + start + length);
  }
  appendBigEndian32(zlib, adler32(raw));

  std::vector<uint8_t> png(kSignature.begin(), kSignature.end());
  std::vector<uint8_t> header;
  appendBigEndian32(header, width);
  appendBigEndian32(header, height);
  // Bit depth 8, RGB, compression 0 (deflate), filter method 0, not interlaced.
  header.insert(header.end(), {8, kColourTypeRgb, 0, 0, 0});
  appendChunk(png, "IHDR", header);
  for (size_t start = 0; start < zlib.size(); start += kMaxIdatChunk) {
    size_t length = std::min(kMaxIdatChunk, zlib.size() - start);
    appendChunk(png, "IDAT", std::span(zlib).subspan(start, length));
  }
  appendChunk(png, "IEND", {});

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot create PNG file " + path.string());
  out.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write PNG file " + path.string());
}

std::vector<uint8_t> readPngRgb(const std::filesystem::path& path, uint32_t& width,
                                uint32_t& height) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open PNG file " + path.string());
  std::vector<uint8_t> file(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) throw std::runtime_error("cannot read PNG file " + path.string());

  if (file.size() < kSignature.size() ||
      !std::equal(kSignature.begin(), kSignature.end(), file.begin())) {
    fail(path, "no PNG signature");
  }

  bool sawHeader = false, sawEnd = false;
  std::string previousType;
  std::vector<uint8_t> zlib;
  uint32_t imageWidth = 0, imageHeight = 0;
  size_t pos = kSignature.size();
  while (!sawEnd) {
    if (file.size() - pos < 12) fail(path, "file ends without an IEND chunk");
    size_t chunkStart = pos;
    uint32_t length = bigEndian32(&file[pos]);
    std::string type(file.begin() + pos + 4, file.begin() + pos + 8);
    for (char c : type) {
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        fail(path, "bad chunk type at offset " + std::to_string(chunkStart));
      }
    }
    if (length > kMaxDimension || file.size() - pos - 12 < length) {
      fail(path, type + " chunk at offset " + std::to_string(chunkStart) + " is truncated");
    }
    auto typeAndData = std::span(file).subspan(pos + 4, 4 + size_t(length));
    auto data = typeAndData.subspan(4);
    uint32_t stored = bigEndian32(&file[pos + 8 + length]);
    uint32_t computed = chunkCrc(typeAndData);
    if (stored != computed) {
      fail(path, "CRC mismatch in " + type + " chunk at offset " + std::to_string(chunkStart) +
                     ": stored " + hex32(stored) + ", computed " + hex32(computed));
    }
    pos += 12 + size_t(length);

    if (!sawHeader) {
      if (type != "IHDR") fail(path, "first chunk is " + type + ", expected IHDR");
      if (length != 13) fail(path, "IHDR has " + std::to_string(length) + " bytes, expected 13");
      imageWidth = bigEndian32(&data[0]);
      imageHeight = bigEndian32(&data[4]);
      if (imageWidth == 0 || imageHeight == 0 || imageWidth > kMaxDimension ||
          imageHeight > kMaxDimension) {
        fail(path, "bad dimensions " + std::to_string(imageWidth) + "x" +
                       std::to_string(imageHeight));
      }
      if (data[8] != 8) {
        fail(path, "bit depth " + std::to_string(data[8]) + ", only 8 is supported");
      }
      if (data[9] != kColourTypeRgb) {
        fail(path, "colour type " + std::to_string(data[9]) + ", only 2 (RGB) is supported");
      }
      if (data[10] != 0) {
        fail(path, "compression method " + std::to_string(data[10]) + ", expected 0");
      }
      if (data[11] != 0) {
        fail(path, "filter method " + std::to_string(data[11]) + ", expected 0");
      }
      if (data[12] != 0) fail(path, "interlaced images are not supported");
      sawHeader = true;
    } else if (type == "IHDR") {
      fail(path, "second IHDR chunk at offset " + std::to_string(chunkStart));
    } else if (type == "IDAT") {
      if (!zlib.empty() && previousType != "IDAT") fail(path, "IDAT chunks are not consecutive");
      zlib.insert(zlib.end(), data.begin(), data.end());
    } else if (type == "IEND") {
      if (length != 0) fail(path, "IEND chunk is not empty");
      sawEnd = true;
    } else if (!(type[0] & 0x20)) {
      // A lowercase first letter marks an ancillary chunk, which a decoder may skip; an unknown
      // critical chunk (PLTE included) could change how the pixels read, so it is refused.
      fail(path, "unsupported critical chunk " + type);
    }
    previousType = type;
  }
  if (pos != file.size()) fail(path, std::to_string(file.size() - pos) + " bytes after IEND");
  if (zlib.empty()) fail(path, "no IDAT chunk");

  uint64_t rowBytes = uint64_t(imageWidth) * 3;
  uint64_t expectedSize = (rowBytes + 1) * imageHeight;
  std::vector<uint8_t> raw = inflateStored(path, zlib, expectedSize);
  if (raw.size() != expectedSize) {
    fail(path, "image data has " + std::to_string(raw.size()) + " bytes, " +
                   std::to_string(imageWidth) + "x" + std::to_string(imageHeight) + " RGB needs " +
                   std::to_string(expectedSize));
  }

  std::vector<uint8_t> rgb;
  rgb.reserve(size_t(rowBytes * imageHeight));
  for (uint32_t y = 0; y < imageHeight; ++y) {
    size_t rowStart = size_t(y * (rowBytes + 1));
    if (raw[rowStart] != 0) {
      fail(path, "row " + std::to_string(y) + " uses filter type " +
                     std::to_string(raw[rowStart]) + ", only 0 (none) is supported");
    }
    rgb.insert(rgb.end(), raw.begin() + rowStart + 1, raw.begin() + rowStart + 1 + rowBytes);
  }
  width = imageWidth;
  height = imageHeight;
  return rgb;
}

}  // namespace bridge32::test
