"""Builds bridge32's wheel: the pure-Python package with bridge32's native library and both
surrogates inside it (bridge32/_native/), so one wheel serves every Python 3 of its platform.

The native files come from a build of bridge32: BRIDGE32_NATIVE_DIR (the directory holding
libbridge32.so or bridge32.dll and the bridge32-surrogate-x86/-x64 executables), else
../build/linux/bin beside this file. BRIDGE32_WHEEL_PLATFORM names the wheel's platform tag
(win_amd64 for Windows' files, built here too); the default is this machine's.
"""

import os
import shutil

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

here = os.path.dirname(os.path.abspath(__file__))


def native_files():
    directory = os.environ.get("BRIDGE32_NATIVE_DIR") or os.path.join(here, "..", "build",
                                                                      "linux", "bin")
    windows = os.environ.get("BRIDGE32_WHEEL_PLATFORM", "").startswith("win")
    if windows:
        wanted = ["bridge32.dll", "bridge32-surrogate-x86.exe", "bridge32-surrogate-x64.exe"]
    else:
        wanted = ["libbridge32.so", "bridge32-surrogate-x86", "bridge32-surrogate-x64"]
    missing = [name for name in wanted if not os.path.exists(os.path.join(directory, name))]
    if missing:
        raise SystemExit("bridge32's wheel needs a native build: %s not in %s (set "
                         "BRIDGE32_NATIVE_DIR to a build's bin directory)"
                         % (", ".join(missing), os.path.abspath(directory)))
    # MinGW builds link their runtimes statically: these files are all Windows needs.
    return [os.path.join(directory, name) for name in wanted]


class build_with_native_files(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "bridge32", "_native")
        os.makedirs(target, exist_ok=True)
        for path in native_files():
            shutil.copy2(path, os.path.join(target, os.path.basename(path)))


class platform_wheel(bdist_wheel):
    """py3-none-PLATFORM: native files for one platform, no extension module (ctypes), and so
    no tie to one interpreter version."""

    def finalize_options(self):
        platform = os.environ.get("BRIDGE32_WHEEL_PLATFORM")
        if platform:
            self.plat_name = platform
        super().finalize_options()

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


class NativeDistribution(Distribution):
    """Native files inside: a platform wheel, its files at its root (platlib), not under
    .data/purelib."""

    def has_ext_modules(self):
        return True


def version():
    with open(os.path.join(here, "..", "CMakeLists.txt")) as cmake:
        for line in cmake:
            if line.startswith("project(bridge32 VERSION"):
                return line.split()[2]
    raise SystemExit("no version in CMakeLists.txt")


setup(version=os.environ.get("BRIDGE32_VERSION") or version(), distclass=NativeDistribution,
      cmdclass={"build_py": build_with_native_files, "bdist_wheel": platform_wheel})
