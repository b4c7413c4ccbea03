COMMENT
K_Tst -- transient (A-type) K+ current (BBP-derived channel used by the Borges
et al. 2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.5
(conventions of section 1 and pitfalls of section 1.16).
All rate expressions are evaluated at u = v + 10 mV (a local value; v is unchanged).
Fixed temperature factor QT = 2.3^((34-21)/10), independent of celsius.
Negative and zero gK_Tstbar occur in the cell files and are accepted as-is.
ENDCOMMENT

NEURON {
    SUFFIX K_Tst
    USEION k READ ek WRITE ik
    RANGE gK_Tstbar, gK_Tst, ik
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gK_Tstbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gK_Tst (S/cm2)
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
    gK_Tst = gK_Tstbar*(m*m*m*m)*h
    ik = gK_Tst*(v - ek)
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
    LOCAL qt, u
    qt = 2.3^((34 - 21)/10)
    u = vm + 10

    mInf = 1/(1 + exp(-u/19))
    mTau = (0.34 + 0.92*exp(-((u + 71)/59)*((u + 71)/59)))/qt
    hInf = 1/(1 + exp((u + 66)/10))
    hTau = (8 + 49*exp(-((u + 73)/23)*((u + 73)/23)))/qt
}
