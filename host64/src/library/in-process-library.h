// Library and Function for a library loaded into the host's own process.
#pragma once

#include <memory>

#include "bridge32/library.h"

namespace bridge32 {

std::unique_ptr<Library> loadInProcessLibrary(const std::filesystem::path& path);

}  // namespace bridge32
