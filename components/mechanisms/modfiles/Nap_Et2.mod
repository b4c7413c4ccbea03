COMMENT
Nap_Et2 -- persistent Na+ current (BBP-derived channel used by the Borges et al.
2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.3
(conventions of section 1 and pitfalls of section 1.16).
mInf and hInf are Boltzmann functions; the alpha/beta pairs only set the time
constants. Fixed temperature factor QT = 2.3^((34-21)/10), independent of celsius.
Exact-equality guards shift a local copy of v by +1e-4 mV, in the specified order
(mInf is computed before the first guard).
ENDCOMMENT

NEURON {
    SUFFIX Nap_Et2
    USEION na READ ena WRITE ina
    RANGE gNap_Et2bar, gNap_Et2, ina
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gNap_Et2bar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    gNap_Et2 (S/cm2)
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
    gNap_Et2 = gNap_Et2bar*m*m*m*h
    ina = gNap_Et2*(v - ena)
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

    mInf = 1.0/(1 + exp((lv + 52.6)/(-4.6)))
    if (lv == -38) {
        lv = lv + 0.0001
    }
    mAlpha = (0.182*(lv + 38))/(1 - exp(-(lv + 38)/6))
    mBeta = (0.124*(-lv - 38))/(1 - exp(-(-lv - 38)/6))
    mTau = 6*(1/(mAlpha + mBeta))/qt

    if (lv == -17) {
        lv = lv + 0.0001
    }
    if (lv == -64.4) {
        lv = lv + 0.0001
    }
    hInf = 1.0/(1 + exp((lv + 48.8)/10))
    hAlpha = (-2.88e-6*(lv + 17))/(1 - exp((lv + 17)/4.63))
    hBeta = (6.94e-6*(lv + 64.4))/(1 - exp(-(lv + 64.4)/2.63))
    hTau = (1/(hAlpha + hBeta))/qt
}
