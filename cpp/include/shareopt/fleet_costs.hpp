// The fleet cost model shared by trip chains and real-time dispatch (seed 001).
#pragma once

#include <cstdint>
#include <limits>

#include "shareopt/travel.hpp"

namespace shareopt {

// A vehicle costs vehicle_cost; empty driving (depot to first pickup, between orders, last
// drop-off to depot) deadhead_cost_per_km; driving an order service_cost_per_km. Without a
// depot a vehicle starts at its first pickup and ends at its last drop-off. Order j may follow
// order i when i's drop-off plus the drive to j's pickup is no later than j's pickup, and the
// wait is at most max_idle_s.
struct FleetCosts {
    double vehicle_cost = 0.0;
    double deadhead_cost_per_km = 0.0;
    double service_cost_per_km = 0.0;
    bool has_depot = false;
    Place depot{0.0, 0.0, -1};
    std::int64_t max_vehicles = -1;  // -1: no limit
    double max_idle_s = std::numeric_limits<double>::infinity();
};

// Throws std::invalid_argument naming the first bad field.
void check_fleet_costs(const FleetCosts& costs);

// The one rule for "order j may follow order i": a vehicle free at free_at from free_time on,
// leaving no earlier than depart_after (-inf: as soon as it is free), makes the pickup at
// pickup_at by pickup_time, and the wait pickup_time - free_time is within [0, max_idle_s].
bool can_follow(const TravelModel& travel, const FleetCosts& costs, double free_time,
                const Place& free_at, double depart_after, double pickup_time, const Place& pickup_at);

}  // namespace shareopt
