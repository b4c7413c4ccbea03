: htc -- hyperpolarisation-activated cation current Ih with Ca2+-dependent up-regulation
: (TC cells). Written for sonata_s1 from /work/shared/docs/mechanisms.md section 2.4
: (conventions 2.0).
: Scheme: c1 <-> o1 (alpha, beta); p0 <-> p1 (k1ca, k2); o1 <-> o2 (k3p, k4), with
: p0 + p1 = 1 and c1 + o1 + o2 = 1. KINETIC/sparse with the rates evaluated once per step
: at the top of the block. INITIAL starts closed and unbound (NOT at steady state).
: nca and nexp enter only the helper activation(); the dynamics hard-wire 4 and 1.
: eh and q10 are implicit GLOBALs (hoc eh_htc, q10_htc); tadj is internal.

NEURON {
    THREADSAFE
    SUFFIX htc
    NONSPECIFIC_CURRENT ih
    USEION ca READ cai
    RANGE gmax, cac, k2, Pc, k4, nca, nexp, ginc, taum, shift, exptemp
    RANGE i, h_inf, tau_s, alpha, beta, k1ca, k3p, m
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
}

PARAMETER {
    eh = -40 (mV)
    gmax = 2e-5 (mho/cm2)
    cac = 0.002 (mM)
    k2 = 0.0004 (1/ms)
    Pc = 0.01
    k4 = 0.001 (1/ms)
    nca = 4
    nexp = 1
    ginc = 2
    taum = 20 (ms)
    shift = 0 (mV)
    q10 = 3
    exptemp = 36 (degC)
}

STATE {
    c1
    o1
    o2
    p0
    p1
}

ASSIGNED {
    v (mV)
    celsius (degC)
    cai (mM)
    ih (mA/cm2)
    i (mA/cm2)
    h_inf
    tau_s (ms)
    alpha (1/ms)
    beta (1/ms)
    k1ca (1/ms)
    k3p (1/ms)
    m
}

LOCAL tadj

BREAKPOINT {
    SOLVE ihkin METHOD sparse
    m = o1 + ginc*o2
    i = gmax*m*(v - eh)
    ih = i
}

KINETIC ihkin {
    evaluate_fct(v, cai)
    ~ c1 <-> o1 (alpha, beta)
    ~ p0 <-> p1 (k1ca, k2)
    ~ o1 <-> o2 (k3p, k4)
    CONSERVE p0 + p1 = 1
    CONSERVE c1 + o1 + o2 = 1
}

INITIAL {
    tadj = q10^((celsius - exptemp)/10)
    evaluate_fct(v, cai)
    c1 = 1
    o1 = 0
    o2 = 0
    p0 = 1
    p1 = 0
}

PROCEDURE evaluate_fct(v (mV), cai (mM)) {
    h_inf = 1/(1 + exp((v + 75 - shift)/5.5))
    tau_s = (taum + 1000/(exp((v + 71.5 - shift)/14.2) + exp(-(v + 89 - shift)/11.6)))/tadj
    alpha = h_inf/tau_s
    beta = (1 - h_inf)/tau_s
    k1ca = k2*(cai/cac)*(cai/cac)*(cai/cac)*(cai/cac)
    k3p = k4*(p1/Pc)
}

PROCEDURE activation(v (mV), cai (mM)) {
    : Called from hoc/Python, this runs with its own copy of the (per-thread) tadj, which
    : INITIAL never sets; set it here from celsius exactly as INITIAL does.
    LOCAL cc
    tadj = q10^((celsius - exptemp)/10)
    evaluate_fct(v, cai)
    cc = 1/(1 + (cac/cai)^nca)
    m = (1 + ginc*(cc/Pc)^nexp)/(1 + beta/alpha + (cc/Pc)^nexp)
}
