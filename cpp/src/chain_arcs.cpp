// Which compatibility arcs enter the chaining model: the cheapest few per order to start, then
// every pair that prices out with the current potentials, found through the cell index.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "chain_deadline.hpp"
#include "chain_index.hpp"
#include "shareopt/chaining.hpp"

namespace shareopt {

namespace {

using Clock = ChainClock;
constexpr double kSafe = 1.0 - 1e-9;
// Candidate search: places read per cell at most for the cheapest.
constexpr std::int32_t kCellScan = 256;

// Runs work(begin, end, thread) over [0, n) in blocks handed out dynamically; stops handing
// out blocks once the deadline passes (returns false then).
template <class Work>
bool parallel_blocks(std::size_t n, int threads, Clock::time_point deadline, bool timed, Work&& work) {
    constexpr std::size_t kBlock = 512;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> late{false};
    auto run = [&](int thread) {
        for (;;) {
            if (timed && Clock::now() > deadline) {
                late = true;
                return;
            }
            const std::size_t begin = next.fetch_add(kBlock);
            if (begin >= n) return;
            work(begin, std::min(n, begin + kBlock), thread);
        }
    };
    const int count = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads),
                                                             std::max<std::size_t>(1, n / kBlock)));
    std::vector<std::thread> pool;
    for (int t = 1; t < count; ++t) pool.emplace_back(run, t);
    run(0);
    for (auto& thread : pool) thread.join();
    return !late;
}

// The k smallest (key, id) pairs seen, as a max-heap.
template <class Key>
struct TopK {
    explicit TopK(std::size_t k) : k(k) { items.reserve(k); }
    bool full() const { return items.size() >= k; }
    bool would_take(Key key, std::int32_t id) const { return !full() || std::make_pair(key, id) < items.front(); }
    Key worst() const { return items.front().first; }
    void offer(Key key, std::int32_t id) {
        if (!full()) {
            items.emplace_back(key, id);
            std::push_heap(items.begin(), items.end());
        } else if (std::make_pair(key, id) < items.front()) {
            std::pop_heap(items.begin(), items.end());
            items.back() = {key, id};
            std::push_heap(items.begin(), items.end());
        }
    }
    std::size_t k;
    std::vector<std::pair<Key, std::int32_t>> items;
};

}  // namespace

int TripChainer::candidates_per_order() const {
    if (params_.successors > 0) return params_.successors;
    // The optimum's links lie deeper in each order's lists as orders grow denser: take about
    // 0.6 sqrt(compatible pairs per order with a wait of at most 20 minutes), at least 5
    // (NYC-like orders, max_idle 20 minutes: 20,000 orders, 65 pairs each, 5 is fastest;
    // 50,000, 162: 7 to 8; 100,000, 327: 10 to 12). Longer waits are not counted: a longer
    // max_idle or none at all widens the lists with links the optimum rarely takes, and more
    // candidates were slower there. The mean comes from evenly spaced orders, until enough
    // pairs were counted.
    constexpr std::size_t kSamples = 1000;
    constexpr std::int64_t kEnough = 1'000'000;
    constexpr double kHorizon = 1200.0;
    const double idle = std::min(params_.max_idle_s, kHorizon);
    std::int64_t pairs = 0, sampled = 0;
    const std::size_t stride = std::max<std::size_t>(1, n_ / kSamples);
    for (std::size_t i = 0; i < n_ && pairs < kEnough; i += stride, ++sampled) {
        const double t0 = dropoff_time_[i];
        geometry_->visit(dropoff_cell_[i], true, [&](const CellGeometry::Neighbor& nb) {
            if (nb.lb_s > idle) return true;
            std::int32_t lo, hi;
            pickups_->window(nb.cell, t0 + nb.lb_s, t0 + idle, lo, hi);
            for (std::int32_t p = lo; p < hi; ++p) pairs += compatible(static_cast<std::int32_t>(i), pickups_->id(p));
            return true;
        });
    }
    const double mean = sampled > 0 ? static_cast<double>(pairs) / static_cast<double>(sampled) : 0.0;
    return static_cast<int>(std::clamp(std::lround(0.6 * std::sqrt(mean)), 5L, 16L));
}

