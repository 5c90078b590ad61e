// writePng and readPngRgb agree with each other, keep every pixel, and readPngRgb notices damage.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "png.h"

namespace bridge32 {
namespace {

// A file name under the temporary directory that no other test run uses, removed on destruction
// so a failed assertion does not leave it behind.
class TemporaryPng {
 public:
  TemporaryPng() {
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%016llx",
                  static_cast<unsigned long long>(std::random_device()()) << 32 |
                      std::random_device()());
    path_ = std::filesystem::temp_directory_path() /
            ("bridge32-png-test-" + std::string(suffix) + ".png");
  }
  TemporaryPng(const TemporaryPng&) = delete;
  TemporaryPng& operator=(const TemporaryPng&) = delete;
  ~TemporaryPng() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::vector<uint8_t> gradient(uint32_t width, uint32_t height) {
  std::vector<uint8_t> rgb;
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      rgb.push_back(uint8_t(x * 255 / (width - 1)));
      rgb.push_back(uint8_t(y * 255 / (height - 1)));
      rgb.push_back(uint8_t(x * 7 + y * 13));
    }
  }
  return rgb;
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST(Png, SmallGradientRoundTrips) {
  TemporaryPng file;
  std::vector<uint8_t> written = gradient(37, 5);
  test::writePng(file.path(), 37, 5, written);

  uint32_t width = 0, height = 0;
  std::vector<uint8_t> read = test::readPngRgb(file.path(), width, height);
  EXPECT_EQ(width, 37u);
  EXPECT_EQ(height, 5u);
  EXPECT_EQ(read, written);

  // Stored blocks mean no compression: signature 8, IHDR 12 + 13, IDAT 12 + zlib (header 2,
  // one block header 5, rows 5 * (1 + 37 * 3), Adler-32 4), IEND 12.
  EXPECT_EQ(std::filesystem::file_size(file.path()), 8u + 25 + 12 + (2 + 5 + 5 * 112 + 4) + 12);
}

TEST(Png, ImageNeedingSeveralStoredBlocksRoundTrips) {
  // 300 rows of 1 + 900 bytes is 270300 bytes of image data: five stored blocks of at most 65535.
  std::vector<uint8_t> written(300 * 300 * 3);
  std::minstd_rand random(12345);
  std::generate(written.begin(), written.end(), [&] { return uint8_t(random() >> 8); });
  TemporaryPng file;
  test::writePng(file.path(), 300, 300, written);

  uint32_t width = 0, height = 0;
  std::vector<uint8_t> read = test::readPngRgb(file.path(), width, height);
  EXPECT_EQ(width, 300u);
  EXPECT_EQ(height, 300u);
  ASSERT_EQ(read.size(), written.size());
  EXPECT_TRUE(read == written) << "pixels differ from byte "
                               << std::mismatch(read.begin(), read.end(), written.begin()).first -
                                      read.begin();
}

TEST(Png, CorruptedImageDataFailsTheCrcCheck) {
  TemporaryPng file;
  test::writePng(file.path(), 37, 5, gradient(37, 5));
  std::vector<uint8_t> bytes = readFile(file.path());
  std::string_view idat = "IDAT";
  auto chunkType = std::search(bytes.begin(), bytes.end(), idat.begin(), idat.end());
  ASSERT_NE(chunkType, bytes.end());
  chunkType[4 + 100] ^= 0x40;  // a pixel byte well inside the chunk's data
  std::ofstream(file.path(), std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));

  uint32_t width = 0, height = 0;
  try {
    test::readPngRgb(file.path(), width, height);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("CRC mismatch in IDAT chunk"), std::string::npos) << message;
    EXPECT_NE(message.find(file.path().filename().string()), std::string::npos) << message;
  }
}

TEST(Png, WrongSizeBufferIsRefused) {
  TemporaryPng file;
  std::vector<uint8_t> oneByteShort(4 * 4 * 3 - 1);
  EXPECT_THROW(test::writePng(file.path(), 4, 4, oneByteShort), std::invalid_argument);
  std::vector<uint8_t> none;
  EXPECT_THROW(test::writePng(file.path(), 0, 4, none), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(file.path()));
}

TEST(Png, UnwritablePathIsNamed) {
  auto path = std::filesystem::temp_directory_path() / "bridge32-no-such-directory" / "x.png";
  try {
    test::writePng(path, 2, 2, gradient(2, 2));
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("bridge32-no-such-directory"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace bridge32
