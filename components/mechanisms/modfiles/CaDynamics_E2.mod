COMMENT
CaDynamics_E2 -- submembrane Ca2+ pool with first-order removal (cortical S1 cells).
Written for sonata_s1 from the specification docs/mechanisms.md section 1.13
(conventions section 1, constants and pitfalls section 1.16).
cai is a STATE written through USEION ca ... WRITE cai, so NEURON recomputes eca
by Nernst at initialization and every step. Deliberately NO INITIAL block: cai
starts at the ion default cai0_ca_ion (5e-5 mM) and relaxes towards minCai.
FARADAY uses NEURON's default (non-legacy, CODATA 2018) unit set; the literal
10000 converts (mA/cm2)/((C/mol) um) to mM/ms.
ENDCOMMENT

NEURON {
    SUFFIX CaDynamics_E2
    USEION ca READ ica WRITE cai
    RANGE decay, gamma, minCai, depth
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulombs)
    (molar) = (1/liter)
    (mM) = (millimolar)
    (um) = (micron)
}

PARAMETER {
    gamma = 0.05
    decay = 80 (ms)
    depth = 0.1 (um)
    minCai = 1e-4 (mM)
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    cai (mM)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
}

DERIVATIVE states {
    cai' = -(10000)*(ica*gamma/(2*FARADAY*depth)) - (cai - minCai)/decay
}
