COMMENT
KdShu2007 -- slowly inactivating D-type K+ channel (some S1 interneurons).
Written for sonata_s1 from the specification docs/mechanisms.md section 1.14
(conventions section 1, constants and pitfalls section 1.16).
Writes ik but does NOT read the ion's ek: ek is this mechanism's own RANGE
parameter (default -100 mV). Time constants are constants (0.6 ms, 1500 ms);
the q10 factor is computed as in the original but never used, so there is no
temperature dependence.
ENDCOMMENT

NEURON {
    THREADSAFE
    SUFFIX KdShu2007
    USEION k WRITE ik
    RANGE gkbar, ek, ik
    GLOBAL minf, mtau, hinf, htau, vhalfm, km, vhalfh, kh, q10
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gkbar = 0.1 (S/cm2)
    ek = -100 (mV)
    vhalfm = -43 (mV)
    km = 8 (mV)
    vhalfh = -67 (mV)
    kh = 7.3 (mV)
    q10 = 2.3
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ik (mA/cm2)
    minf
    mtau (ms)
    hinf
    htau (ms)
}

STATE {
    m
    h
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gkbar*m*h*(v - ek)
}

INITIAL {
    trates(v)
    m = minf
    h = hinf
}

DERIVATIVE states {
    trates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

PROCEDURE trates(vm (mV)) {
    LOCAL qt
    qt = q10^((celsius - 22)/10)  : computed as in the original, deliberately unused
    minf = 1 - 1/(1 + exp((vm - vhalfm)/km))
    hinf = 1/(1 + exp((vm - vhalfh)/kh))
    mtau = 0.6
    htau = 1500
}
