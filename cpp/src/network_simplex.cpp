#include "shareopt/network_simplex.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

namespace shareopt {

const char* flow_status_name(FlowStatus status) {
    switch (status) {
        case FlowStatus::Optimal: return "optimal";
        case FlowStatus::Infeasible: return "infeasible";
        case FlowStatus::Unbounded: return "unbounded";
        case FlowStatus::TimeLimit: return "time_limit";
    }
    return "unknown";
}

NetworkSimplex::NetworkSimplex(std::int32_t num_nodes) : num_nodes_(num_nodes), root_(num_nodes) {
    if (num_nodes < 0 || num_nodes > std::numeric_limits<std::int32_t>::max() - 1) {
        throw std::invalid_argument("number of nodes must be in [0, 2^31 - 2], got " +
                                    std::to_string(num_nodes));
    }
    const auto n = static_cast<std::size_t>(num_nodes);
    supply_.assign(n + 1, 0);
    // Artificial arcs occupy the first n arc slots; initialize() gives them their direction.
    src_.assign(n, 0);
    tgt_.assign(n, 0);
    cap_.assign(n, kInfinity);
    cost_.assign(n, 0);
    flow_.assign(n, 0);
    lower_.assign(n, 0);
    state_.assign(n, kTree);
}

std::size_t NetworkSimplex::internal(std::int64_t arc) const {
    if (arc < 0 || arc >= num_arcs()) {
        throw std::out_of_range("arc " + std::to_string(arc) + " out of range [0, " +
                                std::to_string(num_arcs()) + ")");
    }
    return static_cast<std::size_t>(arc + num_nodes_);
}

void NetworkSimplex::set_supply(std::int32_t node, Value supply) {
    if (started_) throw std::logic_error("supplies cannot change after the first solve");
    if (node < 0 || node >= num_nodes_) {
        throw std::out_of_range("node " + std::to_string(node) + " out of range");
    }
    if (supply <= -kInfinity || supply >= kInfinity) {
        throw std::invalid_argument("supply of node " + std::to_string(node) + " is too large");
    }
    supply_[static_cast<std::size_t>(node)] = supply;
}

NetworkSimplex::Value NetworkSimplex::supply(std::int32_t node) const {
    if (node < 0 || node >= num_nodes_) throw std::out_of_range("node out of range");
    return supply_[static_cast<std::size_t>(node)];
}

void NetworkSimplex::reserve_arcs(std::int64_t count) {
    auto total = static_cast<std::size_t>(num_nodes_ + std::max<std::int64_t>(count, 0));
    if (total <= src_.capacity()) return;
    // Geometric growth: callers that add arcs in rounds (lazy pricing) reserve before each
    // round, and an exact fit would copy every array again each time.
    if (src_.capacity() > 0) total = std::max(total, src_.capacity() + src_.capacity() / 2);
    src_.reserve(total);
    tgt_.reserve(total);
    cap_.reserve(total);
    cost_.reserve(total);
    flow_.reserve(total);
    lower_.reserve(total);
    state_.reserve(total);
}

std::int64_t NetworkSimplex::add_arc(std::int32_t tail, std::int32_t head, Value lower,
                                     Value upper, Value cost) {
    if (tail < 0 || tail >= num_nodes_ || head < 0 || head >= num_nodes_) {
        throw std::out_of_range("arc " + std::to_string(tail) + " -> " + std::to_string(head) +
                                " has a node outside [0, " + std::to_string(num_nodes_) + ")");
    }
    if (upper > kInfinity) upper = kInfinity;
    if (lower < 0 || lower > upper) {
        throw std::invalid_argument("arc " + std::to_string(tail) + " -> " + std::to_string(head) +
                                    " needs 0 <= lower <= upper");
    }
    if (started_ && lower != 0) {
        throw std::logic_error("arcs added after a solve must have lower bound 0");
    }
    if (cost <= -kInfinity || cost >= kInfinity) {
        throw std::invalid_argument("arc cost out of range");
    }
    if (started_) {
        // A new arc with a cost beyond the big-M bound could make artificial flow look cheap.
        const Value magnitude = cost < 0 ? -cost : cost;
        if (magnitude >= artificial_cost_ / (static_cast<Value>(num_nodes_) + 1)) {
            throw std::invalid_argument("arc cost " + std::to_string(cost) +
                                        " exceeds the cost bound set before the first solve");
        }
    }
    src_.push_back(tail);
    tgt_.push_back(head);
    cap_.push_back(upper >= kInfinity ? kInfinity : upper - lower);
    cost_.push_back(cost);
    flow_.push_back(0);
    lower_.push_back(lower);
    state_.push_back(kLower);
    return static_cast<std::int64_t>(src_.size()) - 1 - num_nodes_;
}

std::int32_t NetworkSimplex::find_join(std::int32_t u, std::int32_t v) const {
    // An ancestor has a larger subtree than any of its descendants: lift the smaller side.
    while (u != v) {
        if (succ_num_[static_cast<std::size_t>(u)] < succ_num_[static_cast<std::size_t>(v)]) {
            u = parent_[static_cast<std::size_t>(u)];
        } else {
            v = parent_[static_cast<std::size_t>(v)];
        }
    }
    return u;
}

bool NetworkSimplex::pivot(std::int64_t entering) {
    const auto e = static_cast<std::size_t>(entering);
    // Flow goes around the cycle join -> ... -> first -> (entering) -> second -> ... -> join.
    const bool increase = state_[e] == kLower;
    const std::int32_t first = increase ? src_[e] : tgt_[e];
    const std::int32_t second = increase ? tgt_[e] : src_[e];
    const std::int32_t join = find_join(first, second);

    // Leaving arc: the last blocking arc met from the join in flow order (Cunningham's rule),
    // hence '<' on the first path (walked against the flow) and '<=' on the second.
    Value delta = cap_[e];
    std::int32_t u_out = -1;
    bool on_first = false;
    for (std::int32_t u = first; u != join; u = parent_[static_cast<std::size_t>(u)]) {
        const auto a = static_cast<std::size_t>(pred_[static_cast<std::size_t>(u)]);
        const Value room = dir_[static_cast<std::size_t>(u)] == kDown
                               ? (cap_[a] >= kInfinity ? kInfinity : cap_[a] - flow_[a])
                               : flow_[a];
        if (room < delta) {
            delta = room;
            u_out = u;
            on_first = true;
        }
    }
    for (std::int32_t u = second; u != join; u = parent_[static_cast<std::size_t>(u)]) {
        const auto a = static_cast<std::size_t>(pred_[static_cast<std::size_t>(u)]);
        const Value room = dir_[static_cast<std::size_t>(u)] == kUp
                               ? (cap_[a] >= kInfinity ? kInfinity : cap_[a] - flow_[a])
                               : flow_[a];
        if (room <= delta) {
            delta = room;
            u_out = u;
            on_first = false;
        }
    }
    if (delta >= kInfinity) return false;

    if (delta > 0) {
        flow_[e] += increase ? delta : -delta;
        for (std::int32_t u = first; u != join; u = parent_[static_cast<std::size_t>(u)]) {
            const auto i = static_cast<std::size_t>(u);
            flow_[static_cast<std::size_t>(pred_[i])] += dir_[i] == kDown ? delta : -delta;
        }
        for (std::int32_t u = second; u != join; u = parent_[static_cast<std::size_t>(u)]) {
            const auto i = static_cast<std::size_t>(u);
            flow_[static_cast<std::size_t>(pred_[i])] += dir_[i] == kUp ? delta : -delta;
        }
    }
    if (u_out < 0) {
        state_[e] = increase ? kUpper : kLower;  // the entering arc itself blocks
        return true;
    }
    const std::int32_t u_in = on_first ? first : second;
    const std::int32_t v_in = on_first ? second : first;
    update_tree(entering, u_in, v_in, u_out, join);
    return true;
}

void NetworkSimplex::update_tree(std::int64_t entering, std::int32_t u_in, std::int32_t v_in,
                                 std::int32_t u_out, std::int32_t join) {
    const auto e = static_cast<std::size_t>(entering);
    const Value rc = cost_[e] + pi_[static_cast<std::size_t>(src_[e])] -
                     pi_[static_cast<std::size_t>(tgt_[e])];
    const auto leaving = static_cast<std::size_t>(pred_[static_cast<std::size_t>(u_out)]);
    state_[leaving] = flow_[leaving] == 0 ? kLower : kUpper;
    state_[e] = kTree;

    // The stem u_in = v_1, v_2 = parent(v_1), ..., v_k = u_out is reversed: the subtree of
    // u_out is cut off and hung from v_in by the entering arc, rooted at u_in.
    stem_.clear();
    for (std::int32_t u = u_in;; u = parent_[static_cast<std::size_t>(u)]) {
        stem_.push_back(u);
        if (u == u_out) break;
    }
    const std::size_t k = stem_.size();
    const auto at = [](std::int32_t u) { return static_cast<std::size_t>(u); };
    const std::int32_t size = succ_num_[at(u_out)];

    // New preorder of the moved subtree: v_1's old subtree, then for each next stem node its
    // part before the previous stem node's subtree and its part after it.
    std::vector<Segment>& segments = segments_;
    segments.clear();
    segments.push_back({stem_[0], last_succ_[at(stem_[0])]});
    for (std::size_t i = 0; i + 1 < k; ++i) {
        const std::int32_t child = stem_[i];
        const std::int32_t node = stem_[i + 1];
        segments.push_back({node, rev_thread_[at(child)]});
        if (last_succ_[at(child)] != last_succ_[at(node)]) {
            segments.push_back({thread_[at(last_succ_[at(child)])], last_succ_[at(node)]});
        }
    }
    const std::int32_t new_last = segments.back().end;

    // Cut the subtree out of the thread and out of its old ancestors' sizes and last nodes.
    const std::int32_t old_last = last_succ_[at(u_out)];
    const std::int32_t before = rev_thread_[at(u_out)];
    const std::int32_t after = thread_[at(old_last)];
    thread_[at(before)] = after;
    rev_thread_[at(after)] = before;
    const std::int32_t join_side = parent_[at(u_out)];
    for (std::int32_t w = join_side; w >= 0 && last_succ_[at(w)] == old_last; w = parent_[at(w)]) {
        last_succ_[at(w)] = before;
    }
    for (std::int32_t w = join_side; w != join; w = parent_[at(w)]) succ_num_[at(w)] -= size;
    for (std::int32_t w = v_in; w != join; w = parent_[at(w)]) succ_num_[at(w)] += size;

    // Link the segments, then splice them in right after v_in.
    for (std::size_t s = 0; s + 1 < segments.size(); ++s) {
        thread_[at(segments[s].end)] = segments[s + 1].begin;
        rev_thread_[at(segments[s + 1].begin)] = segments[s].end;
    }
    const std::int32_t next = thread_[at(v_in)];
    thread_[at(v_in)] = u_in;
    rev_thread_[at(u_in)] = v_in;
    thread_[at(new_last)] = next;
    rev_thread_[at(next)] = new_last;
    for (std::int32_t w = v_in; w >= 0 && last_succ_[at(w)] == v_in; w = parent_[at(w)]) {
        last_succ_[at(w)] = new_last;
    }

    // Reverse the stem: parents, tree arcs and their directions, sizes, last nodes.
    for (std::size_t i = k - 1; i > 0; --i) {
        const std::int32_t node = stem_[i];
        const std::int32_t child = stem_[i - 1];
        parent_[at(node)] = child;
        pred_[at(node)] = pred_[at(child)];
        dir_[at(node)] = static_cast<std::int8_t>(-dir_[at(child)]);
    }
    std::int32_t below = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const std::int32_t node = stem_[i];
        const std::int32_t old_size = succ_num_[at(node)];
        succ_num_[at(node)] = size - below;
        below = old_size;
        last_succ_[at(node)] = new_last;
    }
    parent_[at(u_in)] = v_in;
    pred_[at(u_in)] = entering;
    dir_[at(u_in)] = src_[e] == u_in ? kUp : kDown;

