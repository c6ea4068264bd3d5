// The start of a trip-chain solve without a fleet bound: the model as an assignment, solved
// by an epsilon-scaling forward-reverse auction (Bertsekas), then handed to the network
// simplex as an optimal basis of its model (chain_tree.cpp).
//
// Without a fleet bound the source and the sink are one hub, so the flow model is a maximum
// weight matching: linking drop-off i (a person) to pickup j (an object) saves
// w_ij = start_j + end_i - cost_ij against ending i's chain and starting a vehicle at j (the
// own arc i -> i skips an unprofitable order). A person may stay unmatched (its chain ends)
// and an object unowned (a vehicle starts there), which then must cost nothing: its price is
// 0. Values are multiplied by K = n + 1, so with epsilon = 1 in the last phase the matching is
// optimal for the model (the duality gap is at most n epsilon < K, below one unit of the
// integer costs). On this model the auction needs far less time than the simplex from a
// greedy start (100,000 orders: 1.7 s against 10 s); the simplex then takes in the arcs
// priced since and carries the pricing rounds.
#include <algorithm>
#include <cmath>
#include <vector>

#include "chain_deadline.hpp"
#include "shareopt/chaining.hpp"

namespace shareopt {

namespace {

constexpr std::int64_t kAuctionRatio = 8;  // epsilon falls 8-fold per phase (4 to 8 were best)

// Drop-off i may take pickup head[k] for k in [start[i], start[i + 1]) for value[k] > 0; the
// same arcs by pickup in rstart, rperson and rvalue.
struct Bids {
    std::vector<std::int64_t> start;
    std::vector<std::int32_t> head;
    std::vector<std::int64_t> value;
    std::vector<std::int64_t> rstart;
    std::vector<std::int32_t> rperson;
    std::vector<std::int64_t> rvalue;
    std::int64_t largest = 0;
};

struct Market {
    std::vector<std::int64_t> price;  // per pickup
    std::vector<std::int32_t> owner;  // per pickup: the drop-off that took it, or -1
    std::vector<std::int32_t> match;  // per drop-off: its pickup, or -1
    // Per drop-off: the value of its match less that pickup's price (0 unmatched), kept
    // alongside so that the reverse auction reads it in one step.
    std::vector<std::int64_t> profit;

