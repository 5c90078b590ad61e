#!/usr/bin/env bash
# Installs and builds everything bridge32 needs on a Debian 12 machine, idempotently.
#
#   scripts/setup.sh linux     native x86_64 + i386 (-m32) toolchains and dependencies
#   scripts/setup.sh windows   MinGW-w64 x86_64 + i686, Wine (with wine32) and a Wine prefix
#   scripts/setup.sh all       both
#
# Built dependencies go to $BRIDGE32_CACHE (default ~/.cache/bridge32), one prefix per
# toolchain, keyed by version and by a hash of the toolchain file and patches, so a second
# run rebuilds nothing. Facts behind each step: ../shared/ENVIRONMENT.md.
set -euo pipefail

platform=${1:-all}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${BRIDGE32_CACHE:-$HOME/.cache/bridge32}
jobs=$(nproc)
capnp_version=0.9.2
libffi_version=3.4.4  # Debian 12's libffi (source package libffi 3.4.4-1)
spdlog_version=1.10.0  # Debian 12's libspdlog-dev, whose headers the cross builds use

log() { printf '\033[1msetup:\033[0m %s (at %s s)\n' "$*" "$SECONDS" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

linux_packages=(cmake ninja-build ccache g++ g++-multilib capnproto libcapnp-dev libspdlog-dev
                libfmt-dev googletest libgtest-dev file qemu-user xz-utils sox
                libffi-dev libffi-dev:i386 curl
                libfreetype6:i386  # bridge32 doctor's tests: a real i386 library needing others
                # What Debian's lsp-plugins-vst needs, both bitnesses (lsp_plugins_vst below)
                libcairo2 libcairo2:i386 libxrandr2 libxrandr2:i386 libsndfile1 libsndfile1:i386
                libqt6core6  # what Qtractor's plugin scanner needs (qtractor_scanner below)
                # X11 editors (XCB): the host's container, the test plugins' editors in both
                # bitnesses, the tests' window-owner checks (X-Resource) and display (Xvfb)
                libxcb1-dev libxcb1-dev:i386 libxcb-res0-dev xvfb xauth
                # Real headers with their real libraries, for reading vendor headers
                zlib1g-dev zlib1g:i386 libsqlite3-dev libsqlite3-0:i386
                mingw-w64-common  # MinGW-w64's <windows.h>, read with --system-headers
                # The compilers whose struct layouts tests/layout-test.c++ compares with ours
                gcc-mingw-w64-i686-posix gcc-mingw-w64-x86-64-posix binutils
                clang-14 libclang-rt-14-dev  # clang-14 also builds the fuzz targets (scripts/fuzz.sh)
                # The Python package: its wheel (setuptools, wheel), a fresh venv for its tests,
                # pytest, numpy for its arrays, and PyPy to run the same wheel
                python3 python3-setuptools python3-wheel python3-pip python3-venv python3-pytest
                python3-numpy pypy3 pypy3-venv)
windows_packages=(cmake ninja-build ccache capnproto g++-multilib g++-mingw-w64-x86-64-posix g++-mingw-w64-i686-posix
                  libspdlog-dev libfmt-dev googletest wine wine64 wine32:i386 xvfb xauth qemu-user
                  xz-utils make unzip sox curl libz-mingw-w64-dev
                  # The MSVC-ABI consumer (scripts/consumer-test.sh): clang-cl, lld-link,
                  # llvm-dlltool, and Wine's UCRT headers and import libraries
                  clang-tools-14 lld-14 llvm-14 libwine-dev
                  python3 python3-setuptools python3-wheel python3-pip)  # the Windows wheel
                  # make: libffi's autotools build; unzip: the .zip's test; sox: WAV test data

install_packages() {
  local wanted=("$@") missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if printf '%s\n' "${missing[@]}" | grep -q ':i386$'; then
    dpkg --print-foreign-architectures | grep -qx i386 || as_root dpkg --add-architecture i386
    # The security suite's i386 index often lags amd64; Multi-Arch "same" packages need one
    # version on both, so prefer the main suite's versions (ENVIRONMENT.md, section 2).
    printf 'Package: *\nPin: release l=Debian-Security\nPin-Priority: 100\n' |
      as_root tee /etc/apt/preferences.d/99-bridge32-multiarch >/dev/null
  fi
  as_root apt-get update -qq || log "apt-get update reported errors; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" > "$cache/apt.log" 2>&1 || { tail -n 40 "$cache/apt.log"; exit 1; }
}

# 32-bit code runs natively on most machines; where the kernel has no 32-bit emulation,
# user-mode QEMU runs it through binfmt_misc.
ensure_i386_exec() {
  local probe="$cache/probe-i386"
  mkdir -p "$cache"
  [ -x "$probe" ] || printf 'int main(void){return 0;}\n' | gcc -m32 -x c -o "$probe" -
  "$probe" 2>/dev/null && return 0
  log "i386 programs cannot run natively here; registering qemu-i386 with binfmt_misc"
  mountpoint -q /proc/sys/fs/binfmt_misc || as_root mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e /proc/sys/fs/binfmt_misc/qemu-i386 ] || echo ':qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386:F' |
    as_root tee /proc/sys/fs/binfmt_misc/register >/dev/null
  "$probe" || { log "i386 programs still cannot run"; exit 1; }
}

