// The shareopt._core extension module: one bind_* function per area.
#include "common.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "shareopt compiled core (C++17). Use the shareopt package, not this module.";
    shareopt::bind::bind_travel(m);
    shareopt::bind::bind_csv(m);
    shareopt::bind::bind_flow(m);
    shareopt::bind::bind_chaining(m);
    shareopt::bind::bind_dispatch(m);
    shareopt::bind::bind_rebalance(m);
    shareopt::bind::bind_charging(m);
}
