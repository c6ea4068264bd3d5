// The simplex's start from the auction's optimum (chain_auction.cpp): a basis that is already
// optimal for the auction's model, so that the simplex only takes in the arcs priced since.
//
// The auction's duals are exact only up to its last epsilon (one unit of the scaled costs
// after rounding), and a tree whose potentials drift from them by a unit here and there sets
// off a long run of degenerate pivots (100,000 orders: 450,000 pivots, a full day: about 10
// million). Exact duals come from shortest paths instead: with d(u) the cheapest way from
// node u to the source through the residual network of the auction's plan (which is optimal,
// so it has no negative cycle), potentials -d price every arc at >= 0 and every arc with flow
// at 0, and the shortest-path tree, directed to the root, is a strongly feasible basis made of
// arcs priced at 0. The search runs from the source over residual arcs backwards, measured by
// reduced costs on the auction's rounded duals: those are >= -1, so a label-correcting search
// with a heap settles almost every node once.
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "shareopt/chaining.hpp"

namespace shareopt {

bool TripChainer::start_simplex_from_auction() {
    const std::size_t nodes = 2 * n_ + 2;
    const auto pickup = [](std::size_t j) { return 2 + 2 * j; };
    const auto dropoff = [](std::size_t i) { return 3 + 2 * i; };
    std::vector<std::int64_t> guide(nodes, 0);  // the auction's duals, scaled: source and sink at 0
    {
        std::vector<std::int64_t> value, at_dropoff;
        scaled_auction_potentials(value, at_dropoff);
        for (std::size_t i = 0; i < n_; ++i) {
            guide[pickup(i)] = value[i];
            guide[dropoff(i)] = at_dropoff[i];
        }
    }
    // The auction's pair arcs into each pickup, by index (those priced in since may break
    // its optimality: the simplex takes them in).
    std::vector<std::size_t> in_start, in_pair;
    pairs_into_pickups(auction_arcs_, in_start, in_pair);
    // The plan: each drop-off's arc with flow (a link, its own pickup, or the end arc), and
    // whether a pickup starts a vehicle.
    std::vector<std::int64_t> used(n_, -1);
    std::vector<std::uint8_t> started(n_, 1);
    std::int64_t vehicles = 0;
    for (std::size_t i = 0; i < n_; ++i) {
        const std::int32_t j = auction_match_[i];
        if (j < 0) {
            used[i] = static_cast<std::int64_t>(3 + 3 * i);
            continue;
        }
        const auto jj = static_cast<std::size_t>(j);
        started[jj] = 0;
        if (jj == i) {
            used[i] = static_cast<std::int64_t>(2 + 3 * i);
            continue;
        }
        for (std::size_t p = in_start[jj]; p < in_start[jj + 1] && used[i] < 0; ++p) {
            const std::size_t k = in_pair[p];
            if (static_cast<std::size_t>(pairs_[k].from) == i) used[i] = pair_arc(k);
        }
        if (used[i] < 0) return false;  // not an arc of the model
    }
    for (std::size_t j = 0; j < n_; ++j) vehicles += started[j];
    const bool spare = vehicles < fleet_;  // the source-sink arc carries flow
    const auto arc_cost = [&](std::int64_t arc) {
        const auto a = static_cast<std::size_t>(arc);
        return a < base_arcs_.size() ? base_arcs_[a].cost : pairs_[a - base_arcs_.size()].cost;
    };

    // Label-correcting search: dist in units of reduced cost on the guide, parent[u] the arc by
    // which u reaches the source.
    constexpr std::int64_t kUnreached = std::numeric_limits<std::int64_t>::max();
    std::vector<std::int64_t> dist(nodes, kUnreached), parent(nodes, -1);
    using Entry = std::pair<std::int64_t, std::size_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
    std::int64_t settled = 0;
    const std::int64_t most_settled = 16 * static_cast<std::int64_t>(nodes);  // a guard: optimal plans stay far below
    // Residual arc u -> v of cost `cost` (by model arc `arc`), v settled.
    const auto relax = [&](std::size_t u, std::size_t v, std::int64_t cost, std::int64_t arc) {
        const std::int64_t length = cost + guide[u] - guide[v];
        if (dist[v] + length >= dist[u]) return;
        dist[u] = dist[v] + length;
        parent[u] = arc;
        heap.emplace(dist[u], u);
    };
    dist[0] = 0;
    heap.emplace(0, 0);
    while (!heap.empty()) {
        const auto [at, v] = heap.top();
        heap.pop();
        if (at != dist[v]) continue;
        if (++settled > most_settled) return false;
        if (v == 0) {  // back along the flow out of the source: new vehicles, spare ones
            for (std::size_t j = 0; j < n_; ++j) {
                if (started[j]) relax(pickup(j), 0, -base_arcs_[1 + 3 * j].cost, static_cast<std::int64_t>(1 + 3 * j));
            }
            if (spare) relax(1, 0, 0, 0);
        } else if (v == 1) {  // end arcs into the sink
            for (std::size_t i = 0; i < n_; ++i) {
                const auto end = static_cast<std::int64_t>(3 + 3 * i);
                if (base_arcs_[3 + 3 * i].upper != 0) relax(dropoff(i), 1, base_arcs_[3 + 3 * i].cost, end);
            }
        } else if (v % 2 == 0) {  // pickup j: the pair arcs and the own arc into it
            const std::size_t j = (v - 2) / 2;
            for (std::size_t p = in_start[j]; p < in_start[j + 1]; ++p) {
                const std::size_t k = in_pair[p];
                relax(dropoff(static_cast<std::size_t>(pairs_[k].from)), v, pairs_[k].cost, pair_arc(k));
            }
            if (base_arcs_[2 + 3 * j].upper != 0) {
                relax(dropoff(j), v, base_arcs_[2 + 3 * j].cost, static_cast<std::int64_t>(2 + 3 * j));
            }
        } else {  // drop-off i: back along its arc with flow
            const std::size_t i = (v - 3) / 2;
            const std::int32_t j = auction_match_[i];
            relax(j < 0 ? 1 : pickup(static_cast<std::size_t>(j)), v, -arc_cost(used[i]), used[i]);
        }
    }
    // Every arc with flow is tight, so the tree keeps them all: each pickup hangs from where
    // its vehicle comes from (its only residual arc), the sink from the source by the spare
    // vehicles' arc and each chain's last drop-off from the sink. With no vehicle spare (every
    // order its own chain, must_serve) the sink hangs from the last drop-off it was reached
    // through, and that drop-off keeps its own way to the source.
    std::vector<std::int64_t> tree(nodes, -1);
    for (std::size_t u = 1; u < nodes; ++u) {
        if (dist[u] == kUnreached) return false;
        tree[u] = parent[u];
    }
    if (spare) tree[1] = 0;
    for (std::size_t i = 0; i < n_; ++i) {
        if (auction_match_[i] < 0 && (spare || parent[1] != used[i])) tree[dropoff(i)] = used[i];
        tree[pickup(i)] = started[i] ? static_cast<std::int64_t>(1 + 3 * i) : -1;
    }
    for (std::size_t i = 0; i < n_; ++i) {
        const std::int32_t j = auction_match_[i];
        if (j >= 0) tree[pickup(static_cast<std::size_t>(j))] = used[i];
    }
    // Own arcs closed by must_serve (no flow either way) rest at their upper bound where the
    // duals would have them carry flow, or each would take a pivot to flip it there.
    std::vector<std::int64_t> at_upper;
    for (std::size_t i = 0; i < n_; ++i) {
        const BaseArc& skip = base_arcs_[2 + 3 * i];
        const std::int64_t reduced = skip.cost + (guide[dropoff(i)] - dist[dropoff(i)]) - (guide[pickup(i)] - dist[pickup(i)]);
        if (skip.upper == 0 && reduced < 0) at_upper.push_back(static_cast<std::int64_t>(2 + 3 * i));
    }
    return flow_.start_from_tree(tree, at_upper) || flow_.start_from_tree(tree, at_upper, true);
}

}  // namespace shareopt
