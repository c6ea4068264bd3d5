#include "shareopt/travel.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace shareopt {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDegToRad = kPi / 180.0;
constexpr double kHour = 3600.0;

void require_finite_positive(double value, const std::string& what) {
    if (!std::isfinite(value) || value <= 0.0) {
        throw std::invalid_argument(what + " must be finite and > 0, got " +
                                    std::to_string(value));
    }
}

// NaN marks an unknown entry; anything else must be a finite, non-negative number.
void require_nonnegative_or_nan(const std::vector<double>& values, const std::string& what) {
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (std::isinf(values[k]) || values[k] < 0.0) {
            throw std::invalid_argument(what + " entry " + std::to_string(k) +
                                        " must be >= 0 and finite (or NaN for unknown), got " +
                                        std::to_string(values[k]));
        }
    }
}

// Seconds since the last midnight, in [0, 86400] (86400 itself by rounding, just before one).
inline double time_of_day(double t) {
    const double now = std::fmod(t, 86400.0);
    return now < 0.0 ? now + 86400.0 : now;
}

template <Metric M>
inline double raw_distance(double ax, double ay, double bx, double by) {
    if constexpr (M == Metric::Manhattan) return std::fabs(ax - bx) + std::fabs(ay - by);
    if constexpr (M == Metric::Euclidean) return std::hypot(ax - bx, ay - by);
    if constexpr (M == Metric::Haversine) return haversine_km(ax, ay, bx, by);
}

}  // namespace

Metric metric_from_name(const std::string& name) {
    if (name == "manhattan") return Metric::Manhattan;
    if (name == "euclidean") return Metric::Euclidean;
    if (name == "haversine") return Metric::Haversine;
    throw std::invalid_argument("unknown metric '" + name +
                                "': use 'manhattan', 'euclidean' or 'haversine'");
}

std::string metric_name(Metric metric) {
    switch (metric) {
        case Metric::Manhattan: return "manhattan";
        case Metric::Euclidean: return "euclidean";
        case Metric::Haversine: return "haversine";
    }
    return "unknown";
}

double haversine_km(double lon_a, double lat_a, double lon_b, double lat_b) {
    const double phi_a = lat_a * kDegToRad;
    const double phi_b = lat_b * kDegToRad;
    const double s_lat = std::sin(0.5 * (phi_b - phi_a));
    const double s_lon = std::sin(0.5 * (lon_b - lon_a) * kDegToRad);
    double h = s_lat * s_lat + std::cos(phi_a) * std::cos(phi_b) * s_lon * s_lon;
    if (h > 1.0) h = 1.0;  // rounding near antipodes
    return 2.0 * kEarthRadiusKm * std::asin(std::sqrt(h));
}

TravelModel::TravelModel(Metric metric, double detour, std::vector<double> speeds_kmh)
    : metric_(metric), detour_(detour), speeds_kmh_(std::move(speeds_kmh)) {
    require_finite_positive(detour_, "detour factor");
    if (speeds_kmh_.size() != 1 && speeds_kmh_.size() != 24) {
        throw std::invalid_argument("speeds must have 1 entry (constant) or 24 (by hour), got " +
                                    std::to_string(speeds_kmh_.size()));
    }
    for (std::size_t h = 0; h < speeds_kmh_.size(); ++h) {
        require_finite_positive(speeds_kmh_[h], "speed for hour " + std::to_string(h));
    }
    km_per_day_ = 0.0;
    for (int h = 0; h < 24; ++h) km_per_day_ += speeds_kmh_[speeds_kmh_.size() == 1 ? 0 : h];
}

