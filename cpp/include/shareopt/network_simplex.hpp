// Min-cost flow by the primal network simplex: the one flow solver every problem uses.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace shareopt {

enum class FlowStatus : int { Optimal = 0, Infeasible = 1, Unbounded = 2, TimeLimit = 3 };

const char* flow_status_name(FlowStatus status);

// Integer costs and flows keep every pivot exact (no tolerances, no cycling from rounding);
// callers with real costs scale them (see chaining.hpp for the bound on the error).
//
// The method is the primal network simplex on a strongly feasible spanning tree (Cunningham's
// leaving-arc rule, so degenerate pivots cannot cycle), started from an artificial root with
// big-M arcs, and candidate-list pricing (one scan over blocks of about sqrt(arcs) arcs
// collects many entering candidates, and the next pivots re-price only those; once few arcs
// price out, scans read only the arcs at nodes whose potential moved: see
// network_simplex_pricing.cpp). The tree is stored as parent/pred arrays plus a preorder
// thread with subtree sizes, so a pivot costs the length of its cycle plus the size of the
// subtree it moves.
//
// Arcs may be added after a solve (at zero flow, lower bound 0) and solve() called again: the
// current tree stays primal feasible, so the next solve continues from it. This is how lazy
// arc generation re-optimizes after pricing.
class NetworkSimplex {
public:
    using Value = std::int64_t;
    static constexpr Value kInfinity = std::numeric_limits<Value>::max() / 8;

    explicit NetworkSimplex(std::int32_t num_nodes);

    std::int32_t num_nodes() const { return num_nodes_; }
    std::int64_t num_arcs() const { return static_cast<std::int64_t>(src_.size()) - num_nodes_; }

    // Supply (> 0) or demand (< 0) of a node; only before the first solve.
    void set_supply(std::int32_t node, Value supply);
    Value supply(std::int32_t node) const;

    // Adds arc tail -> head with flow in [lower, upper] (upper may be kInfinity) at cost per
    // unit; returns its index (0, 1, ...). After the first solve only lower = 0 is accepted.
    std::int64_t add_arc(std::int32_t tail, std::int32_t head, Value lower, Value upper, Value cost);
    // Room for count arcs in all; grows by at least half, so adding arcs in rounds copies little.
    void reserve_arcs(std::int64_t count);
    // Largest |cost| of any arc that will ever be added (arcs added after the first solve
    // must stay within it: it sizes the big-M of the artificial start).
    void set_cost_bound(Value max_abs_cost) { cost_bound_ = max_abs_cost; }

    // Starts the next solve from a spanning tree of real arcs instead of the artificial one:
    // parent_arc[u] is the arc joining node u to its parent, or -1 for nodes that hang from the
    // artificial root; the arcs listed in at_upper rest at their (finite) upper bound, every
    // other arc outside the tree at its lower bound. Tree flows follow from the supplies.
    // Without repair, returns false, changing nothing, unless the tree is a spanning tree whose
    // flows are within bounds and strongly feasible (zero-flow arcs point to the root and
    // saturated ones away from it). With repair, a tree arc that breaks this is dropped and the
    // subtree below it hangs from the root by its artificial arc (big-M prices it out): how a
    // solved basis restarts a problem whose supplies changed. False also for a parent_arc that
    // is no spanning tree or a bad at_upper entry. Only before the first solve.
    bool start_from_tree(const std::vector<std::int64_t>& parent_arc,
                         const std::vector<std::int64_t>& at_upper = {}, bool repair = false);
    // The basis of the last solve, in start_from_tree's terms (throws before any solve).
    void basis(std::vector<std::int64_t>& parent_arc, std::vector<std::int64_t>& at_upper) const;

    // Scans near the pivots (network_simplex_pricing.cpp): once few arcs price out, read only
    // the arcs whose reduced cost a pivot can have lowered. Off by default: it pays where
    // re-solves take in a few arcs of a large model (trip chains); bike rebalancing gains
    // nothing (most of its pivots move subtrees too large to follow).
    void set_near_scans(bool on) { near_scans_ = on; }

    // Runs to optimality or until time_limit_s seconds have passed (TimeLimit: call again to
    // continue). Throws std::invalid_argument when supplies do not sum to zero or costs are too
    // large for exact arithmetic.
    FlowStatus solve(double time_limit_s = std::numeric_limits<double>::infinity());