    // Potentials of the moved subtree shift so that the entering arc has reduced cost 0; only
    // differences count, so when the subtree is the larger part the rest shifts the other way
    // (potential() reports them relative to the root).
    const Value sigma = tgt_[e] == u_in ? rc : -rc;
    if (2 * static_cast<std::int64_t>(size) <= static_cast<std::int64_t>(num_nodes_) + 1) {
        std::int32_t u = u_in;
        if (near_ && !moved_too_many_) {
            for (std::int32_t c = 0; c < size && !moved_too_many_; ++c, u = thread_[at(u)]) note_moved(u);
            u = u_in;
        }
        for (std::int32_t c = 0; c < size; ++c) {
            pi_[at(u)] += sigma;
            u = thread_[at(u)];
        }
        return;
    }
    moved_too_many_ = true;  // more than half the nodes: their arcs are about all arcs
    for (std::int32_t u = thread_[at(new_last)]; u != u_in; u = thread_[at(u)]) pi_[at(u)] -= sigma;
    // Keep the root near 0: potentials differ by at most about two big-M, and a reduced cost
    // must not overflow (see set_big_m).
    const Value drift = pi_[at(root_)];
    if (drift > artificial_cost_ || drift < -artificial_cost_) {
        for (Value& p : pi_) p -= drift;
    }
}