# Sources of the cross-built dependencies come from Debian's archive: apt-get source needs deb-src.
enable_deb_src() {
  if ! grep -rqs 'deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list; then
    as_root sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
    as_root apt-get update -qq || true
  fi
}

capnp_source() {
  local dir="$cache/src/capnproto-c++-$capnp_version"
  if [ ! -d "$dir" ]; then
    log "fetching the Cap'n Proto $capnp_version source from Debian's archive"
    enable_deb_src
    mkdir -p "$cache/src" && local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && apt-get source --download-only -qq "capnproto=$capnp_version-2")
    tar -xf "$tmp"/capnproto_"$capnp_version".orig.tar.* -C "$cache/src"
    rm -rf "$tmp"
    for p in "$root"/cmake/patches/capnproto-"$capnp_version"-*.patch; do
      patch -s -d "$dir" -p1 < "$p"
    done
  fi
  echo "$dir"
}

# key NAME TOOLCHAIN [RECIPE...]: a prefix directory name that changes when the toolchain file,
# the patches or the recipe (build options not in a toolchain file) change, so a stale build is
# never reused.
key() {
  local sum; sum=$( { cat "$root/cmake/toolchains/$2".cmake "$root"/cmake/toolchains/*common.cmake \
                          "$root"/cmake/patches/* 2>/dev/null
                      if [ $# -gt 2 ]; then printf '%s\n' "${@:3}"; fi; } | sha256sum | cut -c1-12)
  echo "$cache/deps/$2/$1-$sum"
}

build_capnp() {
  local toolchain=$1 prefix; prefix=$(key "capnproto-$capnp_version" "$toolchain")
  [ -f "$prefix/.complete" ] && { echo "$prefix"; return; }
  local src; src=$(capnp_source)
  log "building Cap'n Proto $capnp_version for $toolchain (a few minutes, once)"
  local build="$cache/build/capnproto-$toolchain"
  rm -rf "$build" "$prefix"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$toolchain.cmake" \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_TESTING=OFF -DWITH_OPENSSL=OFF -DWITH_ZLIB=OFF \
    -DEXTERNAL_CAPNP=ON -DCAPNP_EXECUTABLE=/usr/bin/capnp -DCAPNPC_CXX_EXECUTABLE=/usr/bin/capnpc-c++ \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON >/dev/null
  cmake --build "$build" -j "$jobs" >/dev/null
  cmake --install "$build" >/dev/null
  # The installed kj/async-win32.h includes this header, which kj's install list omits.
  [ -f "$src/src/kj/win32-api-version.h" ] && cp "$src/src/kj/win32-api-version.h" "$prefix/include/kj/"
  rm -rf "$build"
  touch "$prefix/.complete"
  echo "$prefix"
}

libffi_source() {
  local dir="$cache/src/libffi-$libffi_version"
  if [ ! -f "$dir/configure" ]; then
    log "fetching the libffi $libffi_version source from Debian's archive"
    enable_deb_src
    mkdir -p "$cache/src" && local tmp; tmp=$(mktemp -d)
    # The release tarball as is: Debian's only patch (no-toolexeclibdir) concerns its libffi.pc.
    (cd "$tmp" && apt-get source --download-only -qq "libffi=$libffi_version-1" >&2)
    tar -xf "$tmp"/libffi_"$libffi_version".orig.tar.* -C "$tmp"
    rm -rf "$dir" && mv "$tmp/libffi-$libffi_version" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# simplecpp, the C preprocessor bridge32 reads vendor headers with (host side only): from
# cppcheck's source in Debian's archive, the trixie release (2.17.1), whose simplecpp is 0BSD
# (bookworm's is LGPL-3). Only its two files are kept, with cmake/simplecpp/*.patch applied (the
# directory is keyed by them); the tarball's digest is checked.
simplecpp_source() {
  local version=2.17.1 sha256=bfd681868248ec03855ca7c2aea7bcb1f39b8b18860d76aec805a92a967b966c
  local patches; patches=$(cat "$root"/cmake/simplecpp/*.patch | sha256sum | cut -c1-12)
  local dir="$cache/src/simplecpp-$version-$patches"
  if [ ! -f "$dir/simplecpp.cpp" ]; then
    log "fetching simplecpp from Debian's cppcheck $version source"
    local tmp; tmp=$(mktemp -d)
    local url="http://deb.debian.org/debian/pool/main/c/cppcheck/cppcheck_$version.orig.tar.gz"
    curl -fsS --retry 3 -o "$tmp/cppcheck.tar.gz" "$url" || { log "could not fetch $url"; exit 1; }
    echo "$sha256  $tmp/cppcheck.tar.gz" | sha256sum -c --quiet - ||
      { log "cppcheck_$version.orig.tar.gz is not the expected file"; exit 1; }
    tar -xzf "$tmp/cppcheck.tar.gz" -C "$tmp" --wildcards '*/externals/simplecpp/*'
    for p in "$root"/cmake/simplecpp/*.patch; do
      patch -s -d "$tmp"/cppcheck-*/externals/simplecpp -p1 < "$p"
    done
    rm -rf "$dir" && mkdir -p "$cache/src" && mv "$tmp"/cppcheck-*/externals/simplecpp "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# libffi for a MinGW toolchain: static only (one file fewer beside the executables), built with
# autotools and the -posix compilers the toolchain files name, and the toolchain's arch flags.
build_libffi() {
  local toolchain=$1 triple flags
  case "$toolchain" in
    mingw-x86_64) triple=x86_64-w64-mingw32 flags="-O2" ;;
    mingw-i686) triple=i686-w64-mingw32 flags="-O2 -msse2 -mfpmath=sse" ;;
    *) log "build_libffi: no recipe for $toolchain"; exit 1 ;;
  esac
  local options=(--host="$triple" CC="$triple-gcc-posix" CFLAGS="$flags" --disable-shared
                 --enable-static --disable-docs --disable-multi-os-directory)
  local prefix; prefix=$(key "libffi-$libffi_version" "$toolchain" "${options[@]}")
  [ -f "$prefix/.complete" ] && { echo "$prefix"; return; }
  local src; src=$(libffi_source)
  log "building libffi $libffi_version for $toolchain (static; under a minute, once)"
  local build="$cache/build/libffi-$toolchain"
  rm -rf "$build" "$prefix" && mkdir -p "$build"
  if ! (cd "$build" && "$src/configure" --prefix="$prefix" "${options[@]}" &&
        make -j "$jobs" && make install) > "$cache/libffi-$toolchain.log" 2>&1; then
    tail -n 40 "$cache/libffi-$toolchain.log" >&2
    log "libffi for $toolchain failed; the whole log: $cache/libffi-$toolchain.log"
    exit 1
  fi
  rm -rf "$build"
  touch "$prefix/.complete"
  echo "$prefix"
}

