#!/usr/bin/env bash
# Installs bridge32's wheel into a fresh virtual environment and runs the package's tests there:
#   run-in-venv.sh PYTHON WHEEL VENV TESTS [pytest arguments]
# The environment sees the system's site packages (Debian's pytest and numpy), and nothing of
# the source tree: the bridge32 imported is the wheel's, with its own native files.
set -euo pipefail
python=$1 wheel=$2 venv=$3 tests=$4
shift 4
rm -rf "$venv"
"$python" -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --no-index --no-deps "$wheel"
cd "$venv"
exec "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir "$tests" -q -rs "$tests" "$@"
