#if _WIN32
#include "screenshot.h"

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN 1
#endif
#ifndef NOMINMAX
#define NOMINMAX 1
#endif
#include <windows.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "png.h"

namespace bridge32::test {
namespace {

// GDI calls often leave GetLastError() at 0; the call's name is what tells the reader most.
[[noreturn]] void throwFailed(const char* call) {
  DWORD code = GetLastError();
  throw std::runtime_error(std::string("screenshot: ") + call + " failed (GetLastError " +
                           std::to_string(code) + ")");
}

struct ReleaseScreenDc {
  void operator()(HDC dc) const { ReleaseDC(nullptr, dc); }
};
struct DeleteDc {
  void operator()(HDC dc) const { DeleteDC(dc); }
};
struct DeleteBitmap {
  void operator()(HBITMAP bitmap) const { DeleteObject(bitmap); }
};
using ScreenDc = std::unique_ptr<std::remove_pointer_t<HDC>, ReleaseScreenDc>;
using MemoryDc = std::unique_ptr<std::remove_pointer_t<HDC>, DeleteDc>;
using Bitmap = std::unique_ptr<std::remove_pointer_t<HBITMAP>, DeleteBitmap>;

// Keeps `bitmap` selected into `dc` for its lifetime. GetDIBits needs the bitmap deselected,
// and DeleteObject does not free a bitmap that is still selected.
class BitmapSelection {
 public:
  BitmapSelection(HDC dc, HBITMAP bitmap) : dc_(dc), previous_(SelectObject(dc, bitmap)) {
    if (previous_ == nullptr || previous_ == HGDI_ERROR) throwFailed("SelectObject");
  }
  BitmapSelection(const BitmapSelection&) = delete;
  BitmapSelection& operator=(const BitmapSelection&) = delete;
  ~BitmapSelection() { SelectObject(dc_, previous_); }

 private:
  HDC dc_;
  HGDIOBJ previous_;
};

}  // namespace

void saveWindowScreenshot(void* hwnd, const std::filesystem::path& png) {
  RECT rect;
  if (!GetWindowRect(static_cast<HWND>(hwnd), &rect)) throwFailed("GetWindowRect");
  int width = rect.right - rect.left;
  int height = rect.bottom - rect.top;
  if (width <= 0 || height <= 0) {
    throw std::runtime_error("screenshot: window rectangle is empty (" + std::to_string(width) +
                             "x" + std::to_string(height) + ")");
  }

  ScreenDc screen(GetDC(nullptr));
  if (!screen) throwFailed("GetDC");
  MemoryDc memory(CreateCompatibleDC(screen.get()));
  if (!memory) throwFailed("CreateCompatibleDC");
  Bitmap bitmap(CreateCompatibleBitmap(screen.get(), width, height));
  if (!bitmap) throwFailed("CreateCompatibleBitmap");
  {
    BitmapSelection selection(memory.get(), bitmap.get());
    // CAPTUREBLT includes layered (WS_EX_LAYERED) windows, which a plain SRCCOPY leaves out.
    if (!BitBlt(memory.get(), 0, 0, width, height, screen.get(), rect.left, rect.top,
                SRCCOPY | CAPTUREBLT)) {
      throwFailed("BitBlt");
    }
  }

  // 32 bits per pixel so rows need no padding; a negative height asks for rows top to bottom.
  BITMAPINFO info = {};
  info.bmiHeader.biSize = sizeof(info.bmiHeader);
  info.bmiHeader.biWidth = width;
  info.bmiHeader.biHeight = -height;
  info.bmiHeader.biPlanes = 1;
  info.bmiHeader.biBitCount = 32;
  info.bmiHeader.biCompression = BI_RGB;
  std::vector<uint8_t> bgra(size_t(width) * size_t(height) * 4);
  if (GetDIBits(memory.get(), bitmap.get(), 0, UINT(height), bgra.data(), &info, DIB_RGB_COLORS) !=
      height) {
    throwFailed("GetDIBits");
  }

  std::vector<uint8_t> rgb(size_t(width) * size_t(height) * 3);
  for (size_t pixel = 0; pixel < size_t(width) * size_t(height); ++pixel) {
    rgb[pixel * 3 + 0] = bgra[pixel * 4 + 2];
    rgb[pixel * 3 + 1] = bgra[pixel * 4 + 1];
    rgb[pixel * 3 + 2] = bgra[pixel * 4 + 0];
  }
  writePng(png, uint32_t(width), uint32_t(height), rgb);
}

}  // namespace bridge32::test
#endif  // _WIN32
