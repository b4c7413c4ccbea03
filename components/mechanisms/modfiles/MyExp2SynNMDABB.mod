COMMENT
MyExp2SynNMDABB: double-exponential NMDA synapse with a fixed-[Mg] block; a fraction fracca of
the current is carried by Ca2+ (GHK driving force) and written to the segment's ca ion.
Written for sonata_s1 from shared/docs/mechanisms.md section 2.13 (conventions 2.0,
constants 2.0.2, normalisation 2.0.5). Weight unit: uS. No plasticity.
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS MyExp2SynNMDABB
    USEION ca READ cai, cao WRITE ica
    NONSPECIFIC_CURRENT iNMDA
    RANGE tau1NMDA, tau2NMDA, e, r, smax, sNMDAmax, Vwt
    RANGE iNMDA, sNMDA, ica, g
    GLOBAL fracca
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    tau1NMDA = 15 (ms)
    tau2NMDA = 150 (ms)
    e = 0 (mV)
    r = 1
    smax = 1e9 (1)
    sNMDAmax = 1e9 (1)
    Vwt = 0
    fracca = 0.13
}

ASSIGNED {
    v (mV)
    iNMDA (nA)
    sNMDA (uS)
    ica (nA)
    g (uS)
    cai (mM)
    cao (mM)
    celsius (degC)
    factor2 (1)
}

STATE {
    A2 (uS)
    B2 (uS)
}

INITIAL {
    LOCAL tp2
    Vwt = 0
    if (tau1NMDA/tau2NMDA > 0.9999) {
        tau1NMDA = 0.9999*tau2NMDA
    }
    A2 = 0
    B2 = 0
    tp2 = (tau1NMDA*tau2NMDA)/(tau2NMDA - tau1NMDA)*log(tau2NMDA/tau1NMDA)
    factor2 = 1/(exp(-tp2/tau2NMDA) - exp(-tp2/tau1NMDA))
}

BREAKPOINT {
    LOCAL mgblock
    SOLVE state METHOD cnexp
    UNITSOFF
    mgblock = 1/(1 + 0.28*exp(-0.062*v))
    sNMDA = B2 - A2
    if (sNMDA > sNMDAmax) {
        sNMDA = sNMDAmax
    }
    iNMDA = sNMDA*(v - e)*mgblock*(1 - fracca)
    if (fracca > 0) {
        ica = sNMDA*ghkg(v, cai, cao, 2)*mgblock*fracca
    }
    g = sNMDA*mgblock
    UNITSON
}

DERIVATIVE state {
    A2' = -A2/tau1NMDA
    B2' = -B2/tau2NMDA
}

NET_RECEIVE (w (uS)) {
    if (r >= 0) {
        A2 = A2 + factor2*w*r
        B2 = B2 + factor2*w*r
    }
}

UNITSOFF
FUNCTION ghkg(v (mV), ci (mM), co (mM), z) (mV) {
    LOCAL xi, f, fxi
    f = R*(celsius + 273.15)/(z*(1e-3)*FARADAY)
    xi = v/f
    if (fabs(xi) < 1e-4) {
        fxi = 1 - xi/2
    } else {
        fxi = xi/(exp(xi) - 1)
    }
    ghkg = f*((ci/co)*exp(xi) - 1)*fxi
}
UNITSON