void TravelModel::set_zone_matrix(std::int32_t n_zones, std::vector<double> distance_km,
                                  std::vector<double> time_s) {
    if (n_zones <= 0) throw std::invalid_argument("zone matrix needs n_zones > 0");
    const std::size_t cells = static_cast<std::size_t>(n_zones) * static_cast<std::size_t>(n_zones);
    if (distance_km.size() != cells || time_s.size() != cells) {
        throw std::invalid_argument("zone matrix arrays must have n_zones^2 = " +
                                    std::to_string(cells) + " entries");
    }
    require_nonnegative_or_nan(distance_km, "zone distance");
    require_nonnegative_or_nan(time_s, "zone time");
    for (std::size_t k = 0; k < cells; ++k) {
        if (std::isnan(distance_km[k]) != std::isnan(time_s[k])) {
            throw std::invalid_argument("zone matrix entry " + std::to_string(k) +
                                        " has a distance or a time but not both");
        }
    }
    n_zones_ = n_zones;
    zone_distance_km_ = std::move(distance_km);
    zone_time_s_ = std::move(time_s);
}

void TravelModel::clear_zone_matrix() {
    n_zones_ = 0;
    zone_distance_km_.clear();
    zone_time_s_.clear();
}

double TravelModel::curved_distance(double ax, double ay, double bx, double by) const {
    switch (metric_) {
        case Metric::Manhattan: return raw_distance<Metric::Manhattan>(ax, ay, bx, by) * detour_;
        case Metric::Euclidean: return raw_distance<Metric::Euclidean>(ax, ay, bx, by) * detour_;
        case Metric::Haversine: return raw_distance<Metric::Haversine>(ax, ay, bx, by) * detour_;
    }
    return std::nan("");
}

double TravelModel::drive_time(double depart_s, double dist_km) const {
    if (dist_km == 0.0) return 0.0;
    if (!(dist_km > 0.0) || !std::isfinite(dist_km)) return std::nan("");  // no such trip
    if (speeds_kmh_.size() == 1) return dist_km / speeds_kmh_[0] * kHour;
    if (!std::isfinite(depart_s)) return std::nan("");

    // Only the time of day matters: work within one day so huge times keep their precision.
    double now = time_of_day(depart_s);
    const double start = now;
    double remaining = dist_km;
    // Whole days of driving cost exactly one day each: skip them so the loop is bounded.
    double whole_days_s = 0.0;
    if (remaining > km_per_day_) {
        const double days = std::floor(remaining / km_per_day_);
        remaining -= days * km_per_day_;
        whole_days_s = days * 86400.0;
        if (remaining <= 0.0) return whole_days_s;
    }
    for (int step = 0; step < 26; ++step) {
        const double hour_start = std::floor(now / kHour);  // below 50: now < 2 days
        const auto hour = static_cast<std::size_t>(hour_start) % 24;
        const double speed = speeds_kmh_[hour];
        const double hour_end = (hour_start + 1.0) * kHour;
        const double reachable = speed * (hour_end - now) / kHour;
        if (remaining <= reachable) return whole_days_s + now + remaining / speed * kHour - start;
        remaining -= reachable;
        now = hour_end;
    }
    // Not reached (under a day of driving is left after 25 hours), kept for safety.
    return whole_days_s + now + remaining / speeds_kmh_[0] * kHour - start;
}

double TravelModel::zone_distance(const Place& a, const Place& b) const {
    const double d = zone_distance_km_[zone_index(a.zone, b.zone)];
    return std::isnan(d) ? metric_distance(a.x, a.y, b.x, b.y) : d;
}

double TravelModel::travel_time(double depart_s, const Place& a, const Place& b) const {
    if (use_zones(a.zone, b.zone)) {
        const double t = zone_time_s_[zone_index(a.zone, b.zone)];
        if (!std::isnan(t)) return t;
    }
    return drive_time(depart_s, metric_distance(a.x, a.y, b.x, b.y));
}

