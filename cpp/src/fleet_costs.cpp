#include "shareopt/fleet_costs.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace shareopt {

void check_fleet_costs(const FleetCosts& costs) {
    const auto nonnegative = [](double value, const char* name) {
        if (!(value >= 0.0) || !std::isfinite(value)) {
            throw std::invalid_argument(std::string(name) + " must be finite and >= 0, got " +
                                        std::to_string(value));
        }
    };
    nonnegative(costs.vehicle_cost, "vehicle_cost");
    nonnegative(costs.deadhead_cost_per_km, "deadhead_cost_per_km");
    nonnegative(costs.service_cost_per_km, "service_cost_per_km");
    if (!(costs.max_idle_s >= 0.0)) throw std::invalid_argument("max_idle must be >= 0 seconds (or unlimited)");
    if (costs.max_vehicles < -1) throw std::invalid_argument("max_vehicles must be >= 0");
    if (costs.has_depot && (!std::isfinite(costs.depot.x) || !std::isfinite(costs.depot.y))) {
        throw std::invalid_argument("depot coordinates must be finite");
    }
}

bool can_follow(const TravelModel& travel, const FleetCosts& costs, double free_time,
                const Place& free_at, double depart_after, double pickup_time, const Place& pickup_at) {
    const double wait = pickup_time - free_time;
    if (wait < 0.0 || wait > costs.max_idle_s) return false;
    const double depart = std::max(free_time, depart_after);
    return travel.arrives_by(depart, free_at, pickup_at, pickup_time);
}

}  // namespace shareopt
