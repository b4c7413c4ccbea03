"""NEURON side of tests/mechanisms/test_synapses.py: run the synapse check protocol.

Why a separate script: NEURON is one-shot per process and the mechanisms must be loaded fresh, so
the test runs this file in a subprocess (mechanism directory in $SONATA_S1_SYN_MECH_DIR) and gets
one JSON document on stdout; all assertions live in the test module.

Protocol (the one the reference values were computed with): one `soma` (L = diam = 10 µm, nseg 1, pas g 1e-5, e -65) per case, SEClamp
amp1 -65, dur1 1e9, rs 0.001; celsius 34, fixed dt 0.025, steps_per_ms 40, finitialize(-65),
tstop 300; input VecStim -> NetCon (delay 0, weight[0] as given); every variable recorded each
step. Several cases may share one run (each has its own section, so they are independent); that
is how per-instance normalisation factors are checked.
"""

from __future__ import annotations

import json
import os

import neuron
import numpy as np
from neuron import h

DT = 0.025
TSTOP = 300.0
V_HOLD = -65.0

neuron.load_mechanisms(os.environ["SONATA_S1_SYN_MECH_DIR"], warn_if_already_loaded=False)
h.load_file("stdrun.hoc")


def _settings() -> None:
    h.cvode_active(0)
    h.celsius = 34.0
    h.dt = DT
    h.steps_per_ms = 40.0
    h.tstop = TSTOP


class Case:
    """One section + clamp + synapse + one VecStim/NetCon per event list."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.soma = h.Section(name="soma")
        self.soma.L = self.soma.diam = 10.0
        self.soma.nseg = 1
        self.soma.insert("pas")
        self.soma(0.5).pas.g = 1e-5
        self.soma(0.5).pas.e = -65.0
        self.vc = h.SEClamp(self.soma(0.5))
        self.vc.amp1 = V_HOLD
        self.vc.dur1 = 1e9
        self.vc.rs = 0.001
        self.syn = getattr(h, spec["mech"])(self.soma(0.5))
        for name, value in spec.get("params", {}).items():
            setattr(self.syn, name, value)
        self.vecs, self.stims, self.ncs = [], [], []
        for events in spec["events"]:
            vec = h.Vector(events)
            vs = h.VecStim()
            vs.play(vec)
            nc = h.NetCon(vs, self.syn)
            nc.delay = 0.0
            nc.weight[0] = spec["weight"]
            self.vecs.append(vec)
            self.stims.append(vs)
            self.ncs.append(nc)
        self.recs = {n: h.Vector().record(getattr(self.syn, f"_ref_{n}")) for n in spec["record"]}
        self.v = h.Vector().record(self.soma(0.5)._ref_v)
        self.slots: list[list[list[float]]] = [[] for _ in self.ncs]

    def read_slots(self, t_event: float) -> None:
        """Store the NetCon weight slots of every NetCon whose events include t_event."""
        for k, nc in enumerate(self.ncs):
            if t_event in self.spec["events"][k]:
                self.slots[k].append([nc.weight[j] for j in range(int(nc.wcnt()))])

    def summary(self, t: np.ndarray) -> dict:
        events = self.spec["events"][0]
        out: dict = {"traces": {}, "slots": self.slots,
                     "v_min": self.v.min(), "v_max": self.v.max()}
        k_after = int(np.argmax(t > events[0] + DT / 2))  # first sample after the first event
        for name, rec in self.recs.items():
            y = np.array(rec)
            intervals = []
            for j, te in enumerate(events):
                t_end = events[j + 1] if j + 1 < len(events) else np.inf
                idx = np.nonzero((t >= te) & (t < t_end))[0]
                i_max, i_min = idx[np.argmax(y[idx])], idx[np.argmin(y[idx])]
                intervals.append({"max": y[i_max], "t_max": t[i_max] - te,
                                  "min": y[i_min], "t_min": t[i_min] - te})
            k_max, k_min = int(np.argmax(y)), int(np.argmin(y))
            out["traces"][name] = {"max": y[k_max], "t_max": t[k_max] - events[0],
                                   "min": y[k_min], "t_min": t[k_min] - events[0],
                                   "first_after": y[k_after], "intervals": intervals}
        return json.loads(json.dumps(out, default=float))


def run(specs: list[dict]) -> list[dict]:
    """Simulate all cases together; return one summary per case."""
    _settings()
    cases = [Case(s) for s in specs]
    tvec = h.Vector().record(h._ref_t)
    h.finitialize(V_HOLD)
    stops = {te for c in cases if c.spec.get("slots") for ev in c.spec["events"] for te in ev}
    for te in sorted(stops):
        h.continuerun(te + 1.0)
        for c in cases:
            c.read_slots(te)
    h.continuerun(TSTOP)
    t = np.array(tvec)
    return [c.summary(t) for c in cases]


def probe_functions() -> dict:
    """mggate / mgblock / ghkg at exact voltages: set v, evaluate BREAKPOINT once (fcurrent)."""
    _settings()
    sec = h.Section(name="probe")
    sec.insert("pas")
    ampa = h.DetAMPANMDA(sec(0.5))
    nmda = h.MyExp2SynNMDABB(sec(0.5))
    vs = h.VecStim()
    vec = h.Vector([1.0])
    vs.play(vec)
    nc1 = h.NetCon(vs, ampa)
    nc1.weight[0] = 1.0
    nc1.delay = 0
    nc2 = h.NetCon(vs, nmda)
    nc2.weight[0] = 0.001
    nc2.delay = 0
    h.finitialize(-65)
    h.continuerun(5.0)
    out: dict = {}
    for v in (-65.0, -20.0):
        sec(0.5).v = v
        h.fcurrent()
        out[f"mggate({v:g})"] = ampa.g_NMDA / (h.gmax_DetAMPANMDA * (ampa.B_NMDA - ampa.A_NMDA))
        out[f"mgblock({v:g})"] = nmda.g / nmda.sNMDA
        out[f"ghkg({v:g})"] = nmda.ghkg(v, 5e-5, 2.0, 2)
    return out


def read_defaults(names: dict[str, list[str]]) -> dict:
    """Fresh instances' values of the names the model sets (RANGE) plus the hoc GLOBALs."""
    sec = h.Section(name="defaults")
    out: dict = {}
    for mech, attrs in names.items():
        syn = getattr(h, mech)(sec(0.5))
        out[mech] = {a: getattr(syn, a) for a in attrs}
    out["globals"] = {g: getattr(h, g) for g in
                      ("gmax_DetAMPANMDA", "gmax_DetGABAAB", "fracca_MyExp2SynNMDABB")}
    return out