    Value flow(std::int64_t arc) const;
    // Node potentials pi: the reduced cost of arc (u, v) is cost + pi[u] - pi[v], >= 0 for arcs
    // that can carry more flow and <= 0 for arcs that can carry less, at optimality.
    Value potential(std::int32_t node) const;
    Value reduced_cost(std::int64_t arc) const;
    Value arc_cost(std::int64_t arc) const;
    std::int32_t arc_tail(std::int64_t arc) const;
    std::int32_t arc_head(std::int64_t arc) const;
    // Sum of cost x flow over the real arcs, as a long double (exact below 2^64).
    long double total_cost() const;
    std::int64_t pivots() const { return pivots_; }
    bool started() const { return started_; }

private:
    enum : std::int8_t { kUp = 1, kDown = -1 };              // pred arc goes node->parent / parent->node
    enum : std::int8_t { kLower = 1, kTree = 0, kUpper = -1 };  // arc state

    std::size_t internal(std::int64_t arc) const;
    void initialize();
    void set_big_m();
    // Preorder of the tree given by parent (root first); empty when parent has a cycle.
    std::vector<std::int32_t> preorder(const std::vector<std::int32_t>& parent) const;
    std::vector<Value> shifted_supplies() const;  // supplies with the lower bounds moved in
    // Entering arcs (network_simplex_pricing.cpp): false when none prices out (optimal).
    bool find_entering(std::int64_t& entering);
    Value entering_price(std::int64_t arc) const {  // < 0: the arc may enter
        const auto a = static_cast<std::size_t>(arc);
        return state_[a] * (cost_[a] + pi_[static_cast<std::size_t>(src_[a])] - pi_[static_cast<std::size_t>(tgt_[a])]);
    }
    bool scan_all(std::int64_t& entering);
    bool scan_near(std::int64_t& entering);
    void note_moved(std::int32_t node);  // its potential moved: its arcs go to the next scan
    void start_recording();              // a scan read what moved: record afresh
    void index_arcs_by_node();
    std::int32_t find_join(std::int32_t u, std::int32_t v) const;
    bool pivot(std::int64_t entering);  // false: unbounded
    void update_tree(std::int64_t entering, std::int32_t u_in, std::int32_t v_in,
                     std::int32_t u_out, std::int32_t join);

    std::int32_t num_nodes_;
    std::int32_t root_;
    bool started_ = false;
    std::int64_t pivots_ = 0;
    std::int64_t next_arc_ = 0;
    Value artificial_cost_ = 0;
    Value cost_bound_ = 0;

    // Arcs: the first num_nodes_ entries are the artificial arcs between each node and the root.
    std::vector<std::int32_t> src_, tgt_;
    std::vector<Value> cap_, cost_, flow_, lower_;
    std::vector<std::int8_t> state_;

    // Nodes (num_nodes_ + 1 entries, the last one the artificial root).
    std::vector<Value> supply_, pi_;
    std::vector<std::int32_t> parent_, thread_, rev_thread_, succ_num_, last_succ_;
    std::vector<std::int64_t> pred_;
    std::vector<std::int8_t> dir_;
    struct Segment { std::int32_t begin, end; };  // a run of the thread, first to last node
    std::vector<std::int32_t> stem_;  // scratch for update_tree
    std::vector<Segment> segments_;   // scratch for update_tree
    std::vector<std::int64_t> candidates_;  // entering candidates of the last scan
    std::int64_t minor_left_ = 0;
    // Scans near the pivots: on once a scan of every arc found few candidates; the nodes
    // whose potential moved since the last scan (unless too many); the arcs at each node, for
    // the arcs before indexed_end_.
    bool near_scans_ = false;
    bool near_ = false;
    bool moved_too_many_ = false;
    std::vector<std::int32_t> moved_;
    std::int64_t moved_arcs_ = 0;            // arcs at the moved nodes (both ends counted)
    std::vector<std::int64_t> moved_mark_;   // per node: the scan count when it was recorded
    std::int64_t scans_ = 0;
    std::vector<std::int64_t> by_node_start_, by_node_, near_found_;
    std::int64_t indexed_end_ = 0;
};

}  // namespace shareopt

namespace shareopt {

// Scale for turning real costs into integers: the largest power of two s (at most 2^40) with
// max_abs_cost * s * (num_nodes + 1) * 16 < 2^63, so the simplex cannot overflow. Rounding each
// cost to the nearest multiple of 1/s moves a solution that uses A arcs (counted with flow) by
// at most A / (2 s), so the rounded optimum is within A / s of the real one.
double cost_scale(double max_abs_cost, std::int64_t num_nodes);

}  // namespace shareopt
