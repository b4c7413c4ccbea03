: ia -- transient (A-type) K+ current (m4h).
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.5 (conventions 2.0).
: tadj = q10^((celsius-exptemp)/10) is computed only in INITIAL and is not visible from hoc.
: The TC template inserts it with gmax = 0 (no current in the model).

NEURON {
    SUFFIX ia
    USEION k READ ek WRITE ik VALENCE 1
    RANGE gmax, exptemp, q10, i
    RANGE m_inf, tau_m, h_inf, tau_h
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gmax = 0 (mho/cm2)
    exptemp = 23.5 (degC)
    q10 = 3
}

STATE {
    m h
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ek (mV)
    ik (mA/cm2)
    i (mA/cm2)
    m_inf
    tau_m (ms)
    h_inf
    tau_h (ms)
}

LOCAL tadj

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gmax*m*m*m*m*h*(v - ek)
    ik = i
}

DERIVATIVE states {
    evaluate_fct(v)
    m' = (m_inf - m)/tau_m
    h' = (h_inf - h)/tau_h
}

INITIAL {
    tadj = q10^((celsius - exptemp)/10)
    evaluate_fct(v)
    m = m_inf
    h = h_inf
}

PROCEDURE evaluate_fct(v (mV)) {
    m_inf = 1/(1 + exp(-(v + 60)/8.5))
    h_inf = 1/(1 + exp((v + 78)/6))
    tau_m = (1/(exp((v + 35.82)/19.69) + exp(-(v + 79.69)/12.7)) + 0.37)/tadj
    if (v < -63) {
        tau_h = 1/(exp((v + 46.05)/5) + exp(-(v + 238.4)/37.45))/tadj
    } else {
        tau_h = 19/tadj
    }
}
