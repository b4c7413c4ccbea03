: ittc -- low-threshold T-type Ca2+ current of thalamocortical (TC) cells (m2h).
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.2 (conventions 2.0).
: The reversal potential is computed internally by Nernst from cai/cao (the ion's eca is
: ignored). phi_m, phi_h are computed only in INITIAL and are not visible from hoc.
: q10m, q10h are GLOBAL; exptemp is an implicit GLOBAL (hoc exptemp_ittc).

NEURON {
    SUFFIX ittc
    USEION ca READ cai, cao WRITE ica
    RANGE gmax, shift, g, i
    RANGE m_inf, tau_m, h_inf, tau_h
    GLOBAL q10m, q10h
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}

PARAMETER {
    gmax = 0.0022 (mho/cm2)
    shift = 2 (mV)
    q10m = 3
    q10h = 3
    exptemp = 24 (degC)
}

STATE {
    m h
}

ASSIGNED {
    v (mV)
    celsius (degC)
    cai (mM)
    cao (mM)
    ica (mA/cm2)
    g (mho/cm2)
    i (mA/cm2)
    m_inf
    tau_m (ms)
    h_inf
    tau_h (ms)
}

LOCAL phi_m, phi_h

BREAKPOINT {
    LOCAL carev
    SOLVE castate METHOD cnexp
    carev = (1e3)*(R*(celsius + 273.15))/(2*FARADAY)*log(cao/cai)
    g = gmax*m*m*h
    i = g*(v - carev)
    ica = i
}

DERIVATIVE castate {
    evaluate_fct(v)
    m' = (m_inf - m)/tau_m
    h' = (h_inf - h)/tau_h
}

INITIAL {
    phi_m = q10m^((celsius - exptemp)/10)
    phi_h = q10h^((celsius - exptemp)/10)
    evaluate_fct(v)
    h = h_inf
    m = m_inf
}

PROCEDURE evaluate_fct(v (mV)) {
    LOCAL V
    V = v + shift
    m_inf = 1/(1 + exp(-(V + 57)/6.2))
    h_inf = 1/(1 + exp((V + 81)/4))
    tau_m = (1/(exp(-(V + 129.6)/16.7) + exp((V + 14.8)/18.2)) + 0.612)/phi_m
    tau_h = (30.8 + (211.4 + exp((V + 113.2)/5))/(1 + exp((V + 84)/3.2)))/phi_h
}
