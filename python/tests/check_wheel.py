"""Checks bridge32's Windows wheel where no Windows Python runs: its files, the machine of each
executable, and that bridge32.dll exports every C function the package calls.

    check_wheel.py WHEEL BRIDGE32_DEF
"""

import re
import struct
import sys
import zipfile


def pe_machine(data):
    """(PE32 or PE32+, IMAGE_FILE_HEADER.Machine) of a PE image."""
    assert data[:2] == b"MZ", "not a PE file"
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[offset:offset + 4] == b"PE\0\0", "no PE header"
    machine = struct.unpack_from("<H", data, offset + 4)[0]
    magic = struct.unpack_from("<H", data, offset + 24)[0]
    return {0x10B: "PE32", 0x20B: "PE32+"}[magic], machine


def main(wheel, definition):
    failures = []
    name = wheel.rsplit("/", 1)[-1]
    if not re.fullmatch(r"bridge32-[0-9.]+-py3-none-win_amd64\.whl", name):
        failures.append("%s: not a py3-none-win_amd64 wheel" % name)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        expected = {"bridge32/_native/bridge32.dll": ("PE32+", 0x8664),
                    "bridge32/_native/bridge32-surrogate-x64.exe": ("PE32+", 0x8664),
                    "bridge32/_native/bridge32-surrogate-x86.exe": ("PE32", 0x14C)}
        for path, machine in expected.items():
            if path not in names:
                failures.append("%s is not in the wheel" % path)
            elif pe_machine(archive.read(path)) != machine:
                failures.append("%s is %s, expected %s" % (path, pe_machine(archive.read(path)),
                                                          machine))
        for module in ("__init__", "_native", "_values", "errors", "library", "ctypes_mode"):
            if "bridge32/%s.py" % module not in names:
                failures.append("bridge32/%s.py is not in the wheel" % module)
        native = archive.read("bridge32/_native.py").decode("utf-8")
    called = set(re.findall(r'\("(bridge32_[a-z0-9_]+)"', native))
    with open(definition) as f:
        exported = set(re.findall(r"^\s+(bridge32_[a-z0-9_]+)\s*$", f.read(), re.M))
    for function in sorted(called - exported):
        failures.append("the package calls %s, which bridge32.dll does not export" % function)
    if not called:
        failures.append("no C function found in bridge32/_native.py")
    for failure in failures:
        print("FAILED:", failure)
    print("%s: %d files checked, %d C functions the package calls, all exported by bridge32.dll"
          % (name, len(expected), len(called)) if not failures else "%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
