COMMENT
Ca_HVA -- high-voltage-activated Ca2+ channel (cortical S1 cells).
Written for sonata_s1 from the specification docs/mechanisms.md section 1.10
(conventions section 1, constants and pitfalls section 1.16).
m^2 h kinetics, no temperature factor, linear driving force (v - eca).
Guard: when v == -27 exactly, a local copy of v is shifted by +1e-4 mV for
all four rate expressions; the current uses the true v.
The original exposes no conductance variable (its RANGE gCa_HVA is never
declared); here gCa_HVA is exposed as a harmless diagnostic (allowed by 1.10).
ENDCOMMENT

NEURON {
    SUFFIX Ca_HVA
    USEION ca READ eca WRITE ica
    RANGE gCa_HVAbar, gCa_HVA, ica
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gCa_HVAbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    gCa_HVA (S/cm2)
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
    gCa_HVA = gCa_HVAbar*m*m*h
    ica = gCa_HVA*(v - eca)
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
    LOCAL u
    u = v
    if (u == -27) {
        u = u + 0.0001
    }
    mAlpha = (0.055*(-27 - u))/(exp((-27 - u)/3.8) - 1)
    mBeta = 0.94*exp((-75 - u)/17)
    mInf = mAlpha/(mAlpha + mBeta)
    mTau = 1/(mAlpha + mBeta)
    hAlpha = 0.000457*exp((-13 - u)/50)
    hBeta = 0.0065/(exp((-u - 15)/28) + 1)
    hInf = hAlpha/(hAlpha + hBeta)
    hTau = 1/(hAlpha + hBeta)
}
