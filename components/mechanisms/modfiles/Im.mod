COMMENT
Im -- M-type (slow, non-inactivating) K+ current (BBP-derived channel used by the
Borges et al. 2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.7
(conventions of section 1 and pitfalls of section 1.16).
Fixed temperature factor QT = 2.3^((34-21)/10), independent of celsius.
Negative gImbar values occur in the cell files and are accepted as-is.
ENDCOMMENT

NEURON {
    SUFFIX Im
    USEION k READ ek WRITE ik
    RANGE gImbar, gIm, ik
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gImbar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gIm (S/cm2)
    mInf
    mTau (ms)
    mAlpha (/ms)
    mBeta (/ms)
}

STATE {
    m
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gIm = gImbar*m
    ik = gIm*(v - ek)
}

DERIVATIVE states {
    rates(v)
    m' = (mInf - m)/mTau
}

INITIAL {
    rates(v)
    m = mInf
}

PROCEDURE rates(vm (mV)) {
    LOCAL qt
    qt = 2.3^((34 - 21)/10)
    mAlpha = 3.3e-3*exp(2.5*0.04*(vm + 35))
    mBeta = 3.3e-3*exp(-2.5*0.04*(vm + 35))
    mInf = mAlpha/(mAlpha + mBeta)
    mTau = (1/(mAlpha + mBeta))/qt
}
