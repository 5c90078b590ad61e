// What a vendor's headers declare for a library file and how much of it can be called, without
// loading the library: bridge32_header_report (HeaderReport in bridge32/library.h), which
// `bridge32 header` prints.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "bridge32/library.h"

namespace bridge32::library {

// Reads `headers` (then `declarations`, which may declare functions again, with annotations) as
// the compiler of `library`'s ABI would, and says of each function whether `library` exports it
// (PE32 names decorated or not) and whether it can be called as declared. Throws what reading
// the headers and the file throws.
HeaderReport reportHeader(const std::filesystem::path& library,
                          const std::vector<std::filesystem::path>& headers,
                          const HeaderOptions& options,
                          const std::vector<std::string>& declarations);

}  // namespace bridge32::library
