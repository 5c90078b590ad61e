// Library and Function for a library loaded into the host's own process.
#pragma once

#include <memory>

#include "library/loaded-library.h"

namespace bridge32 {

std::unique_ptr<LoadedLibrary> loadInProcessLibrary(const std::filesystem::path& path);

}  // namespace bridge32
