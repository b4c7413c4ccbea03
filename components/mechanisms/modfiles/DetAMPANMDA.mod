COMMENT
DetAMPANMDA: deterministic AMPA+NMDA synapse with Tsodyks-Markram short-term plasticity.
Written for sonata_s1 from shared/docs/mechanisms.md section 2.10 (conventions 2.0,
double-exponential normalisation 2.0.5). The STP state (R, Pr, u, tsyn) lives in the
NetCon weight slots, so every NetCon onto one synapse has its own plasticity state.
Weight unit: nS (converted to uS by the implicit GLOBAL gmax = 0.001).
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS DetAMPANMDA
    RANGE tau_r_AMPA, tau_d_AMPA, tau_r_NMDA, tau_d_NMDA
    RANGE Use, Dep, Fac, u0, mg, NMDA_ratio, e
    RANGE i, i_AMPA, i_NMDA, g_AMPA, g_NMDA, g
    RANGE synapseID, verboseLevel
    NONSPECIFIC_CURRENT i
    GLOBAL gmax
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau_r_AMPA = 0.2 (ms)
    tau_d_AMPA = 1.7 (ms)
    tau_r_NMDA = 9.0 (ms)
    tau_d_NMDA = 61.0 (ms)
    Use = 1.0 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    e = 0 (mV)
    mg = 1 (mM)
    u0 = 0 (1)
    NMDA_ratio = 1.22 (1)
    synapseID = 0
    verboseLevel = 0
    gmax = 0.001 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
    i_AMPA (nA)
    i_NMDA (nA)
    g_AMPA (uS)
    g_NMDA (uS)
    g (uS)
    factor_AMPA (1)
    factor_NMDA (1)
}

STATE {
    A_AMPA (1)
    B_AMPA (1)
    A_NMDA (1)
    B_NMDA (1)
}

INITIAL {
    LOCAL tp_AMPA, tp_NMDA
    A_AMPA = 0
    B_AMPA = 0
    A_NMDA = 0
    B_NMDA = 0
    tp_AMPA = (tau_r_AMPA*tau_d_AMPA)/(tau_d_AMPA - tau_r_AMPA)*log(tau_d_AMPA/tau_r_AMPA)
    tp_NMDA = (tau_r_NMDA*tau_d_NMDA)/(tau_d_NMDA - tau_r_NMDA)*log(tau_d_NMDA/tau_r_NMDA)
    factor_AMPA = 1/(exp(-tp_AMPA/tau_d_AMPA) - exp(-tp_AMPA/tau_r_AMPA))
    factor_NMDA = 1/(exp(-tp_NMDA/tau_d_NMDA) - exp(-tp_NMDA/tau_r_NMDA))
}

BREAKPOINT {
    LOCAL mggate
    SOLVE state METHOD cnexp
    UNITSOFF
    mggate = 1/(1 + exp(-0.062*v)*(mg/2.62))
    UNITSON
    g_AMPA = gmax*(B_AMPA - A_AMPA)
    g_NMDA = gmax*(B_NMDA - A_NMDA)*mggate
    g = g_AMPA + g_NMDA
    i_AMPA = g_AMPA*(v - e)
    i_NMDA = g_NMDA*(v - e)
    i = i_AMPA + i_NMDA
}

DERIVATIVE state {
    A_AMPA' = -A_AMPA/tau_r_AMPA
    B_AMPA' = -B_AMPA/tau_d_AMPA
    A_NMDA' = -A_NMDA/tau_r_NMDA
    B_NMDA' = -B_NMDA/tau_d_NMDA
}

NET_RECEIVE (weight, weight_AMPA, weight_NMDA, R, Pr, u, tsyn (ms)) {
    INITIAL {
        R = 1
        u = u0
        tsyn = t
    }
    weight_AMPA = weight
    weight_NMDA = weight*NMDA_ratio
    if (Fac > 0) {
        u = u*exp(-(t - tsyn)/Fac)
    } else {
        u = Use
    }
    if (Fac > 0) {
        u = u + Use*(1 - u)
    }
    R = 1 - (1 - R)*exp(-(t - tsyn)/Dep)
    Pr = u*R
    R = R - u*R
    if (verboseLevel > 0) {
        printf("Synapse %g at time %g: R = %g Pr = %g\n", synapseID, t, R, Pr)
    }
    tsyn = t
    A_AMPA = A_AMPA + Pr*weight_AMPA*factor_AMPA
    B_AMPA = B_AMPA + Pr*weight_AMPA*factor_AMPA
    A_NMDA = A_NMDA + Pr*weight_NMDA*factor_NMDA
    B_NMDA = B_NMDA + Pr*weight_NMDA*factor_NMDA
}

FUNCTION toggleVerbose() {
    verboseLevel = 1 - verboseLevel
    toggleVerbose = 0
}
