// Library and Function for a library served by a surrogate process.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "library/loaded-library.h"
#include "core/shared-surrogate.h"
#include "transport/shared-segments.h"

namespace bridge32 {

std::unique_ptr<LoadedLibrary> loadBridgedLibrary(std::shared_ptr<LiveSurrogate> surrogate,
                                            const std::filesystem::path& path,
                                            Architecture architecture,
                                            const LoadOptions& options);

// The result of a call of `function` that the surrogate answered through a lane: a LaneAnswer
// message of `bytes` at the start of `data`, with a value for each of `outputs` (their names),
// which may be in the call's shared `memory`. Whatever the surrogate wrote there, an answer or
// Error(failed), never more.
CallResult readLaneCallAnswer(std::span<const std::byte> data, uint32_t bytes,
                              const std::string& function,
                              std::span<const std::string> outputs = {},
                              WireMemory* memory = nullptr);

}  // namespace bridge32
