// Library and Function for a library served by a surrogate process.
#pragma once

#include <memory>

#include "bridge32/library.h"

namespace bridge32 {

std::unique_ptr<Library> loadBridgedLibrary(std::shared_ptr<SharedSurrogate> surrogate,
                                            const std::filesystem::path& path,
                                            Architecture architecture,
                                            const LoadOptions& options);

}  // namespace bridge32
