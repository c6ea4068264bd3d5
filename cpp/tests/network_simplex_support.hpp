// Shared by the network simplex tests: checks, problem instances, certificates.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <numeric>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "shareopt/network_simplex.hpp"

namespace {

using shareopt::FlowStatus;
using shareopt::NetworkSimplex;
using Value = NetworkSimplex::Value;
constexpr Value kInf = NetworkSimplex::kInfinity;
__extension__ typedef __int128 Wide;  // exact cost sums even for absurd flows

int ns_failures = 0;

void ns_check(bool ok, const std::string& what) {
    if (!ok) {
        ++ns_failures;
        std::fprintf(stderr, "FAILED: network simplex: %s\n", what.c_str());
    }
}

template <typename E>
bool ns_throws(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

std::string name(FlowStatus status) { return shareopt::flow_status_name(status); }

// ---------------------------------------------------------------------------------------------
// Problems, and a certificate check of a solver's answer.

struct Arc {
    std::int32_t tail, head;
    Value lower, upper, cost;  // upper == kInf: uncapacitated
};

struct Problem {
    std::int32_t n = 0;
    std::vector<Value> supply;
    std::vector<Arc> arcs;
};

// Adds arcs [first, last) of the problem to the solver.
void add_arcs(NetworkSimplex& ns, const Problem& p, std::size_t first, std::size_t last) {
    for (std::size_t a = first; a < last; ++a) {
        const Arc& arc = p.arcs[a];
        ns.add_arc(arc.tail, arc.head, arc.lower, arc.upper, arc.cost);
    }
}

void set_supplies(NetworkSimplex& ns, const Problem& p) {
    for (std::int32_t u = 0; u < p.n; ++u) ns.set_supply(u, p.supply[static_cast<std::size_t>(u)]);
}

Value max_abs_cost(const Problem& p) {
    Value m = 0;
    for (const Arc& a : p.arcs) m = std::max(m, a.cost < 0 ? -a.cost : a.cost);
    return m;
}

// Empty string when the solver's flow, using the first `m` arcs of p, is an optimal one:
// within bounds, balanced, reduced costs consistent with the potentials, and complementary
// slackness (rc < 0 only at the upper bound, rc > 0 only at the lower bound).
std::string certificate_error(const NetworkSimplex& ns, const Problem& p, std::size_t m) {
    if (ns.num_arcs() != static_cast<std::int64_t>(m)) return "wrong number of arcs";
    std::vector<Value> net(static_cast<std::size_t>(p.n), 0);
    Wide total = 0;
    for (std::size_t a = 0; a < m; ++a) {
        const Arc& arc = p.arcs[a];
        const auto id = static_cast<std::int64_t>(a);
        const std::string tag = "arc " + std::to_string(a) + " (" + std::to_string(arc.tail) + "->" +
                                std::to_string(arc.head) + ")";
        if (ns.arc_tail(id) != arc.tail || ns.arc_head(id) != arc.head || ns.arc_cost(id) != arc.cost) {
            return tag + ": tail/head/cost differ from the input";
        }
        const Value x = ns.flow(id);
        if (x < arc.lower || (arc.upper < kInf && x > arc.upper) || x >= kInf / 2) {
            return tag + ": flow " + std::to_string(x) + " outside [" + std::to_string(arc.lower) +
                   ", " + std::to_string(arc.upper) + "]";
        }
        net[static_cast<std::size_t>(arc.tail)] += x;
        net[static_cast<std::size_t>(arc.head)] -= x;
        const Value rc = arc.cost + ns.potential(arc.tail) - ns.potential(arc.head);
        if (rc != ns.reduced_cost(id)) return tag + ": reduced_cost() disagrees with the potentials";
        if (rc < 0 && (arc.upper >= kInf || x < arc.upper)) {
            return tag + ": reduced cost " + std::to_string(rc) + " < 0 below the upper bound";
        }
        if (rc > 0 && x > arc.lower) {
            return tag + ": reduced cost " + std::to_string(rc) + " > 0 above the lower bound";
        }
        total += static_cast<Wide>(arc.cost) * x;
    }
    for (std::int32_t u = 0; u < p.n; ++u) {
        const auto i = static_cast<std::size_t>(u);
        if (net[i] != p.supply[i]) {
            return "node " + std::to_string(u) + ": net outflow " + std::to_string(net[i]) +
                   " != supply " + std::to_string(p.supply[i]);
        }
    }
    if (ns.total_cost() != static_cast<long double>(total)) return "total_cost() differs from the flows";
    return "";
}

// ---------------------------------------------------------------------------------------------
// Independent oracle: residual graph with max-flow and Bellman-Ford cycle cancelling.


}  // namespace
