COMMENT
StochKv_deterministic -- deterministic (mean-field) form of the BBP stochastic Kv
channel, in the structure of a NeuroML ionChannelHH with one gateHHrates gate
and q10 conductance scaling (some S1 interneurons).
Written for sonata_s1 from the specification docs/mechanisms.md section 1.15
(conventions section 1, constants and pitfalls section 1.16).
Deliberate numerics, all required for identical spike trains:
 * n_q' = rate_n_q with rate_n_q an ASSIGNED computed in rates(): cnexp cannot
   see the linearity and emits an explicit (forward) Euler step;
 * n_fcond = n_q^n_instances is refreshed only in rates() (before n_q is
   advanced), so the conductance lags the state by one step and is exactly 0
   during the first step after every finitialize;
 * q10 factors use celsius only at initialization (temperature is set in INITIAL);
 * the reversal is a private -85 mV (the k ion's ek is not read).
All 14 parameters are RANGE because the cell JSON sets each of them.
ENDCOMMENT

NEURON {
    SUFFIX StochKv_deterministic
    USEION k WRITE ik VALENCE 1
    RANGE gion, gmax, conductance, g, fopen
    RANGE conductanceScale
    RANGE q10ConductanceScaling_q10Factor, q10ConductanceScaling_experimentalTemp
    RANGE q10ConductanceScaling_factor
    RANGE n_instances
    RANGE n_forwardRate_rate, n_forwardRate_midpoint, n_forwardRate_scale
    RANGE n_forwardRate_x, n_forwardRate_r
    RANGE n_reverseRate_rate, n_reverseRate_midpoint, n_reverseRate_scale
    RANGE n_reverseRate_x, n_reverseRate_r
    RANGE n_q10Settings_q10Factor, n_q10Settings_experimentalTemp, n_q10Settings_TENDEGREES
    RANGE n_q10Settings_q10
    RANGE n_alpha, n_beta, n_tau, n_inf, n_rateScale, n_fcond
    RANGE fopenHHrates, fopenHHtauInf, fopenHHratesTau, fopenHHratesInf, fopenHHratesTauInf
}

UNITS {
    (nA) = (nanoamp)
    (uA) = (microamp)
    (mA) = (milliamp)
    (A) = (amp)
    (mV) = (millivolt)
    (mS) = (millisiemens)
    (uS) = (microsiemens)
    (molar) = (1/liter)
    (kHz) = (kilohertz)
    (mM) = (millimolar)
    (um) = (micrometer)
    (umol) = (micromole)
    (S) = (siemens)
}

PARAMETER {
    gmax = 0 (S/cm2)
    conductance = 1.0E-5 (uS)
    q10ConductanceScaling_q10Factor = 2.3
    q10ConductanceScaling_experimentalTemp = 296.15 (K)
    n_instances = 1
    n_forwardRate_rate = 0.18 (kHz)
    n_forwardRate_midpoint = -40 (mV)
    n_forwardRate_scale = 9 (mV)
    n_reverseRate_rate = 0.018 (kHz)
    n_reverseRate_midpoint = -40 (mV)
    n_reverseRate_scale = -9 (mV)
    n_q10Settings_q10Factor = 2.3
    n_q10Settings_experimentalTemp = 296.15 (K)
    n_q10Settings_TENDEGREES = 10 (K)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    : private, per instance, not visible from hoc/Python:
    ek (mV)
    temperature (K)
    rate_n_q (/ms)

    ik (mA/cm2)
    gion (S/cm2)
    g (uS)
    fopen
    conductanceScale
    q10ConductanceScaling_factor
    n_forwardRate_x
    n_forwardRate_r (kHz)
    n_reverseRate_x
    n_reverseRate_r (kHz)
    n_q10Settings_q10
    n_alpha (kHz)
    n_beta (kHz)
    n_inf
    n_tau (ms)
    n_rateScale
    n_fcond
    fopenHHrates
    fopenHHtauInf
    fopenHHratesTau
    fopenHHratesInf
    fopenHHratesTauInf
}

STATE {
    n_q
}

INITIAL {
    ek = -85.0
    temperature = celsius + 273.15
    rates()
    rates()
    n_q = n_inf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    conductanceScale = q10ConductanceScaling_factor
    fopenHHrates = n_fcond
    fopenHHtauInf = 1
    fopenHHratesTau = 1
    fopenHHratesInf = 1
    fopenHHratesTauInf = 1
    fopen = conductanceScale*fopenHHrates
    g = conductance*fopen
    gion = gmax*fopen
    ik = gion*(v - ek)
}

DERIVATIVE states {
    rates()
    n_q' = rate_n_q
}

PROCEDURE rates() {
    q10ConductanceScaling_factor = q10ConductanceScaling_q10Factor^((temperature - q10ConductanceScaling_experimentalTemp)/10)

    n_reverseRate_x = (v - n_reverseRate_midpoint)/n_reverseRate_scale
    if (n_reverseRate_x != 0) {
        n_reverseRate_r = n_reverseRate_rate*n_reverseRate_x/(1 - exp(0 - n_reverseRate_x))
    } else {
        n_reverseRate_r = n_reverseRate_rate
    }

    n_forwardRate_x = (v - n_forwardRate_midpoint)/n_forwardRate_scale
    if (n_forwardRate_x != 0) {
        n_forwardRate_r = n_forwardRate_rate*n_forwardRate_x/(1 - exp(0 - n_forwardRate_x))
    } else {
        n_forwardRate_r = n_forwardRate_rate
    }

    n_q10Settings_q10 = n_q10Settings_q10Factor^((temperature - n_q10Settings_experimentalTemp)/n_q10Settings_TENDEGREES)
    n_rateScale = n_q10Settings_q10

    n_alpha = n_forwardRate_r
    n_beta = n_reverseRate_r
    n_fcond = n_q^n_instances

    n_inf = n_alpha/(n_alpha + n_beta)
    n_tau = 1/((n_alpha + n_beta)*n_rateScale)

    rate_n_q = (n_inf - n_q)/n_tau
}
