"""bridge32.CDLL: a wrapper written for ctypes, with ctypes' own types, ported by its import."""

import ctypes
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char_p, c_double, c_int, c_int32,
                    c_size_t, c_uint8, c_void_p, create_string_buffer)

import pytest

import bridge32
from conftest import fixture_library


class Point(Structure):
    _fields_ = [("x", c_int32), ("y", c_int32)]


class Rect(Structure):
    _fields_ = [("tl", Point), ("br", Point)]


@pytest.fixture(scope="module")
def dll(fixtures):
    library = bridge32.CDLL(fixture_library(fixtures, "x86"))
    assert library.library.bridged and library.library.architecture == "x86"
    yield library
    library.close()


def test_numbers_as_ctypes_declares_them(dll):
    dll.add.argtypes = [c_int, c_int]
    dll.add.restype = c_int
    assert dll.add(2, 3) == 5
    assert dll.add(-2, 3) == 1
    dll.hypot_d.argtypes = [c_double, c_double]
    dll.hypot_d.restype = c_double
    assert dll.hypot_d(3.0, 4.0) == 5.0
    dll.inc_u8.argtypes = [c_uint8]
    dll.inc_u8.restype = c_uint8
    assert dll.inc_u8(255) == 0


def test_without_argtypes_ints_go_as_ints(dll):
    assert dll.neg32(5) == -5  # restype c_int, as ctypes


def test_arrays_are_written_back_into_the_callers_ctypes_arrays(dll):
    dll.scale.argtypes = [c_double, POINTER(c_double), c_int, POINTER(c_double)]
    dll.scale.restype = None
    x = (c_double * 3)(1.0, 2.0, 3.0)
    y = (c_double * 3)()
    assert dll.scale(2.0, x, 3, y) is None
    assert list(y) == [2.0, 4.0, 6.0]
    assert list(x) == [1.0, 2.0, 3.0]
    v = (c_int32 * 4)(1, 2, 3, 4)
    dll.reverse_inplace.argtypes = [POINTER(c_int32), c_int]
    dll.reverse_inplace.restype = None
    dll.reverse_inplace(v, 4)
    assert list(v) == [4, 3, 2, 1]


def test_structures_by_value_by_reference_and_returned(dll):
    dll.make_point.argtypes = [c_int32, c_int32]
    dll.make_point.restype = Point
    point = dll.make_point(3, -4)
    assert isinstance(point, Point) and (point.x, point.y) == (3, -4)
    rect = Rect(Point(0, 0), Point(2, 3))
    dll.grow.argtypes = [POINTER(Rect), c_int]
    dll.grow.restype = None
    dll.grow(byref(rect), 1)
    assert (rect.tl.x, rect.tl.y, rect.br.x, rect.br.y) == (-1, -1, 3, 4)
    dll.area.argtypes = [POINTER(Rect)]
    dll.area.restype = c_double
    assert dll.area(ctypes.pointer(rect)) == 20.0
    dll.rect_offset.argtypes = [Rect, Point]
    dll.rect_offset.restype = Rect
    moved = dll.rect_offset(rect, Point(1, 1))
    assert (moved.tl.x, moved.br.y) == (0, 5)


def test_strings_and_string_buffers(dll):
    dll.version_string.restype = c_char_p
    assert dll.version_string() == b"b32-library 1.0"
    dll.str_len.argtypes = [c_char_p]
    dll.str_len.restype = c_size_t
    assert dll.str_len(b"hello") == 5
    out = create_string_buffer(32)
    dll.greet.argtypes = [c_char_p, c_char_p, c_int]
    dll.greet.restype = c_int
    assert dll.greet(b"ctypes", out, 32) == 13
    assert out.value == b"hello, ctypes"
    buffer = create_string_buffer(8)
    dll.fill_bytes.argtypes = [c_void_p, ctypes.c_uint32, c_uint8]
    dll.fill_bytes.restype = c_int
    assert dll.fill_bytes(buffer, 8, 0x41) == 8
    assert buffer.raw == b"A" * 8


def test_callbacks_as_ctypes_function_types(dll):
    callback_type = CFUNCTYPE(c_int, c_int)
    dll.apply.argtypes = [callback_type, c_int]
    dll.apply.restype = c_int
    assert dll.apply(callback_type(lambda x: x * 7), 6) == 42


def test_byref_of_a_simple_value_is_written_back(dll):
    value = ctypes.c_uint32(0)
    dll.fill_bytes.argtypes = [c_void_p, ctypes.c_uint32, c_uint8]
    dll.fill_bytes.restype = c_int
    assert dll.fill_bytes(byref(value), 4, 0x7F) == 4
    assert value.value == 0x7F7F7F7F


def test_errcheck_and_a_callable_restype(dll):
    def positive(result, function, arguments):
        if result < 0:
            raise OSError("%s failed: %d" % (function.__name__, result))
        return result

    dll.fail_with.argtypes = [c_int]
    dll.fail_with.restype = c_int
    dll.fail_with.errcheck = positive
    with pytest.raises(OSError, match="fail_with failed: -1"):
        dll.fail_with(2)
    assert bridge32.last_error() == 2
    dll.neg8.restype = lambda value: "got %d" % value
    assert dll.neg8(3) == "got -3"


def test_a_wrong_argument_count_says_so(dll):
    dll.add.argtypes = [c_int, c_int]
    with pytest.raises(bridge32.InvalidArgument, match="add takes 2 arguments"):
        dll.add(1)
