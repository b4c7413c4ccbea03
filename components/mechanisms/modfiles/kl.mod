: kl -- K+ leak current.
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.6 (conventions section 2.0).
: The driving force uses the GLOBAL erev (hoc erev_kl), not the ion's ek; ek is read
: but unused, and the current is still added to ik.

NEURON {
    SUFFIX kl
    USEION k READ ek WRITE ik
    RANGE gmax, i
    GLOBAL erev
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gmax = 4e-4 (mho/cm2)
    erev = -100 (mV)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    i (mA/cm2)
}

BREAKPOINT {
    i = gmax*(v - erev)
    ik = i
}
