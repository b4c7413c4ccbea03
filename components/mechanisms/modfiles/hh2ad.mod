: hh2ad -- fast Na+ and delayed-rectifier K+ currents (Traub-Miles kinetics, Destexhe form).
: Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.1 (conventions section 2.0).
: Temperature factor tadj = 3^((celsius-36)/10) is computed only in INITIAL and is not
: visible from hoc (no GLOBALs). m_exp, h_exp, n_exp are diagnostics only.

NEURON {
    SUFFIX hh2ad
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    RANGE gnabar, gkbar, vtraub
    RANGE inahh2, ikhh2
    RANGE m_inf, h_inf, n_inf
    RANGE tau_m, tau_h, tau_n
    RANGE m_exp, h_exp, n_exp
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
}

PARAMETER {
    gnabar = 0.003 (mho/cm2)
    gkbar = 0.005 (mho/cm2)
    vtraub = -63 (mV)
}

STATE {
    m h n
}

ASSIGNED {
    v (mV)
    celsius (degC)
    dt (ms)
    ena (mV)
    ek (mV)
    ina (mA/cm2)
    ik (mA/cm2)
    inahh2 (mA/cm2)
    ikhh2 (mA/cm2)
    m_inf
    h_inf
    n_inf
    tau_m (ms)
    tau_h (ms)
    tau_n (ms)
    m_exp
    h_exp
    n_exp
}

LOCAL tadj

BREAKPOINT {
    SOLVE states METHOD cnexp
    inahh2 = gnabar*m*m*m*h*(v - ena)
    ikhh2 = gkbar*n*n*n*n*(v - ek)
    ina = inahh2
    ik = ikhh2
}

DERIVATIVE states {
    evaluate_fct(v)
    m' = (m_inf - m)/tau_m
    h' = (h_inf - h)/tau_h
    n' = (n_inf - n)/tau_n
}

INITIAL {
    tadj = 3^((celsius - 36)/10)
    evaluate_fct(v)
    m = m_inf
    h = h_inf
    n = n_inf
}

PROCEDURE evaluate_fct(v (mV)) {
    LOCAL u, a, b
    u = v - vtraub

    a = 0.32*vtrap(13 - u, 4)
    b = 0.28*vtrap(u - 40, 5)
    tau_m = 1/((a + b)*tadj)
    m_inf = a/(a + b)

    a = 0.128*Exp((17 - u)/18)
    b = 4/(1 + Exp((40 - u)/5))
    tau_h = 1/((a + b)*tadj)
    h_inf = a/(a + b)

    a = 0.032*vtrap(15 - u, 5)
    b = 0.5*Exp((10 - u)/40)
    tau_n = 1/((a + b)*tadj)
    n_inf = a/(a + b)

    m_exp = 1 - exp(-dt/tau_m)
    h_exp = 1 - exp(-dt/tau_h)
    n_exp = 1 - exp(-dt/tau_n)
}

FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/(2*y))
    } else {
        vtrap = x/(Exp(x/y) - 1)
    }
}

FUNCTION Exp(x) {
    if (x < -100) {
        Exp = 0
    } else {
        Exp = exp(x)
    }
}
