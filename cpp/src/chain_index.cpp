#include "chain_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace shareopt {

namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
// Lower bounds are shrunk by this factor so floating-point rounding cannot make them unsafe.
constexpr double kSafe = 1.0 - 1e-9;

struct Box {
    double x_lo = std::numeric_limits<double>::infinity();
    double y_lo = std::numeric_limits<double>::infinity();
    double x_hi = -std::numeric_limits<double>::infinity();
    double y_hi = -std::numeric_limits<double>::infinity();
    void add(double x, double y) {
        x_lo = std::min(x_lo, x);
        y_lo = std::min(y_lo, y);
        x_hi = std::max(x_hi, x);
        y_hi = std::max(y_hi, y);
    }
    bool empty() const { return !(x_lo <= x_hi); }
};

double gap(double a_lo, double a_hi, double b_lo, double b_hi) {
    return std::max(0.0, std::max(a_lo - b_hi, b_lo - a_hi));
}

}  // namespace

CellGeometry::CellGeometry(const TravelModel& travel, const std::vector<Place>& places,
                           double target_per_cell, double reach_km)
    : travel_(travel) {
    seconds_per_km_ = 3600.0 / travel.fastest_kmh() * kSafe;
    if (travel.metric() == Metric::Haversine) {
        double lon = 0.0, lat = 0.0;
        for (const Place& p : places) {
            lon += p.x;
            lat += p.y;
        }
        const double count = std::max<double>(1.0, static_cast<double>(places.size()));
        lon0_ = lon / count;
        lat0_ = lat / count;
    }
    Box all;
    double lat_lo = 90.0, lat_hi = -90.0, lon_lo = 180.0, lon_hi = -180.0;
    for (const Place& p : places) {
        double x, y;
        grid_xy(p, x, y);
        all.add(x, y);
        lon_lo = std::min(lon_lo, p.x);
        lon_hi = std::max(lon_hi, p.x);
        lat_lo = std::min(lat_lo, p.y);
        lat_hi = std::max(lat_hi, p.y);
    }
    if (all.empty()) all.add(0.0, 0.0);
    const double width = all.x_hi - all.x_lo;
    const double height = all.y_hi - all.y_lo;
    // Any path is at least as long as the great circle: along a meridian then a parallel.
    if (travel.metric() == Metric::Haversine) {
        max_distance_km_ = kEarthRadiusKm * ((lat_hi - lat_lo) + (lon_hi - lon_lo)) * kDegToRad *
                           travel.detour();
    } else {
        max_distance_km_ = (travel.metric() == Metric::Manhattan ? width + height
                                                                 : std::hypot(width, height)) *
                           travel.detour();
    }

    const std::int32_t zones = travel.n_zones();
    if (zones > 0) {
        zones_ = true;
        num_cells_ = zones + 1;
        const auto k = static_cast<std::size_t>(num_cells_);
        std::vector<Box> boxes(k);
        for (const Place& p : places) {
            double x, y;
            grid_xy(p, x, y);
            boxes[static_cast<std::size_t>(cell_of(p))].add(x, y);
        }
        std::vector<Neighbor> bound(k * k);
        const auto& dist = travel.zone_distance_km();
        const auto& time = travel.zone_time_s();
        for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t b = 0; b < k; ++b) {
                Neighbor& nb = bound[a * k + b];
                nb.cell = static_cast<std::int32_t>(b);
                const std::size_t entry = a * (k - 1) + b;
                if (a + 1 < k && b + 1 < k && !std::isnan(dist[entry])) {
                    nb.lb_km = dist[entry] * kSafe;  // the matrix applies to every pair here
                    nb.lb_s = time[entry] * kSafe;
                    max_distance_km_ = std::max(max_distance_km_, dist[entry]);
                } else if (boxes[a].empty() || boxes[b].empty()) {
                    nb.lb_km = 0.0;
                    nb.lb_s = 0.0;
                } else {
                    nb.lb_km = box_distance(gap(boxes[a].x_lo, boxes[a].x_hi, boxes[b].x_lo, boxes[b].x_hi),
                                            gap(boxes[a].y_lo, boxes[a].y_hi, boxes[b].y_lo, boxes[b].y_hi));
                    nb.lb_s = nb.lb_km * seconds_per_km_;
                }
            }
        }
        forward_.resize(k * k);
        backward_.resize(k * k);
        for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t b = 0; b < k; ++b) {
                forward_[a * k + b] = bound[a * k + b];
                backward_[a * k + b] = bound[b * k + a];
                backward_[a * k + b].cell = static_cast<std::int32_t>(b);
            }
            const auto by_distance = [](const Neighbor& l, const Neighbor& r) {
                return l.lb_km < r.lb_km || (l.lb_km == r.lb_km && l.cell < r.cell);
            };
            std::sort(forward_.begin() + static_cast<std::ptrdiff_t>(a * k),
                      forward_.begin() + static_cast<std::ptrdiff_t>((a + 1) * k), by_distance);
            std::sort(backward_.begin() + static_cast<std::ptrdiff_t>(a * k),
                      backward_.begin() + static_cast<std::ptrdiff_t>((a + 1) * k), by_distance);
        }
        return;
    }

    // Square grid with about target_per_cell places per cell, at most 2^20 cells.
    const double area = std::max(width * height, 1e-12);
    const double cells = std::clamp(static_cast<double>(places.size()) / target_per_cell, 1.0, 1048576.0);
    side_ = std::max(std::sqrt(area / cells), 1e-6);
    nx_ = static_cast<std::int32_t>(std::min(1024.0, std::floor(width / side_) + 1));
    ny_ = static_cast<std::int32_t>(std::min(1024.0, std::floor(height / side_) + 1));
    side_ = std::max({side_, width / nx_ * (1 + 1e-12), height / ny_ * (1 + 1e-12)});
    x0_ = all.x_lo;
    y0_ = all.y_lo;
    num_cells_ = nx_ * ny_;
    for (std::int32_t dy = -(ny_ - 1); dy < ny_; ++dy) {
        for (std::int32_t dx = -(nx_ - 1); dx < nx_; ++dx) {
            const double gx = std::max(0, std::abs(dx) - 1) * side_;
            const double gy = std::max(0, std::abs(dy) - 1) * side_;
            const double lb = box_distance(gx, gy);
            if (lb > reach_km) continue;
            offsets_.push_back(Offset{dx, dy, lb, lb * seconds_per_km_});
        }
    }
    std::sort(offsets_.begin(), offsets_.end(), [](const Offset& l, const Offset& r) {
        if (l.lb_km != r.lb_km) return l.lb_km < r.lb_km;
        return l.dy != r.dy ? l.dy < r.dy : l.dx < r.dx;
    });
}