std::int64_t TripChainer::add_candidate_arcs(double time_limit_s) {
    bool timed = false;
    const auto deadline = deadline_after(time_limit_s, timed);
    const int threads = thread_count();
    std::vector<std::vector<PairArc>> found(static_cast<std::size_t>(threads));
    const double per_km = params_.deadhead_cost_per_km * scale_ * kSafe;
    const auto k = static_cast<std::size_t>(candidates_per_order());
    const double idle = params_.max_idle_s;
    const bool monotone = geometry_->monotone_time();

    parallel_blocks(n_, threads, deadline, timed, [&](std::size_t begin, std::size_t end, int thread) {
        auto& out = found[static_cast<std::size_t>(thread)];
        TopK<std::int64_t> best(k);
        TopK<double> soon(k);  // keyed by time from t (forward) or to t (backward)
        // Fills best and soon with the k cheapest and the k nearest in time of the places
        // compatible with an order at `cell` and time t: pickups after it (forward) or
        // drop-offs before it. Cells come in nondecreasing lower bounds, so each list stops
        // once no later cell can improve it; both share each cell's time window.
        const auto nearest = [&](std::int32_t cell, bool forward, double t, auto&& fits, auto&& cost_of) {
            best.items.clear();
            soon.items.clear();
            const CellIndex& index = forward ? *pickups_ : *dropoffs_;
            bool best_done = false, soon_done = false;
            geometry_->visit(cell, forward, [&](const CellGeometry::Neighbor& nb) {
                best_done = best_done || (best.full() && per_km * nb.lb_km >= static_cast<double>(best.worst()));
                soon_done = soon_done || (soon.full() && monotone && nb.lb_s >= soon.worst());
                if (best_done && soon_done) return false;
                if (nb.lb_s > idle) return true;
                const double t_lo = forward ? t + nb.lb_s : t - idle, t_hi = forward ? t + idle : t - nb.lb_s;
                if (!index.may_hold(nb.cell, t_lo, t_hi)) return true;
                std::int32_t lo, hi;
                index.window(nb.cell, t_lo, t_hi, lo, hi);
                const auto at = [&](std::int32_t n) { return forward ? lo + n : hi - 1 - n; };
                const auto gap = [&](std::int32_t p) { return forward ? index.time(p) - t : t - index.time(p); };
                // Every compatible place of a dense cell's window is a candidate for the
                // cheapest (places in one cell differ in cost), up to kCellScan read.
                for (std::int32_t n = 0; !best_done && n < hi - lo && n < kCellScan; ++n) {
                    const std::int32_t id = index.id(at(n));
                    const std::int64_t cost = cost_of(id);  // cheaper than the time test
                    if (best.would_take(cost, id) && fits(id)) best.offer(cost, id);
                }
                for (std::int32_t n = 0; !soon_done && n < hi - lo; ++n) {
                    const std::int32_t p = at(n);
                    if (soon.full() && gap(p) >= soon.worst()) break;
                    const std::int32_t id = index.id(p);
                    if (fits(id)) soon.offer(gap(p), id);
                }
                return true;
            });
        };
        for (std::size_t i = begin; i < end; ++i) {
            // Successors: pickups after this drop-off, nearest cells first. The cheapest, and
            // the earliest: with a large vehicle cost the optimum links by slack in time as
            // much as by distance. One visit of the cells serves both lists.
            const double t0 = dropoff_time_[i];
            nearest(dropoff_cell_[i], true, t0, [&](std::int32_t j) { return compatible(static_cast<std::int32_t>(i), j); },
                    [&](std::int32_t j) { return to_scaled(pair_cost(static_cast<std::int32_t>(i), j)); });
            for (const auto& [cost, j] : best.items) out.push_back({static_cast<std::int32_t>(i), j, cost});
            for (const auto& item : soon.items) {
                const std::int32_t j = item.second;
                out.push_back({static_cast<std::int32_t>(i), j, to_scaled(pair_cost(static_cast<std::int32_t>(i), j))});
            }
            // Predecessors: drop-offs before this pickup, the cheapest and the latest.
            const double t1 = pickup_time_[i];
            nearest(pickup_cell_[i], false, t1, [&](std::int32_t h) { return compatible(h, static_cast<std::int32_t>(i)); },
                    [&](std::int32_t h) { return to_scaled(pair_cost(h, static_cast<std::int32_t>(i))); });
            for (const auto& [cost, h] : best.items) out.push_back({h, static_cast<std::int32_t>(i), cost});
            for (const auto& item : soon.items) {
                const std::int32_t h = item.second;
                out.push_back({h, static_cast<std::int32_t>(i), to_scaled(pair_cost(h, static_cast<std::int32_t>(i)))});
            }
        }
    });
    std::vector<PairArc> arcs;
    for (auto& part : found) arcs.insert(arcs.end(), part.begin(), part.end());
    for (std::size_t i = 0; i < start_next_.size(); ++i) {  // the start plan's links
        const auto from = static_cast<std::int32_t>(i);
        const std::int32_t j = start_next_[i];
        if (j >= 0) arcs.push_back({from, j, to_scaled(pair_cost(from, j))});
    }
    const std::size_t before = pairs_.size();
    add_pairs(arcs);
    if (!auction_applies()) start_from_greedy();  // else the first solve starts from the auction
    return static_cast<std::int64_t>(pairs_.size() - before);
}

