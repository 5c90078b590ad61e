"""Libraries called by their declarations from Python: each class of value both ways, structs,
arrays, strings, callbacks (from the library's threads too), handles, errors and crashes."""

import array
import os
import threading

import pytest

import bridge32
import bridge32._native
from conftest import HEADERS, elf_class_and_machine, fixture_library, surrogate_executable


def test_the_library_runs_where_its_bitness_says(library):
    if library.architecture == "x86":
        pid = library.surrogate_pid
        assert pid > 0 and pid != os.getpid()
        surrogate = surrogate_executable(pid)
        assert elf_class_and_machine(surrogate) == (32, 3)
        # The package's own surrogate, beside its native library.
        assert os.path.dirname(surrogate) == bridge32._native.directory
    else:
        assert library.surrogate_pid == 0


def test_integers_of_every_width_and_sign(library):
    assert library.add(1, 2) == 3
    assert library.add(-7, 2) == -5
    assert library.neg8(5) == -5
    assert library.neg8(-128) == -128
    assert library.inc_u8(255) == 0
    assert library.neg16(-300) == 300
    assert library.inc_u16(65535) == 0
    assert library.neg32(-(2 ** 31) + 1) == 2 ** 31 - 1
    assert library.inc_u32(2 ** 32 - 1) == 0
    assert library.neg64(2 ** 62) == -(2 ** 62)
    assert library.inc_u64(2 ** 64 - 2) == 2 ** 64 - 1
    assert library.not_(True) is False


def test_floating_point_and_mixed_arguments(library):
    assert library.half_f(3.0) == 1.5
    assert library.hypot_d(3, 4) == 5.0  # ints given for doubles
    assert library.mix(1, 2.0, 3, 4.0, 5) == 1 + 4 + 12 + 32 + 80


def test_a_value_of_the_wrong_type_names_the_parameter(library):
    with pytest.raises(bridge32.InvalidArgument, match="x: expected a number, got str"):
        library.hypot_d("3", 4)
    with pytest.raises(bridge32.InvalidArgument, match="add takes 2 arguments"):
        library.add(1)
    with pytest.raises(bridge32.InvalidArgument, match="a"):
        library.add(2 ** 70, 1)


def test_structs_by_value_and_by_pointer(library):
    point = library.make_point(3, -4)
    assert point.x == 3 and point.y == -4
    assert point == {"x": 3, "y": -4}
    moved = library.rect_offset({"tl": {"x": 0, "y": 0}, "br": [2, 3]}, point)
    assert moved == {"tl": {"x": 3, "y": -4}, "br": {"x": 5, "y": -1}}
    assert library.area(moved) == 6.0
    assert library.grow(moved, 1) == {"tl": {"x": 2, "y": -5}, "br": {"x": 6, "y": 0}}
    mixed = {"c": 1, "i": 2 ** 40, "s": -3, "d": 0.25}
    assert library.mixed_total(mixed) == 1 + 2 ** 40 - 3 + 0.25
    assert library.mixed_bump(mixed) == {"c": 2, "i": 2 ** 40 + 1, "s": -2, "d": 1.25}
    with pytest.raises(bridge32.InvalidArgument, match="no field 'z'"):
        library.area({"tl": {"z": 1}, "br": [0, 0]})


def test_arrays_of_structs_both_ways(library):
    records = library.mixed_fill(1000, 7)
    assert len(records) == 1000
    assert records[999] == {"c": 99, "i": 7 + 999, "s": -999, "d": 999 / 4}
    assert library.mixed_total_all(records[:3], 3) == sum(
        r.c + r.i + r.s + r.d for r in records[:3])


def test_arrays_of_numbers_from_any_sequence_and_in_place_from_buffers(library):
    y = library.scale(2.0, [1, 2, 3], 3)
    assert isinstance(y, array.array) and y.typecode == "d"
    assert list(y) == [2.0, 4.0, 6.0]
    x = array.array("d", range(100000))
    y = library.scale(0.5, x, len(x))
    assert len(y) == 100000 and y[99999] == 99999 * 0.5
    assert list(library.scale(3.0, (1.0, 2.0), 2)) == [3.0, 6.0]
    assert list(library.scale(1.0, memoryview(array.array("d", [4.0, 5.0])), 2)) == [4.0, 5.0]
    assert list(library.reverse_inplace([1, 2, 3, 4], 4)) == [4, 3, 2, 1]
    with pytest.raises(bridge32.InvalidArgument, match="x"):
        library.scale(1.0, ["a"], 1)


def test_a_count_larger_than_the_array_is_refused(library):
    with pytest.raises(bridge32.InvalidArgument, match="x"):
        library.scale(1.0, [1.0, 2.0], 3)


def test_numpy_arrays_in_give_numpy_arrays_out(library):
    numpy = pytest.importorskip("numpy")
    x = numpy.arange(10, dtype=numpy.float64)
    y = library.scale(2.0, x, 10)
    assert isinstance(y, numpy.ndarray) and y.dtype == numpy.float64
    assert (y == x * 2).all()
    big = numpy.linspace(0, 1, 1000000)
    assert (library.scale(4.0, big, big.size) == big * 4).all()
    # Another element type than declared: converted once.
    assert (library.scale(1.0, numpy.arange(5, dtype=numpy.int32), 5) == numpy.arange(5)).all()


def test_eight_megabytes_each_way(library):
    x = array.array("d", range(1000000))
    y = library.scale(-1.0, x, len(x))
    assert len(y) == 1000000 and y[0] == 0.0 and y[-1] == -999999.0


def test_bytes_buffers(library):
    count, buffer = library.fill_bytes(16, 0xAB)
    assert count == 16 and buffer == b"\xab" * 16


