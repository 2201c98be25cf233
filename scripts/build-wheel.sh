#!/usr/bin/env bash
# The Python wheel from pacmak's generated code (dist/python), with no download: Debian's python3 has
# the build tools (apt-get install python3-setuptools python3-wheel python3-pip), and pip is told
# neither to make an isolated build environment nor to read an index. A pyenv or Homebrew python3
# first on PATH may lack them, so the interpreter is /usr/bin/python3 unless PYTHON names another.
#
#   bash scripts/build-wheel.sh dist/python
set -euo pipefail
outdir=${1:-dist/python}
python=${PYTHON:-/usr/bin/python3}
rm -f "$outdir"/*.whl
"$python" -m pip wheel --no-deps --no-build-isolation --no-index --wheel-dir "$outdir" "$outdir"
"$python" scripts/check-wheel.py "$outdir"