    // What person i's best option is worth at these prices (0: ending its chain).
    std::int64_t best_net(const Bids& bids, std::size_t i) const {
        std::int64_t best = 0;
        for (std::int64_t k = bids.start[i]; k < bids.start[i + 1]; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            best = std::max(best, bids.value[kk] - price[static_cast<std::size_t>(bids.head[kk])]);
        }
        return best;
    }
};

// The best and second-best offers seen (both at least 0, the outside option), and who made
// the best at what value.
struct TopTwo {
    std::int64_t best = 0, second = 0, value = 0;
    std::int32_t who = -1;
    void offer(std::int64_t net, std::int32_t id, std::int64_t with_value) {
        if (net > best) {
            second = best;
            best = net;
            who = id;
            value = with_value;
        } else if (net > second) {
            second = net;
        }
    }
};

// Persons whose match is no longer within epsilon of their best option (epsilon fell) let it
// go; their pickups keep their prices until the reverse pass.
bool release_out_of_slack(Market& market, const Bids& bids, std::int64_t epsilon, PolledDeadline& deadline) {
    for (std::size_t i = 0; i + 1 < bids.start.size(); ++i) {
        if (deadline.passed()) return false;
        const std::int32_t mine = market.match[i];
        if (mine < 0) continue;
        if (market.profit[i] >= market.best_net(bids, i) - epsilon) continue;
        market.match[i] = -1;
        market.profit[i] = 0;
        market.owner[static_cast<std::size_t>(mine)] = -1;
    }
    return true;
}

// Forward auction: each unmatched person bids for its best pickup, raising the price by what
// it prefers it over its second option (ending the chain is worth 0) plus epsilon.
bool forward_auction(Market& market, const Bids& bids, std::int64_t epsilon, PolledDeadline& deadline) {
    std::vector<std::int32_t> stack;
    for (std::size_t i = bids.start.size() - 1; i-- > 0;) {
        if (market.match[i] < 0 && bids.start[i] < bids.start[i + 1]) stack.push_back(static_cast<std::int32_t>(i));
    }
    while (!stack.empty()) {
        if (deadline.passed()) return false;
        const auto i = static_cast<std::size_t>(stack.back());
        stack.pop_back();
        TopTwo top;
        for (std::int64_t k = bids.start[i]; k < bids.start[i + 1]; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            top.offer(bids.value[kk] - market.price[static_cast<std::size_t>(bids.head[kk])], bids.head[kk],
                      bids.value[kk]);
        }
        if (top.who < 0) continue;  // nothing pays more than ending here; prices only rise
        const auto j = static_cast<std::size_t>(top.who);
        market.price[j] += top.best - top.second + epsilon;
        if (market.owner[j] >= 0) {
            market.match[static_cast<std::size_t>(market.owner[j])] = -1;
            market.profit[static_cast<std::size_t>(market.owner[j])] = 0;
            stack.push_back(market.owner[j]);
        }
        market.owner[j] = static_cast<std::int32_t>(i);
        market.match[i] = top.who;
        market.profit[i] = top.value - market.price[j];
    }
    return true;
}

// Reverse auction for the pickups nobody holds at a positive price: each lowers its price to
// win the person it is worth most to over that person's present profit, just below the next
// one (or to 0, unheld, when nobody gains more than epsilon), and that person's old pickup
// takes its turn. Prices only fall and every person stays within epsilon of its best, so the
// forward auction's slack holds throughout, and in the end every unheld pickup costs 0.
// Resetting those prices to 0 instead set off price wars: their old bidders came back.
bool reverse_auction(Market& market, const Bids& bids, std::int64_t epsilon, PolledDeadline& deadline) {
    std::vector<std::int32_t> work;
    for (std::size_t j = 0; j < market.owner.size(); ++j) {
        if (market.owner[j] < 0 && market.price[j] > 0) work.push_back(static_cast<std::int32_t>(j));
    }
    while (!work.empty()) {
        if (deadline.passed()) return false;
        const auto j = static_cast<std::size_t>(work.back());
        work.pop_back();
        if (market.owner[j] >= 0 || market.price[j] == 0) continue;
        TopTwo top;
        for (std::int64_t k = bids.rstart[j]; k < bids.rstart[j + 1]; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            const auto person = bids.rperson[kk];
            top.offer(bids.rvalue[kk] - market.profit[static_cast<std::size_t>(person)], person, bids.rvalue[kk]);
        }
        if (top.who < 0 || top.best <= epsilon) {
            market.price[j] = 0;
            continue;
        }
        market.price[j] = std::max<std::int64_t>(0, top.second - epsilon);
        const auto i = static_cast<std::size_t>(top.who);
        const std::int32_t old = market.match[i];
        if (old >= 0) {
            market.owner[static_cast<std::size_t>(old)] = -1;
            if (market.price[static_cast<std::size_t>(old)] > 0) work.push_back(old);
        }
        market.match[i] = static_cast<std::int32_t>(j);
        market.owner[j] = top.who;
        market.profit[i] = top.value - market.price[j];
    }
    return true;
}

}  // namespace

bool TripChainer::auction_applies() const {
    if (!params_.auction || !start_next_.empty()) return false;  // a start plan seeds the simplex
    if (fleet_ < static_cast<std::int64_t>(n_)) return false;  // a fleet bound couples the chains
    for (std::size_t j = 0; j < n_; ++j) {
        if (base_arcs_[1 + 3 * j].upper == 0) return false;  // a pickup no new vehicle may serve
    }
    // Values times K must stay far from overflow: a value is at most start + end - cost (three
    // scaled costs), a price at most the largest value plus epsilon.
    const double largest = 4.0 * static_cast<double>(cost_bound_) * static_cast<double>(n_ + 1);
    return largest < std::ldexp(1.0, 60);
}

bool TripChainer::solve_by_auction(double time_limit_s) {
    const auto unit = static_cast<std::int64_t>(n_ + 1);
    PolledDeadline deadline(time_limit_s);
    // The arcs that save something, by drop-off and by pickup.
    Bids bids;
    const auto saving = [&](std::size_t i, std::size_t j, std::int64_t cost) {
        return base_arcs_[1 + 3 * j].cost + base_arcs_[3 + 3 * i].cost - cost;
    };
    const auto skip_saving = [&](std::size_t i) {
        const BaseArc& skip = base_arcs_[2 + 3 * i];
        return skip.upper != 0 ? saving(i, i, skip.cost) : std::int64_t{0};
    };
    bids.start.assign(n_ + 1, 0);
    bids.rstart.assign(n_ + 1, 0);
    const auto each_bid = [&](auto&& visit) {  // pair arcs, then own arcs, that save something
        for (const PairArc& arc : pairs_) {
            const auto i = static_cast<std::size_t>(arc.from), j = static_cast<std::size_t>(arc.to);
            const std::int64_t value = saving(i, j, arc.cost);
            if (value > 0) visit(i, j, value);
        }
        for (std::size_t i = 0; i < n_; ++i) {
            const std::int64_t value = skip_saving(i);
            if (value > 0) visit(i, i, value);
        }
    };
    each_bid([&](std::size_t i, std::size_t j, std::int64_t) {
        ++bids.start[i + 1];
        ++bids.rstart[j + 1];
    });
    for (std::size_t i = 0; i < n_; ++i) {
        bids.start[i + 1] += bids.start[i];
        bids.rstart[i + 1] += bids.rstart[i];
    }
    const auto total = static_cast<std::size_t>(bids.start[n_]);
    bids.head.resize(total);
    bids.value.resize(total);
    bids.rperson.resize(total);
    bids.rvalue.resize(total);
    std::vector<std::int64_t> fill(bids.start.begin(), bids.start.end() - 1);
    std::vector<std::int64_t> rfill(bids.rstart.begin(), bids.rstart.end() - 1);
    each_bid([&](std::size_t i, std::size_t j, std::int64_t value) {
        const auto k = static_cast<std::size_t>(fill[i]++), r = static_cast<std::size_t>(rfill[j]++);
        bids.head[k] = static_cast<std::int32_t>(j);
        bids.value[k] = value * unit;
        bids.rperson[r] = static_cast<std::int32_t>(i);
        bids.rvalue[r] = value * unit;
        bids.largest = std::max(bids.largest, value * unit);
    });

    Market market;
    market.price.assign(n_, 0);
    market.owner.assign(n_, -1);
    market.match.assign(n_, -1);
    market.profit.assign(n_, 0);
    for (std::int64_t epsilon = std::max<std::int64_t>(1, bids.largest / 4);; epsilon = std::max<std::int64_t>(1, epsilon / kAuctionRatio)) {
        if (!release_out_of_slack(market, bids, epsilon, deadline) ||
            !forward_auction(market, bids, epsilon, deadline) || !reverse_auction(market, bids, epsilon, deadline)) {
            return false;  // a part-finished matching is no plan to start from
        }
        if (epsilon == 1) break;
    }
    // The optimal matching as the start plan's links, and its duals.
    start_next_.assign(n_, -1);
    start_prev_.assign(n_, -1);
    auction_arcs_ = pairs_.size();
    auction_match_ = market.match;
    auction_price_ = market.price;
    auction_profit_.assign(n_, 0);
    for (std::size_t i = 0; i < n_; ++i) {
        auction_profit_[i] = market.best_net(bids, i);
        const std::int32_t j = market.match[i];
        if (j < 0 || static_cast<std::size_t>(j) == i) continue;
        start_next_[i] = j;
        start_prev_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(i);
    }
    return true;
}

}  // namespace shareopt
