// How each solve of the trip-chain model starts: from the auction's optimum (chain_auction.cpp)
// on a basis already optimal for the auction's model (chain_tree.cpp), from the greedy plan, or
// warm from the last basis.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "shareopt/chaining.hpp"

namespace shareopt {

FlowStatus TripChainer::solve_flow(double time_limit_s) {
    // The first solve, and a re-solve after pricing added many arcs (more than 2% of the
    // model), go through the auction: pivoting a large batch of arcs into a solved basis costs
    // the simplex more than solving afresh (100,000 orders, the second solve: 2.2 million
    // pivots, 8.5 s, against 4.6 s for the auction; a full day, 535,000 new arcs, 3.5% of the
    // model: 20.6 million pivots, 207 s, where the auction had taken 113 s the round before).
    const auto began = std::chrono::steady_clock::now();
    const auto arcs = static_cast<std::int64_t>(pairs_.size());
    const bool many_new = 50 * (arcs - arcs_at_last_solve_) > arcs;
    arcs_at_last_solve_ = arcs;
    if (!auction_applies() || (flow_.started() && !many_new)) return flow_.solve(time_limit_s);
    ++auction_solves_;
    if (solve_by_auction(time_limit_s)) {
        reprice_by_auction(time_limit_s, began);
        arcs_at_last_solve_ = static_cast<std::int64_t>(pairs_.size());
        if (flow_.started()) {  // a re-solve: a fresh simplex on every arc, from the auction's plan
            earlier_pivots_ += flow_.pivots();
            flow_ = fresh_flow();
        }
        if (!start_simplex_from_auction()) start_from_greedy();
    } else if (!flow_.started()) {
        // Stopped by the time limit: a first solve starts from the greedy plan; a re-solve goes
        // on from its last optimum (the simplex holds every arc).
        start_from_greedy();
    }
    start_next_.clear();  // the auction's links started this solve only
    start_prev_.clear();
    const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return flow_.solve(time_limit_s - spent);
}

void TripChainer::reprice_by_auction(double time_limit_s, std::chrono::steady_clock::time_point began) {
    // Pricing needs no simplex: the auction's duals price the pairs outside the model just as
    // well, and while that adds many arcs the auction solves again (20,000 orders: the first
    // round adds 7% of the model) before the simplex builds its tree once, from the last
    // auction. A round cut short by the time limit keeps the auction it has.
    const auto left = [&] {
        return time_limit_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    };
    for (int round = 1; round < params_.auction_rounds; ++round) {
        // Potentials in scaled units, rounded down at both ends: a pair's reduced cost moves by
        // less than 1, so the model's arcs (reduced cost >= 0 under the auction's duals) stay
        // out and every pair found has a negative one.
        std::vector<std::int64_t> value, at_dropoff;
        scaled_auction_potentials(value, at_dropoff);
        bool complete = false;  // start_next_: the auction's links
        const std::int64_t added = price_with(std::move(value), std::move(at_dropoff), start_next_, false, left(), complete);
        if (!complete || 50 * added <= static_cast<std::int64_t>(pairs_.size())) return;
        ++auction_solves_;
        if (!solve_by_auction(left())) return;
    }
}

void TripChainer::scaled_auction_potentials(std::vector<std::int64_t>& value, std::vector<std::int64_t>& at_dropoff) const {
    const auto unit = static_cast<std::int64_t>(n_ + 1);
    const auto floor_div = [&](std::int64_t x) { return x >= 0 ? x / unit : -((-x + unit - 1) / unit); };
    value.resize(n_);
    at_dropoff.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        value[i] = floor_div(auction_pickup_potential(i));
        at_dropoff[i] = floor_div(auction_dropoff_potential(i));
    }
}

std::int64_t TripChainer::auction_pickup_potential(std::size_t j) const {
    // A pickup is worth its start cost less its price; the hub at 0.
    return static_cast<std::int64_t>(n_ + 1) * base_arcs_[1 + 3 * j].cost - auction_price_[j];
}

std::int64_t TripChainer::auction_dropoff_potential(std::size_t i) const {
    // A drop-off is worth its best option's profit less its end cost.
    return auction_profit_[i] - static_cast<std::int64_t>(n_ + 1) * base_arcs_[3 + 3 * i].cost;
}