build_gtest() {
  local toolchain=$1 prefix; prefix=$(key gtest-1.12.1 "$toolchain")
  [ -f "$prefix/.complete" ] && { echo "$prefix"; return; }
  log "building GoogleTest for $toolchain"
  local build="$cache/build/gtest-$toolchain"
  rm -rf "$build" "$prefix"
  cmake -S /usr/src/googletest -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/$toolchain.cmake" \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DINSTALL_GTEST=ON >/dev/null
  cmake --build "$build" -j "$jobs" >/dev/null
  cmake --install "$build" >/dev/null
  rm -rf "$build"
  touch "$prefix/.complete"
  echo "$prefix"
}

# spdlog and fmt header-only for the cross targets: a directory holding only spdlog/ and
# fmt/, never the whole of the build machine's /usr/include.
header_only_logging() {
  local dir="$cache/deps/headers/spdlog-fmt"
  if [ ! -d "$dir/include/spdlog" ]; then
    mkdir -p "$dir/include"
    cp -r /usr/include/spdlog /usr/include/fmt "$dir/include/"
  fi
  echo "$dir/include"
}

# spdlog's own sources (src/*.cpp) from Debian's archive, the version of the headers above: the
# cross builds compile them once into a library (SPDLOG_COMPILED_LIB) rather than in every file
# that logs, which header-only use does (cmake/Dependencies.cmake).
spdlog_sources() {
  local dir="$cache/src/spdlog-$spdlog_version"
  if [ ! -f "$dir/src/spdlog.cpp" ]; then
    log "fetching the spdlog $spdlog_version source from Debian's archive"
    enable_deb_src
    mkdir -p "$cache/src" && local tmp; tmp=$(mktemp -d) && chmod 755 "$tmp"
    (cd "$tmp" && apt-get source --download-only -qq "spdlog=1:$spdlog_version+ds-0.4" >&2)
    tar -xf "$tmp"/spdlog_"$spdlog_version"+ds.orig.tar.* -C "$tmp"
    rm -rf "$dir" && mv "$tmp/spdlog-$spdlog_version" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir/src"
}

