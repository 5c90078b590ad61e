#!/usr/bin/env bash
# What a new user does with a built bridge32, run from a built tree (scripts/build.sh first):
# install it, build tests/consumer's plugin (plain C, 32- and 64-bit) and host (C++20) against
# the installed package with find_package, and run the host: it loads the plugin's 32-bit build
# through the installed surrogate and its 64-bit build in-process, and checks the results. Then
# the same against the package CPack makes: the .deb unpacked with dpkg -x (Linux), the .zip
# unpacked (Windows). Linux also configures bridge32 as a consumer's subproject.
#   scripts/consumer-test.sh linux|windows
# Windows runs under Wine: call it inside a wine session (scripts/wine-session.sh).
set -euo pipefail
platform=${1:?usage: scripts/consumer-test.sh linux|windows}
root=$(cd "$(dirname "$0")/.." && pwd)
# Linux: the i386 dependencies, for the subproject check. (Windows: the caller's wine session.)
# shellcheck disable=SC1090
[ "$platform" = windows ] || source "${BRIDGE32_CACHE:-$HOME/.cache/bridge32}/env-$platform"
build="$root/build/$platform"
scratch="$build/consumer"
rm -rf "$scratch"
mkdir -p "$scratch"
version=$(sed -n 's/^project(bridge32 VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")

step() { printf '=== consumer (%s): %s\n' "$platform" "$*"; }
# A path as Wine's programs see it, on the drive Z: that Wine maps to / (as `winepath -w` gives
# it, without starting a Wine program for each).
windows_path() { realpath -m "$1" | sed 's|/|\\|g; s|^|Z:|'; }
# Where i386 code runs under QEMU (scripts/setup.sh registered it), 32-bit Windows processes take
# minutes to start and lose wake-ups at random: there the Windows programs that drive them are
# built and checked but not run.
i386_is_emulated() { [ "$(head -n 1 /proc/sys/fs/binfmt_misc/qemu-i386 2>/dev/null)" = enabled ]; }
fail() { echo "consumer test: $*" >&2; exit 1; }
# Wine's 64-bit loader for the 64-bit programs: `wine` starts its 32-bit loader first, which then
# hands a PE32+ program to this one (a 32-bit start, minutes long under QEMU).
wine64=/usr/lib/wine/wine64

# Configures and builds one of tests/consumer's projects against the package in $2.
build_consumer() {
  local project=$1 package=$2 out=$3
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if [ "$platform" = windows ]; then
    # A cross build finds packages under its find root only: name the package's directory.
    args+=(-DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchains/mingw-x86_64.cmake"
           -Dbridge32_DIR="$(dirname "$(find "$package" -name bridge32Config.cmake)")")
  else
    args+=(-DCMAKE_PREFIX_PATH="$package")
  fi
  cmake -S "$root/tests/consumer/$project" -B "$out" "${args[@]}" >"$out.log" 2>&1 &&
    cmake --build "$out" >>"$out.log" 2>&1 || { cat "$out.log"; fail "$project did not build"; }
}

# Builds both consumer projects against the package in $1 and runs the host.
consumer_test() {
  local package=$1 name=$2 bin=$1/bin ext=so
  [ "$platform" = windows ] && ext=dll
  build_consumer plugin "$package" "$scratch/$name-plugin"
  build_consumer host "$package" "$scratch/$name-host"
  local x86="$scratch/$name-plugin/plugins/x86/softclip.$ext"
  local x64="$scratch/$name-plugin/plugins/x64/softclip.$ext"
  file "$x86" "$x64"
  if [ "$platform" = windows ]; then
    file "$x86" | grep -q 'PE32 executable (DLL).*Intel 80386' || fail "$x86 is not a PE32 DLL"
    file "$x64" | grep -q 'PE32+ executable (DLL).*x86-64' || fail "$x64 is not a PE32+ DLL"
    # bridge32.dll from the package's bin/, where Windows would find it on PATH: the library
    # finds the surrogates beside itself.
    if i386_is_emulated; then
      echo "softclip-host not run: i386 code runs under QEMU here (32-bit Wine processes take minutes to start)"
    else
      WINEPATH="$(windows_path "$bin")" "$wine64" "$scratch/$name-host/softclip-host.exe" \
        "$(windows_path "$x86")" "$(windows_path "$x64")" | tr -d '\r'
    fi
    "$wine64" "$bin/bridge32.exe" --version | tr -d '\r' | tee "$scratch/version.txt"
  else
    file "$x86" | grep -q 'ELF 32-bit.*Intel 80386' || fail "$x86 is not an i386 shared object"
    file "$x64" | grep -q 'ELF 64-bit.*x86-64' || fail "$x64 is not an x86-64 shared object"
    # Not `ldd | grep -q`: grep leaving at the first match can end ldd with SIGPIPE, which
    # pipefail turns into a failure.
    ldd "$scratch/$name-host/softclip-host" > "$scratch/$name-host/ldd.txt"
    grep -q "=> $package/lib.*/libbridge32.so" "$scratch/$name-host/ldd.txt" ||
      fail "the host does not use $package's libbridge32.so"
    "$scratch/$name-host/softclip-host" "$x86" "$x64"
    "$bin/bridge32" --version | tee "$scratch/version.txt"
  fi
  grep -qx "bridge32 $version" "$scratch/version.txt" || fail "bridge32 --version does not say $version"
}

# A C program compiled and linked for the MSVC ABI, as an MSVC user builds one: the C API test
# (tests/c-api) by clang-cl against the package's bridge32.h, linked by lld-link with an import
# library llvm-dlltool makes from the package's bridge32.def, and with Wine's UCRT (its headers
# and import libraries from libwine-dev, as the Windows SDK's would be). Run under Wine against
# the package's bridge32.dll, driving the genuine 32-bit surrogate and fixture.
msvc_consumer() {
  local package=$1 out=$scratch/msvc wine_libs=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
  mkdir -p "$out"
  llvm-dlltool-14 -m i386:x86-64 -d "$package/lib/bridge32.def" -l "$out/bridge32.lib"
  clang-cl-14 --target=x86_64-pc-windows-msvc /nologo /c /W3 /WX /GS- /Zl \
    -imsvc /usr/include/wine/wine/msvcrt -imsvc /usr/include/wine/wine/windows \
    -I "$package/include" /Fo"$out/c-api-test.obj" -- "$root/tests/c-api/c-api-test.c"
  lld-link-14 /nologo /out:"$out/c-api-test.exe" /subsystem:console /entry:mainCRTStartup \
    /nodefaultlib "$out/c-api-test.obj" "$out/bridge32.lib" \
    "$wine_libs"/lib{winecrt0,ucrtbase,kernel32,user32,advapi32,ntdll}.a
  file "$out/c-api-test.exe" | grep -q 'PE32+ executable (console) x86-64' ||
    fail "$out/c-api-test.exe is not a PE32+ program"
  x86_64-w64-mingw32-objdump -p "$out/c-api-test.exe" | sed -n 's/^\s*DLL Name: //p' |
    sort -f > "$out/imports.txt"
  echo "MSVC-ABI program imports: $(tr '\n' ' ' < "$out/imports.txt")"
  grep -qix 'bridge32.dll' "$out/imports.txt" || fail "the MSVC-ABI program does not import bridge32.dll"
  ! grep -qiE 'libstdc|libgcc|libwinpthread' "$out/imports.txt" ||
    fail "the MSVC-ABI program imports MinGW's runtime"
  local status=0
  WINEPATH="$(windows_path "$package/bin")" "$wine64" "$out/c-api-test.exe" \
    "$(windows_path "$build/plugins")" | tr -d '\r' > "$out/run.txt" || status=$?
  # 77: it skipped itself, saying why (i386 code under QEMU).
  [ "$status" = 0 ] || [ "$status" = 77 ] || { cat "$out/run.txt"; fail "the MSVC-ABI C program failed"; }
  tail -n 1 "$out/run.txt"
}

# A 64-bit drop-in for a 32-bit DLL, as its user makes and uses one: MinGW's i686 zlib1.dll
# wrapped with its zlib.h by the installed tool, then a 64-bit program written against zlib.h
# (tests/wrap-zlib-program.c) linked with the wrapper's import libraries by MinGW
# (libzlib1.dll.a) and for the MSVC ABI (zlib1.lib: clang-cl, lld-link, Wine's UCRT), each run
# from the wrapper's directory, where Windows looks for a program's DLLs first.
wrap_consumer() {
  local package=$1 out=$scratch/wrap wine_libs=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
  local program=$root/tests/wrap-zlib-program.c
  mkdir -p "$out"
  "$wine64" "$package/bin/bridge32.exe" wrap 'Z:\usr\i686-w64-mingw32\lib\zlib1.dll' \
    --header 'Z:\usr\i686-w64-mingw32\include\zlib.h' \
    --declare "$(cat "$root/tests/fixtures/headers/zlib-sizes.h")" \
    --output "$(windows_path "$out")" | tr -d '\r'
  x86_64-w64-mingw32-gcc -O2 -o "$out/zlib-mingw.exe" "$program" -L"$out" -lzlib1
  clang-cl-14 --target=x86_64-pc-windows-msvc /nologo /c /W3 /GS- /Zl \
    -imsvc /usr/include/wine/wine/msvcrt -imsvc /usr/include/wine/wine/windows \
    -imsvc /usr/x86_64-w64-mingw32/include /Fo"$out/zlib-msvc.obj" -- "$program"
  lld-link-14 /nologo /out:"$out/zlib-msvc.exe" /subsystem:console /entry:mainCRTStartup \
    /nodefaultlib "$out/zlib-msvc.obj" "$out/zlib1.lib" "$wine_libs"/lib{winecrt0,ucrtbase,kernel32}.a
  local name imports
  for name in zlib-mingw zlib-msvc; do
    imports=$(x86_64-w64-mingw32-objdump -p "$out/$name.exe" | sed -n 's/^\s*DLL Name: //p')
    grep -qx zlib1.dll <<<"$imports" || fail "$name.exe does not import zlib1.dll"
    # Wine has a zlib1.dll of its own (its user32 needs one), which Windows has not: for these
    # programs, the one beside them comes first, as on Windows.
    "$wine64" reg add "HKCU\\Software\\Wine\\AppDefaults\\$name.exe\\DllOverrides" /v zlib1 \
      /d native,builtin /f >/dev/null
    "$wine64" "$out/$name.exe" | tr -d '\r' > "$out/$name.txt" || { cat "$out/$name.txt"; fail "$name.exe failed"; }
    grep -qx 'bridge32 runtime: loaded' "$out/$name.txt" || { cat "$out/$name.txt"; fail "$name.exe did not use the wrapper"; }
    echo "$name.exe: $(tail -n 1 "$out/$name.txt")"
  done
}

# Where surrogates are found must be the package, not the build tree or an environment.
unset BRIDGE32_SURROGATE_DIR

step "install"
cmake --install "$build" --prefix "$scratch/prefix" >"$scratch/install.log"
(cd "$scratch/prefix" && find . -type f | sort)
step "build and run against the installed prefix"
consumer_test "$scratch/prefix" installed

if [ "$platform" = windows ]; then
  step "a C program built for the MSVC ABI against the installed bridge32.dll"
  msvc_consumer "$scratch/prefix"
  step "a 64-bit drop-in for MinGW's i686 zlib1.dll, linked by MinGW and for the MSVC ABI"
  if i386_is_emulated; then
    echo "not run: i386 code runs under QEMU here, and wrapping loads the 32-bit DLL"
  else
    wrap_consumer "$scratch/prefix"
  fi
fi

step "the surrogate comes from the prefix: without it, loading the 32-bit build fails"
surrogates=$(dirname "$(find "$scratch/prefix" -name 'bridge32-surrogate-x86*')")
mv "$surrogates"/bridge32-surrogate-x86* "$scratch/"
if [ "$platform" = windows ]; then
  WINEPATH="$(windows_path "$scratch/prefix/bin")" "$wine64" "$scratch/installed-host/softclip-host.exe" \
    "$(windows_path "$scratch/installed-plugin/plugins/x86/softclip.dll")" \
    "$(windows_path "$scratch/installed-plugin/plugins/x64/softclip.dll")" | tr -d '\r' >"$scratch/without.txt" || true
else
  "$scratch/installed-host/softclip-host" "$scratch/installed-plugin/plugins/x86/softclip.so" \
    "$scratch/installed-plugin/plugins/x64/softclip.so" >"$scratch/without.txt" || true
fi
mv "$scratch"/bridge32-surrogate-x86* "$surrogates/"
grep 'FAILED: \[surrogate did not start\]' "$scratch/without.txt" || fail "loaded without the surrogate"

step "package"
(cd "$build" && cpack -B "$scratch/packages" >"$scratch/cpack.log" 2>&1) || { cat "$scratch/cpack.log"; fail "cpack failed"; }
if [ "$platform" = windows ]; then
  zip=$(ls "$scratch"/packages/bridge32-*.zip)
  echo "$zip"
  unzip -q "$zip" -d "$scratch/zip"
  step "build and run against the unpacked .zip"
  consumer_test "$(ls -d "$scratch"/zip/bridge32-*)" zip
else
  deb=$(ls "$scratch"/packages/bridge32_*.deb)
  dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Architecture\|Depends\):/\1:/p'
  dpkg-deb --contents "$deb" | awk '{print $6}' | grep -v '/$'
  dpkg -x "$deb" "$scratch/deb-root"
  step "build and run against the .deb unpacked with dpkg -x"
  consumer_test "$scratch/deb-root/usr" deb

  step "configure bridge32 as a subproject (add_subdirectory)"
  mkdir -p "$scratch/subproject"
  cat >"$scratch/subproject/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(subproject LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