void TripChainer::pairs_into_pickups(std::size_t count, std::vector<std::size_t>& start,
                                     std::vector<std::size_t>& index) const {
    start.assign(n_ + 1, 0);
    for (std::size_t k = 0; k < count; ++k) ++start[static_cast<std::size_t>(pairs_[k].to) + 1];
    for (std::size_t j = 0; j < n_; ++j) start[j + 1] += start[j];
    index.resize(count);
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < count; ++k) index[fill[static_cast<std::size_t>(pairs_[k].to)]++] = k;
}

bool TripChainer::start_from_greedy() {
    if (flow_.started()) return false;
    // First fit in time: each pickup, in pickup-time order, takes the vehicle of the cheapest
    // candidate predecessor whose chain still ends there, when that saves a new vehicle.
    std::vector<std::size_t> by_pickup(n_);
    for (std::size_t i = 0; i < n_; ++i) by_pickup[i] = i;
    std::stable_sort(by_pickup.begin(), by_pickup.end(),
                     [&](std::size_t a, std::size_t b) { return precedes(a, b); });
    std::vector<std::size_t> incoming, in_list;
    pairs_into_pickups(pairs_.size(), incoming, in_list);
    std::vector<std::int64_t> in_arc(n_, -1);
    std::vector<std::int32_t> next(n_, -1);
    const bool planned = !start_prev_.empty();
    for (std::size_t j : by_pickup) {
        std::int64_t best = -1;
        std::int64_t best_saving = 0;
        for (std::size_t p = incoming[j]; p < incoming[j + 1]; ++p) {
            const std::size_t k = in_list[p];
            const auto i = static_cast<std::size_t>(pairs_[k].from);
            if (next[i] >= 0) continue;
            if (planned && start_prev_[j] >= 0) {
                // The start plan's link, whatever it saves: its chain is judged whole below.
                if (pairs_[k].from != start_prev_[j]) continue;
                best = static_cast<std::int64_t>(k);
                break;
            }
            if (planned && start_next_[i] >= 0) continue;  // kept for its own link
            const std::int64_t saving = to_scaled(start_cost_[j]) + to_scaled(end_cost_[i]) - pairs_[k].cost;
            if (saving > best_saving) {
                best_saving = saving;
                best = static_cast<std::int64_t>(k);
            }
        }
        if (best < 0) continue;
        next[static_cast<std::size_t>(pairs_[static_cast<std::size_t>(best)].from)] = static_cast<std::int32_t>(j);
        in_arc[j] = pair_arc(static_cast<std::size_t>(best));
    }
    // Keep the chains that pay for themselves (all of them with must_serve), best first,
    // at most the fleet bound.
    std::vector<std::pair<std::int64_t, std::size_t>> chains;  // (cost, first order)
    for (std::size_t first = 0; first < n_; ++first) {
        if (in_arc[first] >= 0) continue;
        std::int64_t cost = to_scaled(start_cost_[first]);
        std::size_t last = first;
        for (std::size_t i = first;; i = static_cast<std::size_t>(next[i])) {
            cost += to_scaled(service_cost_[i]);
            if (next[i] < 0) {
                last = i;
                break;
            }
            cost += to_scaled(pair_cost(static_cast<std::int32_t>(i), next[i]));
        }
        cost += to_scaled(end_cost_[last]);
        if (cost < 0 || params_.must_serve) chains.emplace_back(cost, first);
    }
    if (params_.must_serve && static_cast<std::int64_t>(chains.size()) > fleet_) return false;
    std::stable_sort(chains.begin(), chains.end());
    if (static_cast<std::int64_t>(chains.size()) > fleet_) chains.resize(static_cast<std::size_t>(fleet_));

    // The tree: the source and every drop-off hang from the sink, every pickup from where its
    // vehicle comes from (source, previous drop-off, or its own drop-off when skipped).
    std::vector<std::int64_t> tree(2 * n_ + 2, -1);
    tree[0] = 0;
    for (std::size_t i = 0; i < n_; ++i) {
        tree[3 + 2 * i] = static_cast<std::int64_t>(3 + 3 * i);
        tree[2 + 2 * i] = static_cast<std::int64_t>(2 + 3 * i);  // skipped unless kept below
    }
    for (const auto& chain : chains) {
        std::size_t i = chain.second;
        tree[2 + 2 * i] = static_cast<std::int64_t>(1 + 3 * i);
        for (; next[i] >= 0; i = static_cast<std::size_t>(next[i])) {
            tree[2 + 2 * static_cast<std::size_t>(next[i])] = in_arc[static_cast<std::size_t>(next[i])];
        }
    }
    return flow_.start_from_tree(tree);
}

}  // namespace shareopt