def test_strings_both_ways(library):
    assert library.str_len("hello") == 5
    assert library.str_len("h\u00e9llo") == 6  # UTF-8 bytes
    assert library.str_len(b"\xff\xfe") == 2  # bytes as given
    assert library.greet("bridge", 64) == (13, "hello, bridge")
    assert library.upper("abc-d") == (4, "ABC-D")
    assert library.version_string() == "b32-library 1.0"
    assert library.str_len("x" * 100000) == 100000
    assert list(library.squares(5)) == [0, 1, 4, 9, 16]
    assert library.squares(65) is None


def test_handles_go_back_as_they_came(library):
    context = library.ctx_new(5)
    assert isinstance(context, bridge32.Handle) and context.value != 0
    assert [library.ctx_next(context) for _ in range(3)] == [5, 6, 7]
    library.ctx_free(context)


def test_callbacks_during_the_call_and_from_the_librarys_threads(library):
    assert library.apply(lambda x: x * 3, 7) == 21
    assert library.sum_with(lambda context, i: i * 10, None, 5) == 100
    threads = []

    def on_thread(x):
        threads.append(threading.get_ident())
        return x + 1

    assert library.apply_on_thread(on_thread, 41) == 42
    assert threads and threads[0] != threading.get_ident()


def test_a_callback_that_raises_fails_the_call_with_its_words(library):
    def refuses(x):
        raise RuntimeError("the application said no")

    with pytest.raises(bridge32.Error, match="the application said no"):
        library.apply(refuses, 1)
    assert library.apply(lambda x: -x, 4) == -4  # and the library goes on


def test_a_callback_that_answers_what_c_cannot_take_fails_the_call(library):
    with pytest.raises(bridge32.Error, match="expected an integer, got str"):
        library.apply(lambda x: "seven", 1)


def test_kept_callbacks_live_until_forgotten(library):
    heard = []
    listener = heard.append
    library.set_listener(listener)
    library.fire(3)
    library.fire_from_thread(2)
    assert heard == [0, 1, 2, 0, 1]
    library.set_listener(None)
    library.forget(listener)
    library.fire(2)
    assert heard == [0, 1, 2, 0, 1]


def test_the_last_error_is_the_librarys(library):
    assert library.fail_with(13) == -1
    assert bridge32.last_error() == 13
    assert library.add(1, 1) == 2
    seen = []
    thread = threading.Thread(target=lambda: seen.append(bridge32.last_error()))
    thread.start()
    thread.join()
    assert seen == [0]  # per thread


def test_what_a_function_declares(library):
    scale = library.function("scale")
    assert scale.name == "scale"
    assert "_Out_writes_(n) double* y" in scale.declaration or "double *y" in scale.declaration
    directions = [(p.name, p.direction) for p in scale.info.parameters]
    assert directions == [("a", "in"), ("x", "in"), ("n", "in"), ("y", "out")]
    assert scale.info.parameters[1].element.size == 8
    assert scale.info.result.kind == 0  # void


def test_a_function_that_is_not_there(library):
    with pytest.raises(AttributeError, match="no_such_function"):
        library.no_such_function(1)
    with pytest.raises(bridge32.NotFound, match="no_such_function"):
        library["no_such_function"]
    assert library["add"](2, 2) == 4  # by item, for names Library has itself


def test_functions_declared_again_and_by_their_declaration(library):
    add = library.function("int add(int left, int right);")
    assert add(20, 22) == 42
    assert [p.name for p in add.info.parameters] == ["left", "right"]
    library.declare("int add(int first, int second);")
    assert [p.name for p in library.add.info.parameters] == ["first", "second"]


def test_a_crash_is_disconnected_and_the_next_call_starts_a_new_surrogate(fixtures):
    lib = bridge32.load(fixture_library(fixtures, "x86"),
                        header=os.path.join(HEADERS, "b32-library.h"),
                        include=[os.path.join(HEADERS, "include")],
                        defines={"B32_API": ""})
    with lib:
        first = lib.surrogate_pid
        with pytest.raises(bridge32.Disconnected) as crashed:
            lib.crash()
        assert "crash" in str(crashed.value)  # the function, named
        assert lib.add(2, 3) == 5
        assert lib.surrogate_pid not in (0, first)
        assert not os.path.exists("/proc/%d/status" % first) or \
            "zombie" in open("/proc/%d/status" % first).read()


def test_a_call_past_its_deadline_times_out(fixtures):
    lib = bridge32.load(fixture_library(fixtures, "x86"), timeout=0.5)
    with lib:
        slow_add = lib.function("int slow_add(int a, int b, int ms);")
        assert slow_add(1, 2, 0) == 3
        with pytest.raises(bridge32.Timeout):
            slow_add(1, 2, 5000)
        assert slow_add(2, 2, 0) == 4


def test_loading_what_cannot_load_says_what_and_why(tmp_path):
    with pytest.raises(bridge32.NotFound, match="missing.so"):
        bridge32.load(str(tmp_path / "missing.so"))
    text = tmp_path / "text.so"
    text.write_text("not a module")
    with pytest.raises(bridge32.BadModule, match="text.so"):
        bridge32.load(str(text))


def test_a_header_that_cannot_be_read_names_the_file_and_line(fixtures, tmp_path):
    header = tmp_path / "broken.h"
    header.write_text("int ok(int a);\n#include \"not-there.h\"\n")
    with pytest.raises(bridge32.InvalidArgument, match="broken.h:2.*not-there.h"):
        bridge32.load(fixture_library(fixtures, "x86"), header=str(header))
    with pytest.raises(bridge32.InvalidArgument, match="B32_API"):
        bridge32.load(fixture_library(fixtures, "x86"),
                      header=os.path.join(HEADERS, "b32-library.h"),
                      include=[os.path.join(HEADERS, "include")])