std::int64_t TripChainer::price(double time_limit_s, bool& complete) {
    std::vector<std::int64_t> value(n_);
    std::vector<std::int64_t> at_dropoff(n_);
    for (std::size_t i = 0; i < n_; ++i) {
        value[i] = flow_.potential(static_cast<std::int32_t>(2 + 2 * i));
        at_dropoff[i] = flow_.potential(static_cast<std::int32_t>(3 + 2 * i));
    }
    return price_with(std::move(value), std::move(at_dropoff), successor(), true, time_limit_s, complete);
}

std::int64_t TripChainer::price_with(std::vector<std::int64_t> value, std::vector<std::int64_t> at_dropoff,
                                     const std::vector<std::int32_t>& next, bool simplex_duals,
                                     double time_limit_s, bool& complete) {
    bool timed = false;
    const auto deadline = deadline_after(time_limit_s, timed);
    const int threads = thread_count();

    // A pair's reduced cost changes only when a potential at one of its ends moves. After a
    // complete round, an order whose own potential stayed and whose scan was not cut short
    // re-prices only the pickups whose potential rose since then (the others are masked out:
    // a pair's reduced cost falls only when its pickup's potential rises); every other order
    // re-prices everything. Rounds on other duals (the auction's) price everything and leave
    // the next round to price everything too.
    std::vector<std::size_t> everything, moved_only;
    rescan_.resize(n_, 1);
    const bool incremental = simplex_duals && priced_once_ && last_pickup_.size() == n_;
    for (std::size_t i = 0; i < n_; ++i) {
        const bool full = !incremental || rescan_[i] || last_dropoff_[i] != at_dropoff[i];
        (full ? everything : moved_only).push_back(i);
    }

    std::vector<std::vector<PairArc>> found(static_cast<std::size_t>(threads));
    std::vector<std::int64_t> priced(static_cast<std::size_t>(threads), 0);
    std::vector<std::int64_t> bound(static_cast<std::size_t>(threads), 0);
    const double per_km = params_.deadhead_cost_per_km * scale_ * kSafe;
    const double idle = params_.max_idle_s;
    // Under the Manhattan metric (no zones) a pair's cost is slope x |dropoff - pickup|_1 up
    // to rounding: each cell's buckets are screened by the distance to the drop-off itself
    // (CellIndex::may_beat), and each pickup read by its exact distance before its cost. The
    // margin covers rounding to scaled units and floating-point error: the screens' terms are
    // at most the largest potential and slope x 4 x the largest coordinate. Where those
    // overflow (coordinates near 1e300) the screens are off: infinities would make NaN floors.
    double slope = manhattan_screens() ? per_km * travel_.detour() : 0.0;
    double magnitude = 0.0;
    if (slope > 0.0) {
        for (std::size_t j = 0; j < n_; ++j) {
            magnitude = std::max(magnitude, std::fabs(static_cast<double>(value[j])));
        }
        magnitude += 4.0 * slope * coordinate_bound_;
        if (!std::isfinite(magnitude)) slope = 0.0;
    }
    const bool manhattan = slope > 0.0;
    // Rounds on the auction's duals feed the next auction, which takes many arcs in cheaply:
    // four times as many per order leave the simplex fewer to take in (a full day: certified
    // in 674 s against 1,008 s; 100,000 orders: 13.9 s against 14.8 s).
    const auto keep = static_cast<std::size_t>(params_.price_per_order) * (simplex_duals ? 1 : 4);

    const auto scan = [&](const std::vector<std::size_t>& orders) {
        return parallel_blocks(orders.size(), threads, deadline, timed, [&](std::size_t begin, std::size_t end, int thread) {
            auto& out = found[static_cast<std::size_t>(thread)];
            std::int64_t& count = priced[static_cast<std::size_t>(thread)];
            std::int64_t& least_sum = bound[static_cast<std::size_t>(thread)];
            TopK<std::int64_t> best(keep);
            for (std::size_t k = begin; k < end; ++k) {
                const std::size_t i = orders[k];
                rescan_[i] = 0;
                // Reduced cost of i -> j: cost + a - b, with cost >= 0; only b > a can price out.
                const std::int64_t a = at_dropoff[i];
                const double t0 = dropoff_time_[i];
                std::int32_t lo, hi;
                all_pickups_->window(0, t0, t0 + idle, lo, hi);
                if (lo >= hi) continue;
                const std::int64_t ceiling = all_pickups_->range_max(lo, hi);
                if (ceiling <= a) continue;
                best.items.clear();
                // The least reduced cost of i's pairs the scan did not read (0: none can be
                // negative).
                double unread = 0.0;
                const Place& from = dropoff_[i];
                const double margin = 1.0 + 1e-12 * (magnitude + std::fabs(static_cast<double>(a)));
                const double beat = static_cast<double>(a) - margin;
                const CellIndex::Floors floors = CellIndex::quadrant_floors(beat, slope, from.x, from.y);
                geometry_->visit(dropoff_cell_[i], true, [&](const CellGeometry::Neighbor& nb) {
                    const double least = per_km * nb.lb_km - 1.0;  // no pair here costs less
                    if (static_cast<double>(ceiling - a) <= least) return false;
                    if (nb.lb_s > idle) return true;
                    // Only pickups whose potential beats a + least can price out: find them by
                    // descending the range-maximum table instead of reading the whole window.
                    const double floor_value = static_cast<double>(a) + least;
                    if (manhattan ? !pickups_->may_beat(nb.cell, t0 + nb.lb_s, t0 + idle, floors)
                                  : !pickups_->may_exceed(nb.cell, t0 + nb.lb_s, t0 + idle, floor_value)) {
                        return true;
                    }
                    std::int32_t first, last;
                    pickups_->window(nb.cell, t0 + nb.lb_s, t0 + idle, first, last);
                    if (first >= last) return true;
                    pickups_->each_above(first, last, floor_value, [&](std::int32_t p) {
                        const std::int64_t b = pickups_->value(p);
                        if (b <= a) return;
                        const std::int32_t j = pickups_->id(p);
                        if (j == next[i]) return;
                        if (manhattan) {  // the pair's own distance, before its cost
                            const double km = travel_.metric_distance(from.x, from.y, pickups_->x(p), pickups_->y(p));
                            if (static_cast<double>(b) - per_km * km <= beat) return;
                        }
                        ++count;
                        const std::int64_t cost = to_scaled(pair_cost(static_cast<std::int32_t>(i), j));
                        const std::int64_t reduced = cost + a - b;
                        // The time test (hourly speeds) is dearer than the cost: only for a
                        // pair that would enter the list.
                        if (reduced >= 0 || !best.would_take(reduced, j)) return;
                        if (compatible(static_cast<std::int32_t>(i), j)) best.offer(reduced, j);
                    });
                    // Enough for this round: only a round that adds nothing must be complete,
                    // and then every order's scan ran to its end. Cells come in nondecreasing
                    // lb, so the pairs left cost at least this cell's bound.
                    if (best.full()) unread = std::min(0.0, least + static_cast<double>(a - ceiling));
                    return !best.full();
                });
                if (best.full()) rescan_[i] = 1;  // the scan may have stopped early
                std::int64_t least_here = static_cast<std::int64_t>(std::floor(unread));
                for (const auto& item : best.items) least_here = std::min(least_here, item.first);
                least_sum += least_here;
                for (const auto& [reduced, j] : best.items) {
                    out.push_back({static_cast<std::int32_t>(i), j, reduced - a + value[static_cast<std::size_t>(j)]});
                }
            }
        });
    };
    pickups_->set_values(value, slope);
    all_pickups_->set_values(value);
    complete = scan(everything);
    if (complete && !moved_only.empty()) {
        constexpr std::int64_t kMasked = std::numeric_limits<std::int64_t>::min() / 4;
        std::vector<std::int64_t> masked(value);
        for (std::size_t j = 0; j < n_; ++j) {
            if (value[j] <= last_pickup_[j]) masked[j] = kMasked;
        }
        pickups_->set_values(masked, slope);
        all_pickups_->set_values(masked);
        complete = scan(moved_only);
    }
    // An incomplete round leaves unknown pairs: the next round prices all.
    priced_once_ = complete && simplex_duals;
    last_pickup_ = std::move(value);
    last_dropoff_ = std::move(at_dropoff);
    std::vector<PairArc> arcs;
    for (auto& part : found) arcs.insert(arcs.end(), part.begin(), part.end());
    for (std::int64_t c : priced) arcs_priced_ += c;
    pricing_bound_ = 0;
    for (std::int64_t b : bound) pricing_bound_ += b;
    const std::size_t before = pairs_.size();
    add_pairs(arcs);
    return static_cast<std::int64_t>(pairs_.size() - before);
}

