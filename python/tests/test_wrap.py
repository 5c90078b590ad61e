"""`bridge32 wrap LIB --header H`'s 64-bit drop-in, loaded by 64-bit Python's own ctypes as any
64-bit library: the fixture's i386 build behind it, a crash in it survived."""

import ctypes
import errno
import os
import subprocess

import pytest

from conftest import HEADERS, elf_class_and_machine, fixture_library


@pytest.fixture(scope="module")
def wrapped(fixtures, tmp_path_factory):
    tool = os.environ.get("BRIDGE32_TOOL")
    assert tool and os.path.exists(tool), "BRIDGE32_TOOL: the build's bridge32 tool"
    directory = tmp_path_factory.mktemp("wrapped")
    library = fixture_library(fixtures, "x86")
    run = subprocess.run([tool, "wrap", library, "--header", os.path.join(HEADERS, "b32-library.h"),
                          "-I", os.path.join(HEADERS, "include"), "-DB32_API=",
                          "--output", str(directory)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    wrapper = directory / "b32-library.so"
    assert elf_class_and_machine(str(wrapper)) == (64, 62)
    return ctypes.CDLL(str(wrapper), use_errno=True)


def test_ctypes_calls_the_32_bit_library_through_its_wrapper(wrapped):
    wrapped.add.argtypes = [ctypes.c_int, ctypes.c_int]
    assert wrapped.add(40, 2) == 42
    wrapped.hypot_d.restype = ctypes.c_double
    wrapped.hypot_d.argtypes = [ctypes.c_double, ctypes.c_double]
    assert wrapped.hypot_d(3.0, 4.0) == 5.0
    x = (ctypes.c_double * 3)(1, 2, 3)
    y = (ctypes.c_double * 3)()
    wrapped.scale.argtypes = [ctypes.c_double, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    wrapped.scale(2.0, x, 3, y)
    assert list(y) == [2.0, 4.0, 6.0]
    out = ctypes.create_string_buffer(32)
    assert wrapped.greet(b"wrap", out, 32) == 11 and out.value == b"hello, wrap"


def test_a_crash_in_the_32_bit_library_returns_zero_and_the_program_carries_on(wrapped):
    ctypes.set_errno(0)
    wrapped.crash()
    assert ctypes.get_errno() == errno.EIO
    assert wrapped.add(1, 2) == 3  # a new surrogate


def test_the_last_error_is_the_librarys(wrapped):
    assert wrapped.fail_with(7) == -1
    assert ctypes.get_errno() == 7
