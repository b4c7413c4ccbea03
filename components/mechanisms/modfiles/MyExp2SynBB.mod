COMMENT
MyExp2SynBB: plain double-exponential conductance synapse with a saturation ceiling gmax.
Written for sonata_s1 from shared/docs/mechanisms.md section 2.12 (conventions 2.0,
normalisation 2.0.5). Weight unit: uS (peak conductance of one event). No plasticity.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS MyExp2SynBB
    RANGE tau1, tau2, e, i, g, Vwt, gmax
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau1 = 0.1 (ms)
    tau2 = 10 (ms)
    e = 0 (mV)
    gmax = 1e9 (uS)
    Vwt = 0
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    factor (1)
}

STATE {
    A (uS)
    B (uS)
}

INITIAL {
    LOCAL tp
    Vwt = 0
    if (tau1/tau2 > 0.9999) {
        tau1 = 0.9999*tau2
    }
    A = 0
    B = 0
    tp = (tau1*tau2)/(tau2 - tau1)*log(tau2/tau1)
    factor = 1/(exp(-tp/tau2) - exp(-tp/tau1))
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    g = B - A
    if (g > gmax) {
        g = gmax
    }
    i = g*(v - e)
}

DERIVATIVE state {
    A' = -A/tau1
    B' = -B/tau2
}

NET_RECEIVE (w (uS)) {
    A = A + w*factor
    B = B + w*factor
}
