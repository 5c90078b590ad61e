"""The same wheel under PyPy: the package is ctypes only, so PyPy runs it as CPython does."""

import os
import shutil
import subprocess

from conftest import HEADERS, fixture_library

SCRIPT = r'''
import array, sys, threading
import bridge32
assert sys.implementation.name == "pypy", sys.implementation.name
lib = bridge32.load(sys.argv[1], header=sys.argv[2], include=[sys.argv[3]],
                    defines={"B32_API": ""})
assert lib.bridged and lib.architecture == "x86"
assert lib.add(40, 2) == 42
assert list(lib.scale(2.0, array.array("d", [1, 2, 3]), 3)) == [2.0, 4.0, 6.0]
assert lib.make_point(3, -4) == {"x": 3, "y": -4}
seen = []
assert lib.apply_on_thread(lambda x: seen.append(threading.get_ident()) or x + 1, 1) == 2
assert seen and seen[0] != threading.get_ident()
print("pypy ok")
'''


def test_the_wheel_runs_under_pypy(fixtures, tmp_path):
    pypy = shutil.which("pypy3")
    assert pypy, "pypy3 is not installed (scripts/setup.sh installs it)"
    wheel = os.environ.get("BRIDGE32_WHEEL")
    assert wheel and os.path.exists(wheel), "BRIDGE32_WHEEL: the wheel under test"
    venv = tmp_path / "pypy"
    subprocess.run([pypy, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--no-index", "--no-deps", wheel], check=True)
    script = tmp_path / "check.py"
    script.write_text(SCRIPT)
    run = subprocess.run([str(venv / "bin" / "python"), str(script),
                          fixture_library(fixtures, "x86"),
                          os.path.join(HEADERS, "b32-library.h"),
                          os.path.join(HEADERS, "include")],
                         capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert run.returncode == 0 and "pypy ok" in run.stdout, run.stdout + run.stderr
