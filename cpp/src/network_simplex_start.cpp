// Starting points of the network simplex: the artificial tree, or a spanning tree of real
// arcs given by the caller; and the scale that turns real costs into exact integers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "shareopt/network_simplex.hpp"

namespace shareopt {

void NetworkSimplex::set_big_m() {
    const auto n = static_cast<std::size_t>(num_nodes_);
    // Total supply and total demand, each below kInfinity: then no sum overflows and no flow
    // on the artificial start reaches kInfinity.
    const std::vector<Value> b = shifted_supplies();
    Value positive = 0, negative = 0;
    for (std::size_t u = 0; u < n; ++u) {
        Value& side = b[u] > 0 ? positive : negative;
        side += b[u] > 0 ? b[u] : -b[u];
        if (side >= kInfinity) {
            throw std::invalid_argument("total supply or demand reaches " + std::to_string(kInfinity));
        }
    }
    if (positive != negative) {
        throw std::invalid_argument("supplies sum to " + std::to_string(positive - negative) + ", not 0");
    }
    Value max_cost = cost_bound_;
    for (std::size_t a = n; a < cost_.size(); ++a) max_cost = std::max(max_cost, std::abs(cost_[a]));
    // The big-M cost must exceed every simple path, and potentials (at most about two big-M
    // apart) must leave room for reduced costs: require 8 * (max|c| + 1) * (n + 1) < 2^63.
    const Value nodes = static_cast<Value>(n) + 1;
    if (max_cost + 1 > std::numeric_limits<Value>::max() / 8 / nodes) {
        throw std::invalid_argument("arc costs up to " + std::to_string(max_cost) + " on " +
                                    std::to_string(n) + " nodes overflow 64-bit potentials");
    }
    artificial_cost_ = (max_cost + 1) * nodes;
}

std::vector<NetworkSimplex::Value> NetworkSimplex::shifted_supplies() const {
    // Lower bounds move into the supplies: flow = lower + internal flow.
    std::vector<Value> b(supply_);
    for (std::size_t a = static_cast<std::size_t>(num_nodes_); a < src_.size(); ++a) {
        Value& from = b[static_cast<std::size_t>(src_[a])];
        Value& to = b[static_cast<std::size_t>(tgt_[a])];
        from -= lower_[a];  // |supply|, lower < kInfinity = 2^60: one step cannot overflow
        to += lower_[a];
        if (from <= -kInfinity || to >= kInfinity) {
            throw std::invalid_argument("supplies and lower bounds too large");
        }
    }
    return b;
}

void NetworkSimplex::initialize() {
    const auto n = static_cast<std::size_t>(num_nodes_);
    set_big_m();
    const std::vector<Value> supply = shifted_supplies();
    parent_.assign(n + 1, -1);
    pred_.assign(n + 1, -1);
    dir_.assign(n + 1, kUp);
    thread_.assign(n + 1, 0);
    rev_thread_.assign(n + 1, 0);
    succ_num_.assign(n + 1, 1);
    last_succ_.assign(n + 1, 0);
    pi_.assign(n + 1, 0);
    const auto root = static_cast<std::size_t>(root_);
    // Every node hangs from the root by its artificial arc, in thread order root, 0, 1, ...
    for (std::size_t u = 0; u < n; ++u) {
        parent_[u] = root_;
        pred_[u] = static_cast<std::int64_t>(u);
        thread_[u] = static_cast<std::int32_t>(u + 1);
        rev_thread_[u + 1] = static_cast<std::int32_t>(u);
        last_succ_[u] = static_cast<std::int32_t>(u);
        cap_[u] = kInfinity;
        state_[u] = kTree;
        if (supply[u] >= 0) {
            dir_[u] = kUp;
            src_[u] = static_cast<std::int32_t>(u);
            tgt_[u] = root_;
            flow_[u] = supply[u];
            cost_[u] = 0;
            pi_[u] = 0;
        } else {
            dir_[u] = kDown;
            src_[u] = root_;
            tgt_[u] = static_cast<std::int32_t>(u);
            flow_[u] = -supply[u];
            cost_[u] = artificial_cost_;
            pi_[u] = artificial_cost_;
        }
    }
    thread_[root] = n > 0 ? 0 : root_;
    rev_thread_[0] = root_;
    if (n == 0) rev_thread_[root] = root_;
    succ_num_[root] = static_cast<std::int32_t>(n + 1);
    last_succ_[root] = n > 0 ? static_cast<std::int32_t>(n - 1) : root_;
    pi_[root] = 0;
    next_arc_ = num_nodes_;
    started_ = true;
}

std::vector<std::int32_t> NetworkSimplex::preorder(const std::vector<std::int32_t>& parent) const {
    const auto n = static_cast<std::size_t>(num_nodes_);
    // Children lists, then a preorder from the root; a node never reached means a cycle.
    std::vector<std::int32_t> first_child(n + 1, -1), next_sibling(n + 1, -1);
    for (std::size_t u = n; u-- > 0;) {
        const auto p = static_cast<std::size_t>(parent[u]);
        next_sibling[u] = first_child[p];
        first_child[p] = static_cast<std::int32_t>(u);
    }
    std::vector<std::int32_t> order;
    order.reserve(n + 1);
    std::vector<std::int32_t> stack{root_}, kids;
    while (!stack.empty()) {
        const std::int32_t u = stack.back();
        stack.pop_back();
        order.push_back(u);
        if (order.size() > n + 1) return {};
        // Push children in reverse so the preorder visits them in list order.
        kids.clear();
        for (std::int32_t c = first_child[static_cast<std::size_t>(u)]; c >= 0; c = next_sibling[static_cast<std::size_t>(c)]) {
            kids.push_back(c);
        }
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
    }
    if (order.size() != n + 1) return {};
    return order;
}

bool NetworkSimplex::start_from_tree(const std::vector<std::int64_t>& parent_arc,
                                     const std::vector<std::int64_t>& at_upper, bool repair) {
    if (started_) throw std::logic_error("start_from_tree only before the first solve");
    const auto n = static_cast<std::size_t>(num_nodes_);
    if (parent_arc.size() != n) return false;
    set_big_m();
    std::vector<std::int32_t> parent(n + 1, -1);
    std::vector<std::int8_t> fixed(src_.size(), 0);  // 1: a tree arc, 2: resting at its upper bound
    for (std::size_t u = 0; u < n; ++u) {
        const std::int64_t arc = parent_arc[u];
        if (arc < 0) {
            parent[u] = root_;
            continue;
        }
        if (arc >= num_arcs()) return false;
        const std::size_t a = static_cast<std::size_t>(arc) + n;
        const std::int32_t other = src_[a] == static_cast<std::int32_t>(u) ? tgt_[a] : src_[a];
        if ((src_[a] != static_cast<std::int32_t>(u) && tgt_[a] != static_cast<std::int32_t>(u)) ||
            other == static_cast<std::int32_t>(u) || fixed[a] != 0) {
            return false;
        }
        fixed[a] = 1;
        parent[u] = other;
    }
    std::vector<std::int32_t> order = preorder(parent);
    if (order.empty()) return false;

    // Supplies with the lower bounds and the saturated arcs moved in.
    std::vector<Value> below = shifted_supplies();
    for (const std::int64_t arc : at_upper) {
        if (arc < 0 || arc >= num_arcs()) return false;
        const std::size_t a = static_cast<std::size_t>(arc) + n;
        if (fixed[a] != 0 || cap_[a] >= kInfinity) return false;
        fixed[a] = 2;
        Value& from = below[static_cast<std::size_t>(src_[a])];
        Value& to = below[static_cast<std::size_t>(tgt_[a])];
        from -= cap_[a];
        to += cap_[a];
        if (from <= -kInfinity || to >= kInfinity) return false;
    }
    // Flows bottom-up: each tree arc carries the net supply of the subtree below it.
    std::vector<std::int64_t> tree_arc(parent_arc);
    std::vector<std::int8_t> dir(n + 1, kUp);
    std::vector<Value> tree_flow(n + 1, 0);
    bool cut = false;
    for (std::size_t k = order.size(); k-- > 1;) {
        const auto u = static_cast<std::size_t>(order[k]);
        const Value s = below[u];
        if (tree_arc[u] >= 0) {
            const std::size_t a = static_cast<std::size_t>(tree_arc[u]) + n;
            const std::int8_t d = src_[a] == static_cast<std::int32_t>(u) ? kUp : kDown;
            const Value f = d == kUp ? s : -s;
            const bool feasible = f >= 0 && f <= cap_[a] && !(f == 0 && d != kUp) &&
                                  !(f == cap_[a] && d != kDown && cap_[a] < kInfinity);
            if (feasible) {
                dir[u] = d;
                tree_flow[u] = f;
                below[static_cast<std::size_t>(parent[u])] += s;
                continue;
            }
            if (!repair) return false;
            // Drop the arc: the subtree hangs from the root and keeps its supply to itself.
            tree_arc[u] = -1;
            parent[u] = root_;
            cut = true;
        } else {
            below[static_cast<std::size_t>(parent[u])] += s;
        }
        dir[u] = s >= 0 ? kUp : kDown;
        tree_flow[u] = s >= 0 ? s : -s;
    }
    if (cut) order = preorder(parent);  // cut subtrees move under the root

    // Commit: artificial arcs of root children carry their subtree's supply, others rest at 0.
    parent_.assign(parent.begin(), parent.end());
    pred_.assign(n + 1, -1);
    dir_.assign(dir.begin(), dir.end());
    thread_.assign(n + 1, 0);
    rev_thread_.assign(n + 1, 0);
    succ_num_.assign(n + 1, 1);
    last_succ_.assign(n + 1, 0);
    pi_.assign(n + 1, 0);
    for (std::size_t u = 0; u < n; ++u) {
        state_[u] = kLower;
        flow_[u] = 0;
        src_[u] = static_cast<std::int32_t>(u);
        tgt_[u] = root_;
        cost_[u] = 0;
    }
    for (std::size_t a = n; a < src_.size(); ++a) {
        if (fixed[a] == 2) {
            state_[a] = kUpper;
            flow_[a] = cap_[a];
        }
    }
    for (std::size_t k = 1; k < order.size(); ++k) {
        const auto u = static_cast<std::size_t>(order[k]);
        if (tree_arc[u] < 0) {
            pred_[u] = static_cast<std::int64_t>(u);
            if (dir_[u] == kDown) {
                src_[u] = root_;
                tgt_[u] = static_cast<std::int32_t>(u);
                cost_[u] = artificial_cost_;
            }
            flow_[u] = tree_flow[u];
            state_[u] = kTree;
        } else {
            pred_[u] = tree_arc[u] + num_nodes_;
            const auto a = static_cast<std::size_t>(pred_[u]);
            flow_[a] = tree_flow[u];
            state_[a] = kTree;
        }
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
        const auto u = static_cast<std::size_t>(order[k]);
        thread_[u] = order[(k + 1) % order.size()];
        rev_thread_[static_cast<std::size_t>(thread_[u])] = order[k];
    }
    // Sizes bottom-up, last descendants from preorder positions, potentials top-down
    // (reduced cost 0 on every tree arc).
    for (std::size_t k = order.size(); k-- > 1;) {
        const auto u = static_cast<std::size_t>(order[k]);
        succ_num_[static_cast<std::size_t>(parent_[u])] += succ_num_[u];
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
        const auto u = static_cast<std::size_t>(order[k]);
        last_succ_[u] = order[k + static_cast<std::size_t>(succ_num_[u]) - 1];
    }
    for (std::size_t k = 1; k < order.size(); ++k) {
        const auto u = static_cast<std::size_t>(order[k]);
        const auto a = static_cast<std::size_t>(pred_[u]);
        const Value parent_pi = pi_[static_cast<std::size_t>(parent_[u])];
        pi_[u] = dir_[u] == kUp ? parent_pi - cost_[a] : parent_pi + cost_[a];
    }
    next_arc_ = num_nodes_;
    started_ = true;
    return true;
}

void NetworkSimplex::basis(std::vector<std::int64_t>& parent_arc, std::vector<std::int64_t>& at_upper) const {
    if (!started_) throw std::logic_error("no basis before the first solve");
    const auto n = static_cast<std::size_t>(num_nodes_);
    parent_arc.assign(n, -1);
    for (std::size_t u = 0; u < n; ++u) {
        if (pred_[u] >= num_nodes_) parent_arc[u] = pred_[u] - num_nodes_;
    }
    at_upper.clear();
    for (std::size_t a = n; a < src_.size(); ++a) {
        if (state_[a] == kUpper) at_upper.push_back(static_cast<std::int64_t>(a - n));
    }
}

double cost_scale(double max_abs_cost, std::int64_t num_nodes) {
    if (!(max_abs_cost >= 0.0) || !std::isfinite(max_abs_cost)) {
        throw std::invalid_argument("costs must be finite");
    }
    const double room = std::ldexp(1.0, 63) / 16.0 / (static_cast<double>(num_nodes) + 1.0);
    double scale = std::ldexp(1.0, 40);
    while (scale > std::ldexp(1.0, -40) && max_abs_cost * scale >= room) scale *= 0.5;
    if (max_abs_cost * scale >= room) throw std::invalid_argument("costs too large to scale");
    return scale;
}

}  // namespace shareopt
