// The file beside a VST2 shim that names the plugin it stands for: the shim "Foo.so" (or
// "Foo.dll") reads "Foo.bridge32". `bridge32 wrap` writes both. A file, not the shim's name alone,
// so that a shim survives being renamed and its plugin being anywhere.
//
//   # bridge32 VST2 shim: the plugin this shim runs in a surrogate
//   plugin=/opt/legacy/Compressor.so
//   surrogates=/usr/libexec/bridge32
//
// UTF-8 lines of KEY=VALUE; '#' starts a comment. A relative path is relative to the file's
// directory. `surrogates` may be left out: the usual search applies (LoadOptions).
#pragma once

#include <filesystem>

namespace bridge32 {

struct ShimTarget {
  std::filesystem::path plugin;
  std::filesystem::path surrogates;  // empty: the usual search
};

// The target file of the shim at `shim`.
std::filesystem::path shimTargetFile(const std::filesystem::path& shim);

// Throws Error: notFound (no file), invalidArgument (a line that is not KEY=VALUE, an unknown key,
// no plugin), naming the file and the line.
ShimTarget readShimTarget(const std::filesystem::path& file);
void writeShimTarget(const std::filesystem::path& file, const ShimTarget& target);

// Puts a copy of the shim binary `shim` in `directory`, named as `target.plugin`, and its target
// file beside it; returns the copy's path. Throws Error (failed, invalidArgument when the copy
// would replace the plugin itself) naming the file and why.
std::filesystem::path placeShim(const std::filesystem::path& shim, const ShimTarget& target,
                                const std::filesystem::path& directory);

}  // namespace bridge32
