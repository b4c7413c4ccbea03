#!/usr/bin/env bash
# The main job: set up the venv, convert the cell models and build the default reduced circuit if they are
# missing, simulate it (root config.json: network/, 250 ms) and write spikes, soma report, NWB, figures and the
# rates table into output/. Environment knobs: NP (MPI ranks, default min(2, cores)), DENSITY / TH_DENSITY
# (scale of a freshly built network/), TSTOP is taken from config.json.
source "$(dirname "$0")/env.sh"
DENSITY="${DENSITY:-0.001}"        # ceil(density * n) cells per me-type: 228 S1 cells, every one of the 207 me-types
TH_DENSITY="${TH_DENSITY:-0.001}"  # 10 thalamic cells, every one of the 6 populations
CORES="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)"  # nproc obeys OMP_NUM_THREADS=1 from env.sh
NP="${NP:-$(( CORES >= 2 ? 2 : 1 ))}"
t0=$(date +%s)

n_models=$( (ls components/biophysical_neuron_models/*.json 2>/dev/null || true) | wc -l)  # pipefail: ls fails when none
if [ "$n_models" -lt 931 ]; then
    echo "[run] converting the 931 cell models into components/ (found $n_models)" >&2
    python -m sonata_s1 convert-cells --jobs "$CORES"
fi
if [ ! -f network/circuit_config.json ]; then
    [ -d network ] && rmdir network 2>/dev/null || true   # an empty placeholder only; never a real directory
    echo "[run] building the default circuit into network/ (density $DENSITY, thalamus density $TH_DENSITY)" >&2
    python -m sonata_s1 build --out network --density "$DENSITY" --thalamus-density "$TH_DENSITY" --no-progress
fi

echo "[run] simulating config.json on $NP MPI rank(s)" >&2
if [ "$NP" -gt 1 ]; then
    mpiexec -n "$NP" python run_bionet.py config.json
else
    python run_bionet.py config.json
fi

out="$ROOT/output"
echo
echo "outputs ($(( $(date +%s) - t0 )) s wall):"
for f in spikes.h5 soma_v.h5 "$(cd "$out" && ls -- *.nwb 2>/dev/null | head -1)" raster.png rates.png rates.csv \
         rates.json provenance.json log.txt; do   # <name>.nwb: the config's sonata_s1.name
    if [ -n "$f" ] && [ -e "$out/$f" ]; then echo "  $out/$f"; fi   # `if`: a missing file must not fail the script
done
