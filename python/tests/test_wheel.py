"""The package as installed from its wheel: its own native files, nothing of the build tree;
and the same package installed by pip from the source tree, where a native build is present."""

import glob
import os
import shutil
import subprocess
import sys

import bridge32
import bridge32._native
from conftest import elf_class_and_machine

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def test_the_package_is_the_wheels_with_its_native_files_inside():
    assert os.path.realpath(bridge32.__file__).startswith(os.path.realpath(sys.prefix))
    assert "BRIDGE32_NATIVE_DIR" not in os.environ
    native = bridge32._native.directory
    assert native == os.path.join(os.path.dirname(bridge32.__file__), "_native")
    assert elf_class_and_machine(os.path.join(native, "libbridge32.so")) == (64, 62)
    assert elf_class_and_machine(os.path.join(native, "bridge32-surrogate-x64")) == (64, 62)
    assert elf_class_and_machine(os.path.join(native, "bridge32-surrogate-x86")) == (32, 3)
    assert bridge32.api_version() >= 1 and bridge32.protocol_version() >= 1
    wheel = glob.glob(os.path.join(os.path.dirname(os.path.dirname(bridge32.__file__)),
                                   "bridge32-*.dist-info", "WHEEL"))
    assert len(wheel) == 1
    with open(wheel[0]) as f:
        assert "Tag: py3-none-linux_x86_64" in f.read()  # one wheel for every Python 3


def test_pip_installs_the_source_tree_where_a_native_build_is_present(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    python = str(venv / "bin" / "python")
    environment = dict(os.environ, BRIDGE32_NATIVE_DIR=bridge32._native.directory,
                       BRIDGE32_VERSION="0.0.1")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index",
                    "--no-build-isolation", str(source)], check=True, env=environment)
    del environment["BRIDGE32_NATIVE_DIR"]
    check = subprocess.run(
        [python, "-c", "import bridge32, bridge32._native as n; "
                       "print(bridge32.api_version(), n.directory)"],
        check=True, capture_output=True, text=True, env=environment, cwd=str(tmp_path))
    version, directory = check.stdout.split()
    assert int(version) >= 1 and directory.startswith(str(venv))
