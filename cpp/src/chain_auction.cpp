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
#include <cstdint>
#include <functional>
#include <vector>

#include "chain_deadline.hpp"
#include "chain_sides.hpp"
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

// The day cut in two at the median drop-off, so that two threads can run the auction's bids:
// persons by their drop-off time, pickups by who may bid for them (kShared: both sides). A
// person only reaches pickups up to max_idle after its drop-off, so few pickups are shared
// (100,000 orders, max_idle 20 min: 1.7%, and about 2% of the bids); bids for them wait for a
// step that runs alone. Only large markets with few shared pickups are cut, whatever the
// number of threads, so the plan does not depend on it.
constexpr std::uint8_t kShared = 2;
constexpr std::size_t kMinParallel = 64;  // a step with fewer persons (pickups) a side runs alone:
                                          // handing over costs more than it saves

struct Halves {
    std::vector<std::uint8_t> person, object;  // 0 or 1; objects also kShared
    bool cut = false;                          // false: everything on side 0
};

Halves cut_in_halves(const Bids& bids, const std::vector<double>& dropoff_time) {
    const std::size_t n = dropoff_time.size();
    Halves halves;
    halves.person.assign(n, 0);
    halves.object.assign(n, 0);
    if (n < 20000) return halves;
    std::vector<double> times(dropoff_time);
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(n / 2), times.end());
    const double middle = times[n / 2];
    for (std::size_t i = 0; i < n; ++i) halves.person[i] = dropoff_time[i] >= middle ? 1 : 0;
    std::size_t shared = 0;
    for (std::size_t j = 0; j < n; ++j) {
        bool first = false, second = false;
        for (std::int64_t k = bids.rstart[j]; k < bids.rstart[j + 1]; ++k) {
            (halves.person[static_cast<std::size_t>(bids.rperson[static_cast<std::size_t>(k)])] ? second : first) = true;
        }
        halves.object[j] = first && second ? kShared : (second ? 1 : 0);
        shared += first && second;
    }
    if (8 * shared > n) {  // too entangled (long max_idle): one side
        halves.person.assign(n, 0);
        halves.object.assign(n, 0);
        return halves;
    }
    halves.cut = true;
    return halves;
}

// Visits the items of one side's list, last in first out, until it is empty (items the visit
// pushes included); false when the deadline (a copy per side: threads) passed first.
template <class Visit>
bool drain(std::vector<std::int32_t>& list, PolledDeadline deadline, Visit&& visit) {
    while (!list.empty()) {
        if (deadline.passed()) return false;
        const std::int32_t item = list.back();
        list.pop_back();
        visit(item);
    }
    return true;
}

// Person i bids for its best pickup, raising the price by what it prefers it over its second
// option (ending the chain is worth 0) plus epsilon; displaced(owner) takes the person it
// outbid. False, bidding nothing, when that pickup is shared and shared ones must wait.
template <class Displaced>
bool forward_bid(Market& market, const Bids& bids, std::size_t i, std::int64_t epsilon, const Halves* waiting,
                 Displaced&& displaced) {
    TopTwo top;
    for (std::int64_t k = bids.start[i]; k < bids.start[i + 1]; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        top.offer(bids.value[kk] - market.price[static_cast<std::size_t>(bids.head[kk])], bids.head[kk], bids.value[kk]);
    }
    if (top.who < 0) return true;  // nothing pays more than ending here; prices only rise
    const auto j = static_cast<std::size_t>(top.who);
    if (waiting != nullptr && waiting->object[j] == kShared) return false;
    market.price[j] += top.best - top.second + epsilon;
    if (market.owner[j] >= 0) {
        market.match[static_cast<std::size_t>(market.owner[j])] = -1;
        market.profit[static_cast<std::size_t>(market.owner[j])] = 0;
        displaced(market.owner[j]);
    }
    market.owner[j] = static_cast<std::int32_t>(i);
    market.match[i] = top.who;
    market.profit[i] = top.value - market.price[j];
    return true;
}

// Forward auction: every unmatched person bids until all are matched or better off ending
// their chains. Each side bids on its own; bids for shared pickups run alone in between.
bool forward_auction(Market& market, const Bids& bids, const Halves& halves, std::int64_t epsilon,
                     PolledDeadline& deadline, TwoSides& sides) {
    std::vector<std::int32_t> stack[2], waiting[2];
    for (std::size_t i = bids.start.size() - 1; i-- > 0;) {
        if (market.match[i] < 0 && bids.start[i] < bids.start[i + 1]) stack[halves.person[i]].push_back(static_cast<std::int32_t>(i));
    }
    bool late[2] = {false, false};
    const std::function<void(int)> side = [&](int s) {
        late[s] = !drain(stack[s], deadline, [&](std::int32_t i) {
            const auto push = [&](std::int32_t person) { stack[s].push_back(person); };
            if (!forward_bid(market, bids, static_cast<std::size_t>(i), epsilon, &halves, push)) waiting[s].push_back(i);
        });
    };
    for (;;) {
        sides.run(side, std::min(stack[0].size(), stack[1].size()) >= kMinParallel);
        if (late[0] || late[1]) return false;
        if (waiting[0].empty() && waiting[1].empty()) return true;
        for (auto& wait : waiting) {
            for (const std::int32_t i : wait) {
                if (deadline.passed()) return false;
                forward_bid(market, bids, static_cast<std::size_t>(i), epsilon, nullptr,
                            [&](std::int32_t person) { stack[halves.person[static_cast<std::size_t>(person)]].push_back(person); });
            }
            wait.clear();
        }
    }
}

