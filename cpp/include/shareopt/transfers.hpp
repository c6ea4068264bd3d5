// Transfers of bikes between stations (rebalancing): the integer arc costs of the network
// model, and the pricing of every giver -> taker pair against node potentials.
#pragma once

#include <cstdint>
#include <vector>

#include "shareopt/travel.hpp"

namespace shareopt {

// Cost of moving one bike from station i to station j, as the network simplex's integer:
// round(scale x (distance + handling)) + kTransferTie. The tie (a couple of units of 1/scale)
// makes any route through a third station strictly dearer than the direct one, whatever the
// rounding (a metric obeys the triangle inequality), so no optimal plan passes bikes through a
// station, and among plans of equal cost the one moving fewer bikes wins.
class TransferCosts {
public:
    static constexpr std::int64_t kTransferTie = 2;

    // places: n rows of (x, y) in the travel model's space; kept by pointer, not copied.
    TransferCosts(const TravelModel& travel, const double* places, std::int32_t n, double scale, double handling);

    std::int32_t size() const { return n_; }
    double distance(std::int32_t i, std::int32_t j) const;
    std::int64_t cost_of_distance(double km) const;
    // scale x (km + handling), before rounding.
    double scaled(double km) const { return scale_ * (km + handling_); }
    Place place(std::int32_t i) const {
        return {places_[2 * static_cast<std::size_t>(i)], places_[2 * static_cast<std::size_t>(i) + 1], -1};
    }
    const TravelModel& travel() const { return travel_; }
    std::int64_t cost(std::int32_t i, std::int32_t j) const { return cost_of_distance(distance(i, j)); }
    // Every arc (tail[a], head[a]); throws std::out_of_range on a station outside [0, n).
    std::vector<std::int64_t> costs(const std::vector<std::int32_t>& tail, const std::vector<std::int32_t>& head) const;

private:
    const TravelModel& travel_;
    const double* places_;
    std::int32_t n_;
    double scale_, handling_;
};

// Arcs giver -> taker (never a station to itself) whose reduced cost cost + pi[giver] - pi[taker]
// is below -tolerance (tolerance >= 0, in cost units): at most per_taker of them for each taker,
// the most negative. With a tolerance, a round that finds none proves the plan within
// tolerance x (bikes moved by the best plan) of the optimum: only pairs outside the model can
// price out, and by no more than the tolerance each. pairs_priced counts
// the pairs whose cost was computed; the others are ruled out by a lower bound on their cost
// (the distance between their cells, from CellGeometry) against their potentials, a whole
// cell at a time where its cheapest giver cannot pay. Takers are split across the machine's
// cores; the result does not depend on how many there are.
struct PricedTransfers {
    std::vector<std::int32_t> tail, head;
    std::vector<std::int64_t> cost;
    std::int64_t pairs_priced = 0;
};
PricedTransfers price_transfers(const TransferCosts& costs, const std::vector<std::int32_t>& givers,
                                const std::vector<std::int32_t>& takers, const std::vector<std::int64_t>& potentials,
                                std::int32_t per_taker, std::int64_t tolerance = 0);

}  // namespace shareopt