bool TravelModel::arrives_by(double depart_s, const Place& a, const Place& b, double deadline_s) const {
    if (use_zones(a.zone, b.zone)) return depart_s + travel_time(depart_s, a, b) <= deadline_s;
    const double km = metric_distance(a.x, a.y, b.x, b.y);
    // A trip that ends within its starting hour takes km at that hour's speed: decided here
    // when the answer is clear by more than the rounding of the full drive (else below).
    if (km > 0.0 && std::isfinite(km) && std::isfinite(depart_s)) {
        double seconds = km / speeds_kmh_[0] * kHour;  // one speed: drive_time's own sum
        bool within_hour = true;
        if (speeds_kmh_.size() > 1) {
            // The hour as drive_time finds it, and an end clearly inside it: rounding must not
            // carry the trip into the next hour, whose speed may be anything.
            const double now = time_of_day(depart_s);
            const double hour_start = std::floor(now / kHour);
            seconds = km / speeds_kmh_[static_cast<std::size_t>(hour_start) % 24] * kHour;
            within_hour = now + seconds <= (hour_start + 1.0) * kHour - 1e-6;
        }
        if (within_hour) {
            const double arrive = depart_s + seconds;
            const double slack = 1e-6 + 1e-12 * std::max(std::abs(deadline_s), std::abs(depart_s));
            if (arrive <= deadline_s - slack) return true;
            if (arrive > deadline_s + slack) return false;
        }
    }
    return depart_s + drive_time(depart_s, km) <= deadline_s;
}

namespace {
inline Place place_at(const double* xy, const std::int32_t* zone, std::size_t i) {
    return Place{xy[2 * i], xy[2 * i + 1], zone ? zone[i] : -1};
}
}  // namespace

namespace {

// Metric-only loops with the metric fixed at compile time: no per-pair branches.
template <Metric M>
void metric_pairs(std::size_t n, const double* a, const double* b, double detour, double* out) {
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = raw_distance<M>(a[2 * i], a[2 * i + 1], b[2 * i], b[2 * i + 1]) * detour;
    }
}

template <Metric M>
void metric_matrix(std::size_t n_a, const double* a, std::size_t n_b, const double* b,
                   double detour, double* out) {
    for (std::size_t i = 0; i < n_a; ++i) {
        const double ax = a[2 * i];
        const double ay = a[2 * i + 1];
        double* row = out + i * n_b;
        for (std::size_t j = 0; j < n_b; ++j) {
            row[j] = raw_distance<M>(ax, ay, b[2 * j], b[2 * j + 1]) * detour;
        }
    }
}

}  // namespace

void TravelModel::pair_distance(std::size_t n, const double* a_xy, const std::int32_t* a_zone,
                                const double* b_xy, const std::int32_t* b_zone,
                                double* out) const {
    if (a_zone == nullptr || b_zone == nullptr || n_zones_ == 0) {
        switch (metric_) {
            case Metric::Manhattan: return metric_pairs<Metric::Manhattan>(n, a_xy, b_xy, detour_, out);
            case Metric::Euclidean: return metric_pairs<Metric::Euclidean>(n, a_xy, b_xy, detour_, out);
            case Metric::Haversine: return metric_pairs<Metric::Haversine>(n, a_xy, b_xy, detour_, out);
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = distance(place_at(a_xy, a_zone, i), place_at(b_xy, b_zone, i));
    }
}

void TravelModel::pair_time(std::size_t n, const double* depart_s, const double* a_xy,
                            const std::int32_t* a_zone, const double* b_xy,
                            const std::int32_t* b_zone, double* out) const {
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = travel_time(depart_s[i], place_at(a_xy, a_zone, i), place_at(b_xy, b_zone, i));
    }
}

void TravelModel::matrix_distance(std::size_t n_a, const double* a_xy,
                                  const std::int32_t* a_zone, std::size_t n_b,
                                  const double* b_xy, const std::int32_t* b_zone,
                                  double* out) const {
    if (a_zone == nullptr || b_zone == nullptr || n_zones_ == 0) {
        switch (metric_) {
            case Metric::Manhattan: return metric_matrix<Metric::Manhattan>(n_a, a_xy, n_b, b_xy, detour_, out);
            case Metric::Euclidean: return metric_matrix<Metric::Euclidean>(n_a, a_xy, n_b, b_xy, detour_, out);
            case Metric::Haversine: return metric_matrix<Metric::Haversine>(n_a, a_xy, n_b, b_xy, detour_, out);
        }
    }
    for (std::size_t i = 0; i < n_a; ++i) {
        const Place a = place_at(a_xy, a_zone, i);
        double* row = out + i * n_b;
        for (std::size_t j = 0; j < n_b; ++j) row[j] = distance(a, place_at(b_xy, b_zone, j));
    }
}

}  // namespace shareopt
