COMMENT
VecStim: artificial cell that plays the spike times held in a NEURON Vector as network events.
Written for sonata_s1 from shared/docs/mechanisms.md section 2.14. Interface used by BMTK's
virtual cells: vs = h.VecStim(); vs.play(vec); play() with no argument detaches the vector.
Times are read one at a time from the live Vector; they must be non-decreasing and >= the
time of finitialize. The Vector is referenced while attached and released on re-play or
destruction. bbcore_write/read are empty stubs (only CoreNEURON would need them).
ENDCOMMENT

NEURON {
    THREADSAFE
    ARTIFICIAL_CELL VecStim
    BBCOREPOINTER ptr
}

ASSIGNED {
    index
    etime (ms)
    ptr
}

INITIAL {
    index = 0
    next_element()
    if (index > 0) {
        net_send(etime - t, 1)
    }
}

NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        next_element()
        if (index > 0) {
            net_send(etime - t, 1)
        }
    }
}

DESTRUCTOR {
VERBATIM
    {
        IvocVect* vv = (IvocVect*) _p_ptr;
        if (vv) {
            hoc_obj_unref(*vector_pobj(vv));
        }
        _p_ptr = nullptr;
    }
ENDVERBATIM
}

PROCEDURE next_element() {
VERBATIM
    {
        IvocVect* vv = (IvocVect*) _p_ptr;
        if (index >= 0) {
            if (vv && index < vector_capacity(vv)) {
                etime = vector_vec(vv)[(int) index];
                index += 1.;
            } else {
                index = -1.;
            }
        }
    }
ENDVERBATIM
}

PROCEDURE play() {
VERBATIM
    {
        IvocVect* old = (IvocVect*) _p_ptr;
        IvocVect* vv = nullptr;
        if (ifarg(1)) {
            vv = vector_arg(1);
            hoc_obj_ref(*vector_pobj(vv));
        }
        if (old) {
            hoc_obj_unref(*vector_pobj(old));
        }
        _p_ptr = vv;
    }
ENDVERBATIM
}

VERBATIM
static void bbcore_write(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
static void bbcore_read(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
ENDVERBATIM
