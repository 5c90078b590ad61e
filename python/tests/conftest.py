"""What the package's tests run against: a build's fixtures (BRIDGE32_FIXTURES, the build's
plugins/ directory, which CTest gives), the bridge32 package installed from its wheel, and the
machine's own i386 and x86-64 libraries."""

import os
import struct
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# tests/fixtures/library-fixture.c's header as a vendor would write it (shared with the C++ tests).
HEADERS = os.path.join(HERE, "..", "..", "tests", "fixtures", "headers", "b32-library")


def elf_class_and_machine(path):
    """(32 or 64, e_machine) of an ELF file: 32-bit means i386 (3), 64-bit x86-64 (62)."""
    with open(path, "rb") as f:
        head = f.read(20)
    assert head[:4] == b"\x7fELF", "%s is not an ELF file" % path
    return (32 if head[4] == 1 else 64), struct.unpack("<H", head[18:20])[0]


def surrogate_executable(pid):
    """The surrogate executable process `pid` runs: under user-mode QEMU (i386 code on a
    machine without it) /proc/PID/exe is QEMU, and the program is among its arguments."""
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        arguments = f.read().split(b"\0")
    for argument in arguments:
        if argument.rsplit(b"/", 1)[-1].startswith(b"bridge32-surrogate-"):
            return argument.decode()
    raise AssertionError("process %d is not a bridge32 surrogate: %r" % (pid, arguments))


@pytest.fixture(scope="session")
def fixtures():
    directory = os.environ.get("BRIDGE32_FIXTURES")
    if not directory:
        pytest.fail("BRIDGE32_FIXTURES is not set: run these tests through ctest (test "
                    "python.package), which gives the build's plugins directory")
    return directory


def fixture_library(fixtures, architecture):
    path = os.path.join(fixtures, architecture, "b32-library.so")
    assert os.path.exists(path), path
    assert elf_class_and_machine(path) == ((32, 3) if architecture == "x86" else (64, 62))
    return path


@pytest.fixture(scope="session")
def i386_under_qemu(fixtures):
    """Whether this machine runs i386 code under user-mode QEMU (it has no 32-bit support of
    its own): as a 32-bit surrogate shows it."""
    import bridge32
    with bridge32.load(fixture_library(fixtures, "x86")) as probe:
        executable = os.path.basename(os.readlink("/proc/%d/exe" % probe.surrogate_pid))
    return executable.startswith("qemu-")


# Each test of a library runs with the fixture's i386 build in a surrogate (what the package is
# for) and with its x86-64 build in this process (the same answers, the same code path in the
# package).
PLACEMENTS = [pytest.param("x86", id="x86-bridged"), pytest.param("x64", id="x64-in-process")]


@pytest.fixture(scope="module", params=PLACEMENTS)
def library(request, fixtures):
    import bridge32
    assert sys.maxsize > 2 ** 32, "the tests' Python must be a 64-bit one"
    architecture = request.param
    lib = bridge32.load(fixture_library(fixtures, architecture),
                        header=os.path.join(HEADERS, "b32-library.h"),
                        include=[os.path.join(HEADERS, "include")],
                        defines={"B32_API": ""}, timeout=30)
    assert lib.architecture == architecture
    assert lib.bridged == (architecture == "x86")
    yield lib
    lib.close()