# Debian's lsp-plugins-vst, i386 and amd64: real VST2 plugins bridge32 did not build, for the tests
# (the i386 ones through the surrogate, the amd64 ones in-process to compare with). The two
# packages cannot be installed together (both own /usr/lib/vst/lsp-plugins), so both are unpacked
# into the cache, keyed by version; the libraries they need are in linux_packages.
lsp_plugins_vst() {
  local version
  version=$(apt-cache show --no-all-versions lsp-plugins-vst:amd64 2>/dev/null | sed -n 's/^Version: //p')
  [ -n "$version" ] || { as_root apt-get update -qq || true
    version=$(apt-cache show --no-all-versions lsp-plugins-vst:amd64 | sed -n 's/^Version: //p'); }
  local dir="$cache/deps/lsp-plugins-vst-$version"
  if [ ! -f "$dir/.complete" ]; then
    log "unpacking lsp-plugins-vst $version (i386 and amd64) for the VST2 tests"
    rm -rf "$dir" && mkdir -p "$dir"
    local tmp; tmp=$(mktemp -d) && chmod 755 "$tmp"  # apt's own user downloads into it
    local debs=("lsp-plugins-vst:i386=$version" "lsp-plugins-vst:amd64=$version")
    (cd "$tmp" && { apt-get download -qq "${debs[@]}" || { as_root apt-get update -qq || true
                                                           apt-get download -qq "${debs[@]}"; }; }) \
      >"$cache/lsp.log" 2>&1 || { tail -n 20 "$cache/lsp.log"; exit 1; }
    for arch in i386 amd64; do dpkg-deb -x "$tmp"/lsp-plugins-vst_*_"$arch".deb "$dir/$arch"; done
    rm -rf "$tmp"
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# Qtractor's plugin scanner, a 64-bit VST2 host from Debian that bridge32 did not write: the tests
# have it load the VST2 shim through its entry point. Only the scanner is unpacked (it needs
# QtCore alone, in linux_packages), not the whole application.
qtractor_scanner() {
  local version
  version=$(apt-cache show --no-all-versions qtractor 2>/dev/null | sed -n 's/^Version: //p')
  local dir="$cache/deps/qtractor-$version"
  if [ ! -f "$dir/.complete" ]; then
    log "unpacking Qtractor $version's plugin scanner for the VST2 shim's tests"
    rm -rf "$dir" && mkdir -p "$dir"
    local tmp; tmp=$(mktemp -d) && chmod 755 "$tmp"
    (cd "$tmp" && apt-get download -qq "qtractor=$version") >"$cache/qtractor.log" 2>&1 ||
      { tail -n 20 "$cache/qtractor.log"; exit 1; }
    dpkg-deb -x "$tmp"/qtractor_*.deb "$tmp/x"
    cp "$tmp"/x/usr/lib/x86_64-linux-gnu/qtractor/qtractor_plugin_scan "$dir/"
    rm -rf "$tmp"
    touch "$dir/.complete"
  fi
  echo "$dir/qtractor_plugin_scan"
}

wine_prefix() {
  local prefix="$cache/wineprefix"
  if [ ! -f "$prefix/.complete" ]; then
    log "creating a Wine prefix (about 4 minutes, once)"
    rm -rf "$prefix"
    WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i >/dev/null 2>&1
    WINEPREFIX="$prefix" wineserver -w
    touch "$prefix/.complete"
  fi
  echo "$prefix"
}

# Compiles go through ccache, its cache beside the dependencies: a clean checkout on a machine
# that built bridge32 before recompiles nothing that did not change. CMake takes the launcher
# from these variables at configure time, in every build and sub-build. Each build script sets
# CCACHE_BASEDIR to its checkout, so that another checkout's compiles hit the same entries.
compiler_cache() {
  emit "$1" CCACHE_DIR "$cache/ccache"
  emit "$1" CCACHE_MAXSIZE 3G
  emit "$1" CCACHE_NOHASHDIR true
  emit "$1" CMAKE_C_COMPILER_LAUNCHER ccache
  emit "$1" CMAKE_CXX_COMPILER_LAUNCHER ccache
}

mkdir -p "$cache"
# One environment file per platform: the build scripts source the ones they need.
env_file() { echo "$cache/env-$1"; }
rm -f "$cache"/env-*.new
emit() { echo "export $2=\"$3\"" >> "$(env_file "$1").new"; }

case "$platform" in linux|all)
  install_packages "${linux_packages[@]}"
  ensure_i386_exec
  emit linux BRIDGE32_DEPS_LINUX_I386 "$(build_capnp linux-i386)"
  emit linux BRIDGE32_HEADERS_ONLY "$(header_only_logging)"
  emit linux BRIDGE32_SPDLOG_SOURCES "$(spdlog_sources)"
  emit linux BRIDGE32_SIMPLECPP_DIR "$(simplecpp_source)"
  lsp=$(lsp_plugins_vst)
  emit linux BRIDGE32_LSP_VST "$lsp"
  scanner=$(qtractor_scanner)
  emit linux BRIDGE32_VST2_SCANNER "$scanner"
  compiler_cache linux
  mv "$(env_file linux).new" "$(env_file linux)"
