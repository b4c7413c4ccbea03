COMMENT
Ih -- hyperpolarisation-activated cation (HCN) current (BBP-derived channel used
by the Borges et al. 2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.8
(conventions of section 1 and pitfalls of section 1.16).
Non-specific current with one GLOBAL reversal ehcn (-45 mV); no temperature
dependence. The singular point of mAlpha is avoided by an exact-equality guard
that shifts a local copy of v by +1e-4 mV (v itself is never changed).
ENDCOMMENT

NEURON {
    SUFFIX Ih
    NONSPECIFIC_CURRENT ihcn
    RANGE gIhbar, gIh, ihcn
    GLOBAL ehcn
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gIhbar = 0.00001 (S/cm2)
    ehcn = -45.0 (mV)
}

ASSIGNED {
    v (mV)
    ihcn (mA/cm2)
    gIh (S/cm2)
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
    gIh = gIhbar*m
    ihcn = gIh*(v - ehcn)
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
    LOCAL lv
    lv = vm
    if (lv == -154.9) {
        lv = lv + 0.0001
    }
    mAlpha = 0.001*6.43*(lv + 154.9)/(exp((lv + 154.9)/11.9) - 1)
    mBeta = 0.001*193*exp(lv/33.1)
    mInf = mAlpha/(mAlpha + mBeta)
    mTau = 1/(mAlpha + mBeta)
}
