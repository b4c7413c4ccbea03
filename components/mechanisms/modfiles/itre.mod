: itre -- low-threshold T-type Ca2+ current of reticular (RE) cells (m2h).
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.3 (conventions 2.0).
: carev is computed by Nernst from cai/cao at every evaluation (the ion's eca is ignored).
: phim, phih are computed only in INITIAL and are not visible from hoc.

NEURON {
    SUFFIX itre
    USEION ca READ cai, cao WRITE ica
    RANGE gmax, shift, i, carev
    RANGE m_inf, tau_m, h_inf, tau_h
    GLOBAL exptemp, q10m, q10h
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
    gmax = 0.003 (mho/cm2)
    shift = 2 (mV)
    exptemp = 24 (degC)
    q10m = 2.5
    q10h = 2.5
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
    i (mA/cm2)
    carev (mV)
    m_inf
    tau_m (ms)
    h_inf
    tau_h (ms)
}

LOCAL phim, phih

BREAKPOINT {
    SOLVE castate METHOD cnexp
    carev = (1e3)*(R*(celsius + 273.15))/(2*FARADAY)*log(cao/cai)
    i = gmax*m*m*h*(v - carev)
    ica = i
}

DERIVATIVE castate {
    evaluate_fct(v)
    m' = (m_inf - m)/tau_m
    h' = (h_inf - h)/tau_h
}

INITIAL {
    phim = q10m^((celsius - exptemp)/10)
    phih = q10h^((celsius - exptemp)/10)
    evaluate_fct(v)
    m = m_inf
    h = h_inf
}

PROCEDURE evaluate_fct(v (mV)) {
    LOCAL V
    V = v + shift
    m_inf = 1/(1 + exp(-(V + 50)/7.4))
    h_inf = 1/(1 + exp((V + 78)/5))
    tau_m = (1 + 0.33/(exp((V + 25)/10) + exp(-(V + 100)/15)))/phim
    tau_h = (85 + 1/(exp((V + 46)/4) + exp(-(V + 405)/50)))/phih
}