def vecstim_checks() -> dict:
    """VecStim checks: recorded output times of VecStim (NetCon(vs, None).record), fixed step."""
    _settings()
    out: dict = {}

    def run_for(tstop: float) -> None:
        h.finitialize(-65)
        h.continuerun(tstop)

    vs = h.VecStim()
    vec = h.Vector([0, 1, 5, 5, 20])
    vs.play(vec)
    rec = h.Vector()
    nc = h.NetCon(vs, None)
    nc.record(rec)
    run_for(30)
    out["play"] = list(rec)
    vec.resize(0)
    vec.append(3, 7)  # same Vector object, new contents: read live at the next finitialize
    run_for(30)
    out["replaced_contents"] = list(rec)
    vs.play()
    run_for(30)
    out["detached"] = list(rec)
    # the VecStim keeps its own reference: a temporary Vector must survive
    vs.play(h.Vector([2.5, 4.0, 4.0]))
    run_for(30)
    out["temporary_vector"] = list(rec)
    # re-play with another vector releases the first; the new one is used
    vs.play(h.Vector([12.0]))
    run_for(30)
    out["replayed"] = list(rec)
    # an empty vector: no events
    vs.play(h.Vector())
    run_for(30)
    out["empty"] = list(rec)
    # BMTK 1.2.0's virtual cell: h.VecStim(), .play(h.Vector(sorted times)), NetCon from .hobj
    from types import SimpleNamespace

    from bmtk.simulator.bionet.virtualcell import VirtualCell

    cell = VirtualCell(SimpleNamespace(node_id=0), "background", [17.25, 3.0, 9.5])
    rec_b = h.Vector()
    nc_b = h.NetCon(cell.hobj, None)
    nc_b.record(rec_b)
    run_for(30)
    out["bmtk"] = list(rec_b)
    out["bmtk_hname"] = cell.hobj.hname()
    del nc, nc_b, vs, cell  # destroying VecStims must not crash
    h.finitialize(-65)
    return out


def main() -> None:
    cases = json.loads(os.environ["SONATA_S1_SYN_CASES"])
    names = json.loads(os.environ["SONATA_S1_SYN_NAMES"])
    result = {"defaults": read_defaults(names),
              "runs": {name: run(specs) for name, specs in cases.items()},
              "functions": probe_functions(),
              "vecstim": vecstim_checks()}
    print("JSON:" + json.dumps(result))


if __name__ == "__main__":
    main()
