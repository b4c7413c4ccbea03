# Shared environment for scripts/run.sh and scripts/test.sh (sourced, not executed).
# Creates .venv on first use and installs the project into it; later calls are quick no-ops.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export MPLBACKEND=Agg NEURON_MODULE_OPTIONS=-nogui
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export HDF5_USE_FILE_LOCKING=FALSE
PY="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV="$ROOT/.venv"
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "[setup] creating $VENV and installing sonata_s1 (about 1 min)" >&2
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    "$VENV/bin/python" -m pip check >&2
    touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
# pip-only MPI: mpiexec must be the mpich wheel's one
command -v mpiexec | grep -q "$VENV/bin/mpiexec" || { echo "mpiexec is not the venv's mpich ($(command -v mpiexec))" >&2; exit 1; }
# compile the project's NMODL once (cached by content hash outside the repository)
python -c 'from sonata_s1.mechanisms import compiled_mechanisms_dir as c; c(quiet=False)'
