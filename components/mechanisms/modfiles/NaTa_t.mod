COMMENT
NaTa_t -- transient Na+ current of the axon (BBP-derived channel used by the
Borges et al. 2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.1
(conventions of section 1 and pitfalls of section 1.16).
Rates use a fixed temperature factor QT = 2.3^((34-21)/10), independent of celsius.
Singular points of the alpha/beta expressions are avoided by exact-equality guards
that shift a local copy of v by +1e-4 mV (v itself is never changed).
ENDCOMMENT

NEURON {
    SUFFIX NaTa_t
    USEION na READ ena WRITE ina
    RANGE gNaTa_tbar, gNaTa_t, ina
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gNaTa_tbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    gNaTa_t (S/cm2)
    mInf
    mTau (ms)
    mAlpha (/ms)
    mBeta (/ms)
    hInf
    hTau (ms)
    hAlpha (/ms)
    hBeta (/ms)
}

STATE {
    m
    h
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gNaTa_t = gNaTa_tbar*m*m*m*h
    ina = gNaTa_t*(v - ena)
}

DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}

INITIAL {
    rates(v)
    m = mInf
    h = hInf
}

PROCEDURE rates(vm (mV)) {
    LOCAL qt, lv
    qt = 2.3^((34 - 21)/10)
    lv = vm
    if (lv == -38) {
        lv = lv + 0.0001
    }
    mAlpha = (0.182*(lv + 38))/(1 - exp(-(lv + 38)/6))
    mBeta = (0.124*(-lv - 38))/(1 - exp(-(-lv - 38)/6))
    mInf = mAlpha/(mAlpha + mBeta)
    mTau = (1/(mAlpha + mBeta))/qt

    if (lv == -66) {
        lv = lv + 0.0001
    }
    hAlpha = (-0.015*(lv + 66))/(1 - exp((lv + 66)/6))
    hBeta = (-0.015*(-lv - 66))/(1 - exp((-lv - 66)/6))
    hInf = hAlpha/(hAlpha + hBeta)
    hTau = (1/(hAlpha + hBeta))/qt
}