add_subdirectory("$root" bridge32)
add_executable(softclip-host "$root/tests/consumer/host/host.c++")
target_link_libraries(softclip-host PRIVATE bridge32::host)
bridge32_add_plugin(softclip "$root/tests/consumer/plugin/softclip.c")
CMAKE
  cmake -S "$scratch/subproject" -B "$scratch/subproject/build" -G Ninja \
    -DBRIDGE32_PART32_TOOLCHAIN="$root/cmake/toolchains/linux-i386.cmake" \
    -DBRIDGE32_PART32_DEPS_PREFIX="$BRIDGE32_DEPS_LINUX_I386" \
    -DBRIDGE32_HEADERS_ONLY_32="$BRIDGE32_HEADERS_ONLY" >"$scratch/subproject.log" 2>&1 ||
    { cat "$scratch/subproject.log"; fail "bridge32 does not configure as a subproject"; }
  targets=$(ninja -C "$scratch/subproject/build" -t targets all)
  for wanted in bridge32_host_shared bridge32_surrogate part32 softclip softclip_x86; do
    grep -q "^$wanted:" <<<"$targets" || fail "the subproject build has no $wanted"
  done
  for unwanted in bridge32_tests bridge32_bench b32-samples b32-faulty b32-no-entry; do
    ! grep -q "^$unwanted:" <<<"$targets" || fail "the subproject build has $unwanted"
  done
  # bridge32's outputs go below its own binary dir, never into the consumer's bin/ or the like.
  grep -q '^bridge32/bin/bridge32-surrogate-x64:' <<<"$targets" || fail "the surrogate is not in bridge32/bin/"
  ! grep -E '^(bin|elsewhere|plugins/x(86|64)/b32-)' <<<"$targets" || fail "bridge32 writes into the consumer's build root"
  echo "subproject: bridge32::host, surrogates and bridge32_add_plugin, no tests or samples"
fi
step "passed"
