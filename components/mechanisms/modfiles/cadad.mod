: cadad -- sub-membrane Ca2+ shell with first-order extrusion.
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.7 (conventions 2.0).
: Uses its own Faraday constant F = 96489 (not NEURON's FARADAY). Only inward Ca current
: fills the shell (outward flux is clamped to zero). kt and kd are unused placeholders
: that must exist because the cell templates set them.

NEURON {
    SUFFIX cadad
    USEION ca READ ica, cai WRITE cai
    RANGE depth, taur, cainf, kt, kd
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
    (um) = (micron)
}

CONSTANT {
    F = 96489 (coulombs)
}

PARAMETER {
    depth = 1 (um)
    taur = 5 (ms)
    cainf = 2.4e-4 (mM)
    kt = 0 (mM/ms)
    kd = 0 (mM)
}

STATE {
    cai (mM)
}

ASSIGNED {
    ica (mA/cm2)
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE state METHOD cnexp
}

DERIVATIVE state {
    LOCAL drive
    drive = -(10000)*ica/(2*F*depth)
    if (drive <= 0) {
        drive = 0
    }
    cai' = drive + (cainf - cai)/taur
}
