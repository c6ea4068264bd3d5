// Travel model: distances and travel times between places, one implementation for every problem.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace shareopt {

enum class Metric : int { Manhattan = 0, Euclidean = 1, Haversine = 2 };

Metric metric_from_name(const std::string& name);
std::string metric_name(Metric metric);

// Mean Earth radius (IUGG), km.
inline constexpr double kEarthRadiusKm = 6371.0088;

// Great-circle distance between (lon, lat) points in degrees, km.
double haversine_km(double lon_a, double lat_a, double lon_b, double lat_b);

// A place: coordinates in the metric's space (x, y in km, or lon, lat in degrees for
// Haversine) and an optional zone id (negative when the place has none).
struct Place {
    double x;
    double y;
    std::int32_t zone = -1;
};

// Distance and time between places.
//
// Distances are metric(a, b) * detour. Times come from a speed profile: one speed, or 24
// speeds by hour of day (hour 0 starts at time 0 mod 86400). A trip that crosses an hour
// boundary continues at the next hour's speed, so leaving later never means arriving earlier
// (FIFO). When a zone matrix is set and both places have a zone it covers, the matrix's
// distance and time replace the metric ones; a NaN entry (pair never observed), a negative zone
// (no zone) or a zone beyond the matrix falls back to the metric.
class TravelModel {
public:
    TravelModel(Metric metric, double detour, std::vector<double> speeds_kmh);

    // distance_km and time_s are n_zones * n_zones, row-major (from, to); NaN = unknown pair.
    void set_zone_matrix(std::int32_t n_zones, std::vector<double> distance_km,
                         std::vector<double> time_s);
    void clear_zone_matrix();

    Metric metric() const { return metric_; }
    double detour() const { return detour_; }
    const std::vector<double>& speeds_kmh() const { return speeds_kmh_; }
    // The fastest and slowest hour's speeds: bounds on the time of any metric trip.
    double fastest_kmh() const { return *std::max_element(speeds_kmh_.begin(), speeds_kmh_.end()); }
    double slowest_kmh() const { return *std::min_element(speeds_kmh_.begin(), speeds_kmh_.end()); }
    std::int32_t n_zones() const { return n_zones_; }
    const std::vector<double>& zone_distance_km() const { return zone_distance_km_; }
    const std::vector<double>& zone_time_s() const { return zone_time_s_; }

    // Distance along the metric only (no zones), detour applied. Manhattan inline: the
    // dispatcher and the chainer call it per candidate.
    double metric_distance(double ax, double ay, double bx, double by) const {
        if (metric_ == Metric::Manhattan) return (std::fabs(ax - bx) + std::fabs(ay - by)) * detour_;
        return curved_distance(ax, ay, bx, by);
    }

    // Seconds to drive dist_km when leaving at depart_s (FIFO over the hourly profile).
    double drive_time(double depart_s, double dist_km) const;

    double distance(const Place& a, const Place& b) const {
        return use_zones(a.zone, b.zone) ? zone_distance(a, b) : metric_distance(a.x, a.y, b.x, b.y);
    }
    double travel_time(double depart_s, const Place& a, const Place& b) const;
    // depart_s + travel_time(depart_s, a, b) <= deadline_s, the same answer, mostly without
    // the hour-by-hour drive (feasibility checks call it per candidate link).
    bool arrives_by(double depart_s, const Place& a, const Place& b, double deadline_s) const;

    // Elementwise over n pairs. xy arrays hold n rows of (x, y); zone arrays may be null.
    void pair_distance(std::size_t n, const double* a_xy, const std::int32_t* a_zone,
                       const double* b_xy, const std::int32_t* b_zone, double* out) const;
    void pair_time(std::size_t n, const double* depart_s, const double* a_xy,
                   const std::int32_t* a_zone, const double* b_xy, const std::int32_t* b_zone,
                   double* out) const;

    // Every a against every b: out is n_a * n_b, row-major.
    void matrix_distance(std::size_t n_a, const double* a_xy, const std::int32_t* a_zone,
                         std::size_t n_b, const double* b_xy, const std::int32_t* b_zone,
                         double* out) const;

private:
    double curved_distance(double ax, double ay, double bx, double by) const;  // Euclidean, haversine
    double zone_distance(const Place& a, const Place& b) const;  // the matrix's, else the metric's
    bool use_zones(std::int32_t za, std::int32_t zb) const {
        return za >= 0 && zb >= 0 && za < n_zones_ && zb < n_zones_;
    }
    std::size_t zone_index(std::int32_t za, std::int32_t zb) const {
        return static_cast<std::size_t>(za) * static_cast<std::size_t>(n_zones_) +
               static_cast<std::size_t>(zb);
    }

    Metric metric_;
    double detour_;
    std::vector<double> speeds_kmh_;  // 1 or 24 entries
    double km_per_day_;               // distance driven in one full day of the profile
    std::int32_t n_zones_ = 0;
    std::vector<double> zone_distance_km_;
    std::vector<double> zone_time_s_;
};

}  // namespace shareopt