std::vector<PairArc> TripChainer::all_pairs(std::int64_t max_pairs) const {
    const int threads = thread_count();
    std::vector<std::vector<PairArc>> found(static_cast<std::size_t>(threads));
    std::atomic<std::int64_t> total{0};
    std::atomic<bool> too_many{false};
    const double idle = params_.max_idle_s;
    parallel_blocks(n_, threads, Clock::time_point::max(), false,
                    [&](std::size_t begin, std::size_t end, int thread) {
        auto& out = found[static_cast<std::size_t>(thread)];
        for (std::size_t i = begin; i < end && !too_many; ++i) {
            const double t0 = dropoff_time_[i];
            const std::size_t had = out.size();
            geometry_->visit(dropoff_cell_[i], true, [&](const CellGeometry::Neighbor& nb) {
                if (nb.lb_s > idle) return true;
                std::int32_t lo, hi;
                pickups_->window(nb.cell, t0 + nb.lb_s, t0 + idle, lo, hi);
                for (std::int32_t p = lo; p < hi; ++p) {
                    const std::int32_t j = pickups_->id(p);
                    if (!compatible(static_cast<std::int32_t>(i), j)) continue;
                    out.push_back({static_cast<std::int32_t>(i), j,
                                   to_scaled(pair_cost(static_cast<std::int32_t>(i), j))});
                }
                return true;
            });
            if ((total += static_cast<std::int64_t>(out.size() - had)) > max_pairs) too_many = true;
        }
    });
    if (too_many) {
        throw std::length_error("more than " + std::to_string(max_pairs) + " compatible pairs");
    }
    std::vector<PairArc> arcs;
    arcs.reserve(static_cast<std::size_t>(total.load()));
    for (auto& part : found) arcs.insert(arcs.end(), part.begin(), part.end());
    std::sort(arcs.begin(), arcs.end(), [](const PairArc& a, const PairArc& b) {
        return a.from != b.from ? a.from < b.from : a.to < b.to;
    });
    return arcs;
}

}  // namespace shareopt
