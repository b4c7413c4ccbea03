COMMENT
SKv3_1 -- Kv3-type fast delayed-rectifier K+ current (BBP-derived channel used by
the Borges et al. 2022 S1 cell models).
Written from the project specification: shared/docs/mechanisms.md, section 1.6
(conventions of section 1 and pitfalls of section 1.16).
One activation gate, no inactivation, no temperature dependence.
ENDCOMMENT

NEURON {
    SUFFIX SKv3_1
    USEION k READ ek WRITE ik
    RANGE gSKv3_1bar, gSKv3_1, ik
}

UNITS {
    (S) = (siemens)
    (mV) = (millivolt)
    (mA) = (milliamp)
}

PARAMETER {
    gSKv3_1bar = 0.00001 (S/cm2)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    gSKv3_1 (S/cm2)
    mInf
    mTau (ms)
}

STATE {
    m
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gSKv3_1 = gSKv3_1bar*m
    ik = gSKv3_1*(v - ek)
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
    mInf = 1/(1 + exp((vm - 18.700)/(-9.700)))
    mTau = 0.2*20.000/(1 + exp((vm + 46.560)/(-44.140)))
}