esac
case "$platform" in windows|all)
  install_packages "${windows_packages[@]}"
  ensure_i386_exec
  # The Wine prefix is made while the dependencies build: wineboot mostly waits.
  wine_prefix > "$cache/wineprefix.path" &
  making_prefix=$!
  emit windows BRIDGE32_DEPS_MINGW_X86_64 "$(build_capnp mingw-x86_64)"
  emit windows BRIDGE32_DEPS_MINGW_I686 "$(build_capnp mingw-i686)"
  emit windows BRIDGE32_GTEST_MINGW_X86_64 "$(build_gtest mingw-x86_64)"
  # Assigned first, so that a failed build stops here (set -e) rather than emit an empty value.
  ffi=$(build_libffi mingw-x86_64)
  emit windows BRIDGE32_FFI_MINGW_X86_64 "$ffi"
  ffi=$(build_libffi mingw-i686)
  emit windows BRIDGE32_FFI_MINGW_I686 "$ffi"
  emit windows BRIDGE32_HEADERS_ONLY "$(header_only_logging)"
  emit windows BRIDGE32_SPDLOG_SOURCES "$(spdlog_sources)"
  emit windows BRIDGE32_SIMPLECPP_DIR "$(simplecpp_source)"
  wait "$making_prefix" || { log "making the Wine prefix failed"; exit 1; }
  emit windows WINEPREFIX "$(cat "$cache/wineprefix.path")"
  compiler_cache windows
  mv "$(env_file windows).new" "$(env_file windows)"
esac
log "ready; dependency locations are in $cache/env-*"