void CellGeometry::grid_xy(const Place& place, double& x, double& y) const {
    if (travel_.metric() != Metric::Haversine) {
        x = place.x;
        y = place.y;
        return;
    }
    const double lam = (place.x - lon0_) * kDegToRad;
    const double phi = place.y * kDegToRad;
    const double phi0 = lat0_ * kDegToRad;
    x = kEarthRadiusKm * std::cos(phi) * std::sin(lam);
    y = kEarthRadiusKm * (std::cos(phi0) * std::sin(phi) - std::sin(phi0) * std::cos(phi) * std::cos(lam));
}

double CellGeometry::box_distance(double gap_x, double gap_y) const {
    const double raw = travel_.metric() == Metric::Manhattan ? gap_x + gap_y : std::hypot(gap_x, gap_y);
    return raw * travel_.detour() * kSafe;
}

std::int32_t CellGeometry::cell_of(const Place& place) const {
    if (zones_) {
        const std::int32_t zone = place.zone;
        return zone >= 0 && zone < num_cells_ - 1 ? zone : num_cells_ - 1;
    }
    double x, y;
    grid_xy(place, x, y);
    const auto cx = static_cast<std::int32_t>(std::clamp(std::floor((x - x0_) / side_), 0.0, nx_ - 1.0));
    const auto cy = static_cast<std::int32_t>(std::clamp(std::floor((y - y0_) / side_), 0.0, ny_ - 1.0));
    return cy * nx_ + cx;
}

CellIndex::CellIndex(std::int32_t num_cells, const std::vector<std::int32_t>& cell,
                     const std::vector<double>& time, double bucket_s) {
    const std::size_t n = cell.size();
    start_.assign(static_cast<std::size_t>(num_cells) + 1, 0);
    for (std::int32_t c : cell) ++start_[static_cast<std::size_t>(c) + 1];
    for (std::size_t c = 0; c < static_cast<std::size_t>(num_cells); ++c) start_[c + 1] += start_[c];
    std::vector<std::int32_t> fill(start_.begin(), start_.end() - 1);
    id_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        id_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cell[i])]++)] = static_cast<std::int32_t>(i);
    }
    time_.resize(n);
    for (std::size_t c = 0; c < static_cast<std::size_t>(num_cells); ++c) {
        auto begin = id_.begin() + start_[c];
        auto end = id_.begin() + start_[c + 1];
        std::sort(begin, end, [&](std::int32_t a, std::int32_t b) {
            const double ta = time[static_cast<std::size_t>(a)];
            const double tb = time[static_cast<std::size_t>(b)];
            return ta < tb || (ta == tb && a < b);
        });
    }
    for (std::size_t p = 0; p < n; ++p) time_[p] = time[static_cast<std::size_t>(id_[p])];

    if (!(bucket_s > 0.0) || !std::isfinite(bucket_s) || n == 0) return;
    t_first_ = *std::min_element(time.begin(), time.end());
    t_last_ = *std::max_element(time.begin(), time.end());
    // At most about four buckets per place in all: a long horizon gets wider buckets.
    const double cells = static_cast<double>(num_cells);
    const double span = t_last_ - t_first_;
    if (!std::isfinite(span)) return;  // times far apart overflow the span: no buckets
    const double most = std::floor((4.0 * static_cast<double>(n) + cells) / cells) + 1.0;
    bucket_width_ = std::max(bucket_s, span * cells / (4.0 * static_cast<double>(n) + cells));
    buckets_ = static_cast<std::size_t>(std::min(most, std::floor(span / bucket_width_) + 1.0));
    bucket_held_.assign(static_cast<std::size_t>(num_cells) * buckets_, 0);
    for (std::size_t c = 0; c < static_cast<std::size_t>(num_cells); ++c) {
        for (auto p = static_cast<std::size_t>(start_[c]); p < static_cast<std::size_t>(start_[c + 1]); ++p) {
            bucket_held_[c * buckets_ + bucket(time_[p])] = 1;
        }
    }
}