FlowStatus NetworkSimplex::solve(double time_limit_s) {
    if (!started_) initialize();
    near_ = false;  // the first scan reads every arc
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const bool timed = std::isfinite(time_limit_s);
    std::int64_t entering = -1;
    for (std::int64_t count = 1;; ++count) {
        if (timed && (count & 1023) == 0) {
            const std::chrono::duration<double> spent = Clock::now() - start;
            if (spent.count() > time_limit_s) return FlowStatus::TimeLimit;
        }
        if (!find_entering(entering)) break;
        if (!pivot(entering)) return FlowStatus::Unbounded;
        ++pivots_;
    }
    for (std::size_t a = 0; a < static_cast<std::size_t>(num_nodes_); ++a) {
        if (flow_[a] != 0) return FlowStatus::Infeasible;
    }
    return FlowStatus::Optimal;
}

NetworkSimplex::Value NetworkSimplex::flow(std::int64_t arc) const {
    const std::size_t a = internal(arc);
    return flow_[a] + lower_[a];
}

NetworkSimplex::Value NetworkSimplex::potential(std::int32_t node) const {
    if (node < 0 || node >= num_nodes_ || !started_) {
        throw std::out_of_range("node " + std::to_string(node) + " out of range, or no solve yet");
    }
    return pi_[static_cast<std::size_t>(node)] - pi_[static_cast<std::size_t>(root_)];
}

NetworkSimplex::Value NetworkSimplex::reduced_cost(std::int64_t arc) const {
    const std::size_t a = internal(arc);
    if (!started_) return cost_[a];
    return cost_[a] + pi_[static_cast<std::size_t>(src_[a])] - pi_[static_cast<std::size_t>(tgt_[a])];
}

NetworkSimplex::Value NetworkSimplex::arc_cost(std::int64_t arc) const { return cost_[internal(arc)]; }
std::int32_t NetworkSimplex::arc_tail(std::int64_t arc) const { return src_[internal(arc)]; }
std::int32_t NetworkSimplex::arc_head(std::int64_t arc) const { return tgt_[internal(arc)]; }

long double NetworkSimplex::total_cost() const {
    long double total = 0;
    for (std::size_t a = static_cast<std::size_t>(num_nodes_); a < src_.size(); ++a) {
        total += static_cast<long double>(cost_[a]) * static_cast<long double>(flow_[a] + lower_[a]);
    }
    return total;
}

}  // namespace shareopt
