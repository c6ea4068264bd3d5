#include "shareopt/transfers.hpp"

#include "chain_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <exception>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>

namespace shareopt {

TransferCosts::TransferCosts(const TravelModel& travel, const double* places, std::int32_t n, double scale,
                             double handling)
    : travel_(travel), places_(places), n_(n), scale_(scale), handling_(handling) {
    if (n < 0 || (n > 0 && places == nullptr)) throw std::invalid_argument("transfer costs: no places");
    if (!(scale > 0.0) || !std::isfinite(scale)) throw std::invalid_argument("transfer costs: scale must be > 0");
    if (!(handling >= 0.0) || !std::isfinite(handling)) {
        throw std::invalid_argument("transfer costs: handling cost must be finite and >= 0");
    }
}

double TransferCosts::distance(std::int32_t i, std::int32_t j) const {
    const double* a = places_ + 2 * static_cast<std::size_t>(i);
    const double* b = places_ + 2 * static_cast<std::size_t>(j);
    return travel_.metric_distance(a[0], a[1], b[0], b[1]);
}

std::int64_t TransferCosts::cost_of_distance(double km) const {
    return std::llround(scaled(km)) + kTransferTie;
}

namespace {
constexpr double kStationsPerCell = 16.0;  // stations of both kinds: about 8 givers a cell
}  // namespace

std::vector<std::int64_t> TransferCosts::costs(const std::vector<std::int32_t>& tail,
                                               const std::vector<std::int32_t>& head) const {
    if (tail.size() != head.size()) throw std::invalid_argument("transfer costs: tail and head differ in length");
    std::vector<std::int64_t> out(tail.size());
    for (std::size_t a = 0; a < tail.size(); ++a) {
        if (tail[a] < 0 || tail[a] >= n_ || head[a] < 0 || head[a] >= n_) {
            throw std::out_of_range("transfer costs: arc " + std::to_string(a) + " names a station outside [0, " +
                                    std::to_string(n_) + ")");
        }
        out[a] = cost(tail[a], head[a]);
    }
    return out;
}

PricedTransfers price_transfers(const TransferCosts& costs, const std::vector<std::int32_t>& givers,
                                const std::vector<std::int32_t>& takers, const std::vector<std::int64_t>& potentials,
                                std::int32_t per_taker, std::int64_t tolerance) {
    const std::int32_t n = costs.size();
    if (potentials.size() < static_cast<std::size_t>(n)) throw std::invalid_argument("pricing: a potential per station");
    const auto check = [n](const std::vector<std::int32_t>& list, const char* what) {
        for (std::int32_t s : list) {
            if (s < 0 || s >= n) throw std::out_of_range(std::string("pricing: a station among the ") + what + " is out of range");
        }
    };
    check(givers, "givers");
    check(takers, "takers");
    if (per_taker < 1) throw std::invalid_argument("pricing: per_taker must be >= 1");
    if (tolerance < 0) throw std::invalid_argument("pricing: the tolerance must be >= 0");
    // Beyond 2^60 units a tolerance prices nothing a model can hold (big-M is below 2^60, see
    // NetworkSimplex), and the sums below stay clear of overflow.
    tolerance = std::min<std::int64_t>(tolerance, std::int64_t{1} << 60);
    PricedTransfers out;
    if (givers.empty() || takers.empty()) return out;
    const auto pi = [&](std::int32_t s) { return potentials[static_cast<std::size_t>(s)]; };

    // Givers by cell, each cell's by potential: a cell whose cheapest giver cannot pay for the
    // distance bound is skipped, and within a cell the scan stops at the first giver that cannot.
    std::vector<Place> places(static_cast<std::size_t>(n));
    for (std::int32_t s = 0; s < n; ++s) places[static_cast<std::size_t>(s)] = costs.place(s);
    const CellGeometry cells(costs.travel(), places, kStationsPerCell, std::numeric_limits<double>::infinity());
    std::vector<std::int32_t> cell_of(static_cast<std::size_t>(n));
    for (std::int32_t s = 0; s < n; ++s) cell_of[static_cast<std::size_t>(s)] = cells.cell_of(places[static_cast<std::size_t>(s)]);
    std::vector<std::int32_t> order(givers);
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
        const auto ca = cell_of[static_cast<std::size_t>(a)], cb = cell_of[static_cast<std::size_t>(b)];
        if (ca != cb) return ca < cb;
        return pi(a) < pi(b) || (pi(a) == pi(b) && a < b);
    });
    std::vector<std::int64_t> first(static_cast<std::size_t>(cells.num_cells()) + 1, 0);
    for (std::int32_t g : order) ++first[static_cast<std::size_t>(cell_of[static_cast<std::size_t>(g)]) + 1];
    std::partial_sum(first.begin(), first.end(), first.begin());
    // The givers' places and potentials in that order, side by side: the scan reads them in turn.
    struct Giver { double x, y; std::int64_t pi; std::int32_t station; };
    std::vector<Giver> sorted(order.size());
    std::int64_t cheapest = pi(order.front());
    for (std::size_t k = 0; k < order.size(); ++k) {
        const Place at = places[static_cast<std::size_t>(order[k])];
        sorted[k] = {at.x, at.y, pi(order[k]), order[k]};
        cheapest = std::min(cheapest, sorted[k].pi);
    }
    const TravelModel& travel = costs.travel();

    // Giver i can price out for taker j only if scale (d + handling) - 1/2 + tie < pi_j - pi_i -
    // tolerance (llround is at least x - 1/2); the comparison in doubles keeps a unit and a
    // relative hair of slack, so it only ever keeps more pairs than needed. room is what the
    // rounded cost must stay below: pi_j - pi_i - tie - tolerance.
    const auto hopeless = [&](double lb_km, std::int64_t room) {
        const double r = static_cast<double>(room);
        return costs.scaled(lb_km) - 0.5 >= r + 1.0 + 1e-9 * std::abs(r);
    };
    struct Found { std::int64_t reduced, cost; std::int32_t giver; };
    const auto worse = [](const Found& a, const Found& b) {
        return a.reduced < b.reduced || (a.reduced == b.reduced && a.giver < b.giver);
    };
    // Takers [begin, end) into part: each taker's arcs depend on nothing but the potentials.
    const auto price_with = [&](std::size_t begin, std::size_t end, PricedTransfers& part, const auto& distance) {
        std::vector<Found> found;
        for (std::size_t t = begin; t < end; ++t) {
            const std::int32_t j = takers[t];
            const std::int64_t room_j = pi(j) - TransferCosts::kTransferTie - tolerance;
            const Place at_j = places[static_cast<std::size_t>(j)];
            found.clear();
            cells.visit(cell_of[static_cast<std::size_t>(j)], true, [&](const CellGeometry::Neighbor& nb) {
                if (hopeless(nb.lb_km, room_j - cheapest)) return false;
                const auto c = static_cast<std::size_t>(nb.cell);
                for (std::int64_t k = first[c]; k < first[c + 1]; ++k) {
                    const Giver& g = sorted[static_cast<std::size_t>(k)];
                    if (hopeless(nb.lb_km, room_j - g.pi)) break;
                    const std::int32_t i = g.station;
                    if (i == j) continue;
                    ++part.pairs_priced;
                    const double km = distance(g.x, g.y, at_j.x, at_j.y);
                    if (hopeless(km, room_j - g.pi)) continue;
                    const std::int64_t cost = costs.cost_of_distance(km);
                    const std::int64_t reduced = cost + g.pi - pi(j);
                    if (reduced >= -tolerance) continue;
                    // Keep the per_taker most negative (a max-heap on reduced cost).
                    if (static_cast<std::int32_t>(found.size()) < per_taker) {
                        found.push_back({reduced, cost, i});
                        std::push_heap(found.begin(), found.end(), worse);
                    } else if (worse(Found{reduced, cost, i}, found.front())) {
                        std::pop_heap(found.begin(), found.end(), worse);
                        found.back() = {reduced, cost, i};
                        std::push_heap(found.begin(), found.end(), worse);
                    }
                }
                return true;
            });
            std::sort(found.begin(), found.end(), worse);
            for (const Found& f : found) {
                part.tail.push_back(f.giver);
                part.head.push_back(j);
                part.cost.push_back(f.cost);
            }
        }
    };
    // The pair loop inlines the rectilinear distance (the same operations as metric_distance,
    // so the same doubles): it is most of the pricing's work.
    const auto price_range = [&](std::size_t begin, std::size_t end, PricedTransfers& part) {
        if (travel.metric() == Metric::Manhattan) {
            const double detour = travel.detour();
            price_with(begin, end, part, [detour](double ax, double ay, double bx, double by) {
                return (std::fabs(ax - bx) + std::fabs(ay - by)) * detour;
            });
        } else {
            price_with(begin, end, part, [&travel](double ax, double ay, double bx, double by) {
                return travel.metric_distance(ax, ay, bx, by);
            });
        }
    };
    // Contiguous slices of the takers on the machine's cores, joined in taker order: the same
    // arcs in the same order whatever the number of threads.
    const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
    const std::size_t slices = std::min(threads, std::max<std::size_t>(1, takers.size() / 256));
    std::vector<PricedTransfers> parts(slices);
    std::vector<std::thread> workers;
    std::exception_ptr failure;
    std::mutex failure_lock;
    for (std::size_t p = 0; p < slices; ++p) {
        const std::size_t begin = takers.size() * p / slices, end = takers.size() * (p + 1) / slices;
        const auto run = [&, p, begin, end] {
            try {
                price_range(begin, end, parts[p]);
            } catch (...) {
                const std::lock_guard<std::mutex> hold(failure_lock);
                failure = std::current_exception();
            }
        };
        if (p + 1 == slices) {
            run();
        } else {
            workers.emplace_back(run);
        }
    }
    for (std::thread& w : workers) w.join();
    if (failure) std::rethrow_exception(failure);
    for (const PricedTransfers& part : parts) {
        out.tail.insert(out.tail.end(), part.tail.begin(), part.tail.end());
        out.head.insert(out.head.end(), part.head.begin(), part.head.end());
        out.cost.insert(out.cost.end(), part.cost.begin(), part.cost.end());
        out.pairs_priced += part.pairs_priced;
    }
    return out;
}

}  // namespace shareopt
