COMMENT
DetGABAAB: deterministic GABA_A+GABA_B synapse with Tsodyks-Markram short-term plasticity.
Written for sonata_s1 from shared/docs/mechanisms.md section 2.11 (structure of 2.10,
conventions 2.0, normalisation 2.0.5). STP state (R, Pr, u, tsyn) is kept per NetCon in the
weight slots. Weight unit: nS (converted to uS by the implicit GLOBAL gmax = 0.001).
ENDCOMMENT

NEURON {
    THREADSAFE
    POINT_PROCESS DetGABAAB
    RANGE tau_r_GABAA, tau_d_GABAA, tau_r_GABAB, tau_d_GABAB
    RANGE Use, Dep, Fac, u0, GABAB_ratio, e_GABAA, e_GABAB
    RANGE i, i_GABAA, i_GABAB, g_GABAA, g_GABAB, g
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
    tau_r_GABAA = 0.2 (ms)
    tau_d_GABAA = 8 (ms)
    tau_r_GABAB = 3.5 (ms)
    tau_d_GABAB = 260.9 (ms)
    Use = 1.0 (1)
    Dep = 100 (ms)
    Fac = 10 (ms)
    e_GABAA = -80 (mV)
    e_GABAB = -97 (mV)
    u0 = 0 (1)
    GABAB_ratio = 0 (1)
    synapseID = 0
    verboseLevel = 0
    gmax = 0.001 (uS)
}

ASSIGNED {
    v (mV)
    i (nA)
    i_GABAA (nA)
    i_GABAB (nA)
    g_GABAA (uS)
    g_GABAB (uS)
    g (uS)
    factor_GABAA (1)
    factor_GABAB (1)
}

STATE {
    A_GABAA (1)
    B_GABAA (1)
    A_GABAB (1)
    B_GABAB (1)
}

INITIAL {
    LOCAL tp_GABAA, tp_GABAB
    A_GABAA = 0
    B_GABAA = 0
    A_GABAB = 0
    B_GABAB = 0
    tp_GABAA = (tau_r_GABAA*tau_d_GABAA)/(tau_d_GABAA - tau_r_GABAA)*log(tau_d_GABAA/tau_r_GABAA)
    tp_GABAB = (tau_r_GABAB*tau_d_GABAB)/(tau_d_GABAB - tau_r_GABAB)*log(tau_d_GABAB/tau_r_GABAB)
    factor_GABAA = 1/(exp(-tp_GABAA/tau_d_GABAA) - exp(-tp_GABAA/tau_r_GABAA))
    factor_GABAB = 1/(exp(-tp_GABAB/tau_d_GABAB) - exp(-tp_GABAB/tau_r_GABAB))
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    g_GABAA = gmax*(B_GABAA - A_GABAA)
    g_GABAB = gmax*(B_GABAB - A_GABAB)
    g = g_GABAA + g_GABAB
    i_GABAA = g_GABAA*(v - e_GABAA)
    i_GABAB = g_GABAB*(v - e_GABAB)
    i = i_GABAA + i_GABAB
}

DERIVATIVE state {
    A_GABAA' = -A_GABAA/tau_r_GABAA
    B_GABAA' = -B_GABAA/tau_d_GABAA
    A_GABAB' = -A_GABAB/tau_r_GABAB
    B_GABAB' = -B_GABAB/tau_d_GABAB
}

NET_RECEIVE (weight, weight_GABAA, weight_GABAB, R, Pr, u, tsyn (ms)) {
    INITIAL {
        R = 1
        u = u0
        tsyn = t
    }
    weight_GABAA = weight
    weight_GABAB = weight*GABAB_ratio
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
    A_GABAA = A_GABAA + Pr*weight_GABAA*factor_GABAA
    B_GABAA = B_GABAA + Pr*weight_GABAA*factor_GABAA
    A_GABAB = A_GABAB + Pr*weight_GABAB*factor_GABAB
    B_GABAB = B_GABAB + Pr*weight_GABAB*factor_GABAB
}

FUNCTION toggleVerbose() {
    verboseLevel = 1 - verboseLevel
    toggleVerbose = 0
}