void CellIndex::window(std::int32_t cell, double t_lo, double t_hi, std::int32_t& begin,
                       std::int32_t& end) const {
    const auto first = time_.begin() + start_[static_cast<std::size_t>(cell)];
    const auto last = time_.begin() + start_[static_cast<std::size_t>(cell) + 1];
    const auto lo = std::lower_bound(first, last, t_lo);
    // Windows mostly hold a few places: gallop from the start to the end of the window
    // (O(log) of the window, not of the cell).
    auto hi = lo;
    std::ptrdiff_t step = 1;
    while (last - hi > step && hi[step - 1] <= t_hi) {
        hi += step;
        step *= 2;
    }
    hi = std::upper_bound(hi, hi + std::min<std::ptrdiff_t>(step, last - hi), t_hi);
    begin = static_cast<std::int32_t>(lo - time_.begin());
    end = static_cast<std::int32_t>(hi - time_.begin());
}

void CellIndex::set_places(const std::vector<Place>& places) {
    x_.resize(id_.size());
    y_.resize(id_.size());
    for (std::size_t p = 0; p < id_.size(); ++p) {
        x_[p] = places[static_cast<std::size_t>(id_[p])].x;
        y_[p] = places[static_cast<std::size_t>(id_[p])].y;
    }
}

void CellIndex::set_values(const std::vector<std::int64_t>& values, double slope) {
    const std::size_t n = id_.size();
    bucket_key_.clear();
    if (buckets_ > 0 && slope > 0.0 && x_.size() == n) {
        bucket_key_.assign((start_.size() - 1) * buckets_ * 4, -std::numeric_limits<double>::infinity());
        for (std::size_t c = 0; c + 1 < start_.size(); ++c) {
            for (auto p = static_cast<std::size_t>(start_[c]); p < static_cast<std::size_t>(start_[c + 1]); ++p) {
                const double v = static_cast<double>(values[static_cast<std::size_t>(id_[p])]);
                const double sum = slope * (x_[p] + y_[p]), difference = slope * (x_[p] - y_[p]);
                double* key = bucket_key_.data() + 4 * (c * buckets_ + bucket(time_[p]));
                key[0] = std::max(key[0], v - sum);         // + +
                key[1] = std::max(key[1], v - difference);  // + -
                key[2] = std::max(key[2], v + difference);  // - +
                key[3] = std::max(key[3], v + sum);         // - -
            }
        }
    }
    if (buckets_ > 0) {
        bucket_max_.assign((start_.size() - 1) * buckets_, std::numeric_limits<std::int64_t>::min());
        for (std::size_t c = 0; c + 1 < start_.size(); ++c) {
            for (auto p = static_cast<std::size_t>(start_[c]); p < static_cast<std::size_t>(start_[c + 1]); ++p) {
                std::int64_t& top = bucket_max_[c * buckets_ + bucket(time_[p])];
                top = std::max(top, values[static_cast<std::size_t>(id_[p])]);
            }
        }
    }
    std::size_t largest = 0;
    for (std::size_t c = 0; c + 1 < start_.size(); ++c) {
        largest = std::max(largest, static_cast<std::size_t>(start_[c + 1] - start_[c]));
    }
    std::size_t levels = 1;
    while ((std::size_t{1} << levels) <= largest) ++levels;
    table_.resize(levels);
    table_[0].resize(n);
    for (std::size_t p = 0; p < n; ++p) table_[0][p] = values[static_cast<std::size_t>(id_[p])];
    for (std::size_t l = 1; l < levels; ++l) {
        table_[l].resize(n);
        const std::size_t half = std::size_t{1} << (l - 1);
        for (std::size_t c = 0; c + 1 < start_.size(); ++c) {
            const auto cell_end = static_cast<std::size_t>(start_[c + 1]);
            for (auto p = static_cast<std::size_t>(start_[c]); p < cell_end; ++p) {
                table_[l][p] = p + half < cell_end ? std::max(table_[l - 1][p], table_[l - 1][p + half])
                                                   : table_[l - 1][p];
            }
        }
    }
}

std::int64_t CellIndex::range_max(std::int32_t begin, std::int32_t end) const {
    const auto length = static_cast<std::uint32_t>(end - begin);
    int level = 31 - __builtin_clz(length);
    const auto& row = table_[static_cast<std::size_t>(level)];
    return std::max(row[static_cast<std::size_t>(begin)],
                    row[static_cast<std::size_t>(end - (std::int32_t{1} << level))]);
}

}  // namespace shareopt
