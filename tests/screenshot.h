// Saves what is on screen inside a window as a PNG, so a failing editor test leaves a picture.
#pragma once
#if _WIN32

#include <filesystem>

namespace bridge32::test {

// Copies the screen pixels inside `hwnd`'s window rectangle (GetWindowRect) and writes them to
// `png` with writePng. It reads the screen rather than asking the window to paint itself
// (PrintWindow), so child windows owned by other processes, such as a plugin editor in the
// 32-bit surrogate, are in the picture; so is anything covering the window. Parts of the
// rectangle off the screen come out black. Throws std::runtime_error naming the Win32 call that
// failed, or as writePng does. Any thread; the window must be shown and painted first.
void saveWindowScreenshot(void* hwnd, const std::filesystem::path& png);

}  // namespace bridge32::test

#endif  // _WIN32
