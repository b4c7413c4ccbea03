COMMENT
Ca_LVAst -- low-voltage-activated (T-type) Ca2+ channel (cortical S1 cells).
Written for sonata_s1 from the specification docs/mechanisms.md section 1.12
(conventions section 1, constants and pitfalls section 1.16).
m^2 h kinetics, rates evaluated at u = v + 10 mV, time constants divided by the
FIXED factor QT = 2.3^((34-21)/10) (independent of celsius, computed in code at
full precision), linear driving force (v - eca).
ENDCOMMENT

NEURON {
    SUFFIX Ca_LVAst
    USEION ca READ eca WRITE ica
    RANGE gCa_LVAstbar, gCa_LVAst, ica
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gCa_LVAstbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    gCa_LVAst (S/cm2)
    mInf
    mTau (ms)
    hInf
    hTau (ms)
}

STATE {
    m
    h
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gCa_LVAst = gCa_LVAstbar*m*m*h
    ica = gCa_LVAst*(v - eca)
}

DERIVATIVE states {
    rates()
    m' = (mInf - m)/mTau
    h' = (hInf - h)/hTau
}

INITIAL {
    rates()
    m = mInf
    h = hInf
}

PROCEDURE rates() {
    LOCAL u, qt
    qt = 2.3^((34 - 21)/10)
    u = v + 10
    mInf = 1.0000/(1 + exp((u + 30)/(-6)))
    mTau = (5.0000 + 20.0000/(1 + exp((u + 25)/5)))/qt
    hInf = 1.0000/(1 + exp((u + 80)/6.4))
    hTau = (20.0000 + 50.0000/(1 + exp((u + 40)/7)))/qt
}