// Pickup j, unheld at a positive price, lowers it to win the person it is worth most to over
// that person's present profit, just below the next one (or to 0, unheld, when nobody gains
// more than epsilon); freed(old) takes that person's old pickup when it has a price.
template <class Freed>
void reverse_bid(Market& market, const Bids& bids, std::size_t j, std::int64_t epsilon, Freed&& freed) {
    TopTwo top;
    for (std::int64_t k = bids.rstart[j]; k < bids.rstart[j + 1]; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        const auto person = bids.rperson[kk];
        top.offer(bids.rvalue[kk] - market.profit[static_cast<std::size_t>(person)], person, bids.rvalue[kk]);
    }
    if (top.who < 0 || top.best <= epsilon) {
        market.price[j] = 0;
        return;
    }
    market.price[j] = std::max<std::int64_t>(0, top.second - epsilon);
    const auto i = static_cast<std::size_t>(top.who);
    const std::int32_t old = market.match[i];
    if (old >= 0) {
        market.owner[static_cast<std::size_t>(old)] = -1;
        if (market.price[static_cast<std::size_t>(old)] > 0) freed(old);
    }
    market.match[i] = static_cast<std::int32_t>(j);
    market.owner[j] = top.who;
    market.profit[i] = top.value - market.price[j];
}

// Reverse auction for the pickups nobody holds at a positive price. Prices only fall and every
// person stays within epsilon of its best, so the forward auction's slack holds throughout,
// and in the end every unheld pickup costs 0. Resetting those prices to 0 instead set off
// price wars: their old bidders came back. Sides and shared pickups as in the forward one.
bool reverse_auction(Market& market, const Bids& bids, const Halves& halves, std::int64_t epsilon,
                     PolledDeadline& deadline, TwoSides& sides) {
    std::vector<std::int32_t> work[2], waiting[2];
    const auto open = [&](std::int32_t j) {
        const auto jj = static_cast<std::size_t>(j);
        return market.owner[jj] < 0 && market.price[jj] > 0;
    };
    for (std::size_t j = 0; j < market.owner.size(); ++j) {
        if (!open(static_cast<std::int32_t>(j))) continue;
        const std::uint8_t side = halves.object[j];
        (side == kShared ? waiting[0] : work[side]).push_back(static_cast<std::int32_t>(j));
    }
    bool late[2] = {false, false};
    const std::function<void(int)> side = [&](int s) {
        late[s] = !drain(work[s], deadline, [&](std::int32_t j) {
            if (!open(j)) return;
            // The person won is on this side, so its old pickup is too, or shared.
            reverse_bid(market, bids, static_cast<std::size_t>(j), epsilon, [&](std::int32_t old) {
                (halves.object[static_cast<std::size_t>(old)] == kShared ? waiting[s] : work[s]).push_back(old);
            });
        });
    };
    for (;;) {
        sides.run(side, std::min(work[0].size(), work[1].size()) >= kMinParallel);
        if (late[0] || late[1]) return false;
        if (waiting[0].empty() && waiting[1].empty()) return true;
        std::vector<std::int32_t> alone;
        for (auto& wait : waiting) {
            alone.insert(alone.end(), wait.begin(), wait.end());
            wait.clear();
        }
        const bool in_time = drain(alone, deadline, [&](std::int32_t j) {
            if (!open(j)) return;
            reverse_bid(market, bids, static_cast<std::size_t>(j), epsilon, [&](std::int32_t old) {
                const std::uint8_t side = halves.object[static_cast<std::size_t>(old)];
                (side == kShared ? alone : work[side]).push_back(old);
            });
        });
        if (!in_time) return false;
    }
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
    const Halves halves = cut_in_halves(bids, dropoff_time_);
    auction_halved_ = halves.cut;
    TwoSides sides(halves.cut && thread_count() > 1);
    for (std::int64_t epsilon = std::max<std::int64_t>(1, bids.largest / 4);; epsilon = std::max<std::int64_t>(1, epsilon / kAuctionRatio)) {
        if (!release_out_of_slack(market, bids, epsilon, deadline) ||
            !forward_auction(market, bids, halves, epsilon, deadline, sides) ||
            !reverse_auction(market, bids, halves, epsilon, deadline, sides)) {
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
