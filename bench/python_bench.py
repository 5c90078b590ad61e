"""bridge32 from Python: the figures issue 28 sets, against in-process ctypes on the 64-bit
build of the same library (the floor), measured in the same run.

    python3 bench/python_bench.py --fixtures build/linux/plugins [--json FILE]

Rows: add(1, 2), scale() of 1e3 and 1e5 doubles in and out, and start + load + first call, for
the fixture's i386 build in the 32-bit surrogate and its x86-64 build in the 64-bit surrogate
(the bridge's own cost where the library's code runs natively: on a machine without 32-bit
support the i386 surrogate runs under QEMU). Medians and 99th percentiles in microseconds.
"""

import argparse
import array
import ctypes
import json
import os
import statistics
import sys
import time

import bridge32

MSL_LOADLIB = {"add": 826.0, "scale 1e5": 28000.0, "start": 92000.0}  # us, medians measured here
GOALS = {"add": 8.0, "scale 1e5": 2800.0, "start": 20000.0}


def timed(call, iterations):
    """Each call's time, in microseconds, after a tenth as many warm-up calls."""
    for _ in range(max(1, iterations // 10)):
        call()
    times = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        call()
        times.append((clock() - start) / 1000.0)
    return times


def summary(times):
    ordered = sorted(times)
    return {"median_us": statistics.median(ordered),
            "p99_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "count": len(ordered)}


DECLARATIONS = ("int add(int a, int b);"
                "void scale(double a, _In_reads_(n) const double* x, int n,"
                "           _Out_writes_(n) double* y);")


def bridged_rows(path, label, isolate, iterations):
    rows = {}
    lib = bridge32.load(path, isolate=isolate)
    lib.declare(DECLARATIONS)
    add = lib.add
    rows["add"] = summary(timed(lambda: add(1, 2), iterations))
    scale = lib.scale
    for n, name in ((1000, "scale 1e3"), (100000, "scale 1e5")):
        x = array.array("d", range(n))
        rows[name] = summary(timed(lambda: scale(2.0, x, n), max(10, iterations // (n // 100))))
    lib.close()

    starts = []
    for _ in range(10):  # start + load + first call; the unload after it is not counted
        begin = time.perf_counter_ns()
        fresh = bridge32.load(path, isolate=isolate)
        fresh.function("int add(int a, int b);")(1, 2)
        starts.append((time.perf_counter_ns() - begin) / 1000.0)
        fresh.close()
    rows["start"] = summary(starts)
    return {label + " " + key: value for key, value in rows.items()}


def floor_rows(path, iterations):
    """The same calls through in-process ctypes on the x86-64 build: the floor."""
    library = ctypes.CDLL(path)
    add = library.add
    add.argtypes = [ctypes.c_int, ctypes.c_int]
    add.restype = ctypes.c_int
    rows = {"add": summary(timed(lambda: add(1, 2), iterations))}
    scale = library.scale
    scale.argtypes = [ctypes.c_double, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    scale.restype = None
    for n, name in ((1000, "scale 1e3"), (100000, "scale 1e5")):
        x = array.array("d", range(n))

        def call():
            y = array.array("d", [0.0]) * n  # a new output, as the bridged call returns
            scale(2.0, x.buffer_info()[0], n, y.buffer_info()[0])
        rows[name] = summary(timed(call, max(10, iterations // (n // 100))))
    return {"ctypes in-process x64 " + key: value for key, value in rows.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", required=True, help="the build's plugins/ directory")
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    x86 = os.path.join(args.fixtures, "x86", "b32-library.so")
    x64 = os.path.join(args.fixtures, "x64", "b32-library.so")
    rows = {}
    rows.update(floor_rows(x64, args.iterations))
    rows.update(bridged_rows(x86, "bridged x86", False, args.iterations))
    rows.update(bridged_rows(x64, "bridged x64 (isolated)", True, args.iterations))
    print("bridge32 %s from Python %s (%s); medians / p99, microseconds"
          % (bridge32.__name__, sys.version.split()[0], sys.implementation.name))
    for name, row in rows.items():
        print("  %-44s %12.1f / %-12.1f" % (name, row["median_us"], row["p99_us"]))
    ratios = {}
    for key, peer in MSL_LOADLIB.items():
        for side in ("bridged x86", "bridged x64 (isolated)"):
            ours = rows["%s %s" % (side, key)]["median_us"]
            ratios["%s %s" % (side, key)] = {
                "vs_msl_loadlib": peer / ours, "goal_us": GOALS[key],
                "meets_goal": ours <= GOALS[key]}
            print("  %-44s %8.1fx faster than msl-loadlib (%g us); goal %g us: %s"
                  % ("%s %s" % (side, key), peer / ours, peer, GOALS[key],
                     "met" if ours <= GOALS[key] else "NOT met"))
    for key in ("add", "scale 1e3", "scale 1e5"):
        floor = rows["ctypes in-process x64 " + key]["median_us"]
        for side in ("bridged x86", "bridged x64 (isolated)"):
            print("  %-44s %8.2fx the in-process ctypes floor"
                  % ("%s %s" % (side, key), rows["%s %s" % (side, key)]["median_us"] / floor))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "ratios": ratios}, f, indent=2)


if __name__ == "__main__":
    main()
