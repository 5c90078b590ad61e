"""README.md's Python examples ("python example=NAME" blocks), run as printed by this Python
(the wheel's bridge32) against Debian's i386 libraries they name."""

import os
import re
import subprocess
import sys

import pytest

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def examples():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    found = re.findall(r"^```python example=([a-z0-9-]+)\n(.*?)^```$", text, re.M | re.S)
    assert found, "README.md has no Python examples"
    return found


@pytest.mark.parametrize("name,code", examples(), ids=[name for name, _ in examples()])
def test_the_readmes_python_example_runs_as_printed(name, code, tmp_path):
    script = tmp_path / (name + ".py")
    script.write_text(code)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, cwd=str(tmp_path))
    assert run.returncode == 0, "README example %s failed:\n%s%s" % (name, run.stdout,
                                                                   run.stderr)
    expected = re.findall(r"^# prints: (.*)$", code, re.M)
    for line in expected:  # what the example says it prints, it prints
        assert re.search(line, run.stdout, re.M), "%s printed:\n%s" % (name, run.stdout)
