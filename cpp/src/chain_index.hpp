// Internal to the chaining solver: cells that bound distances from below, and places stored
// by cell and time with range maxima, so most pairs of orders are never looked at.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "shareopt/travel.hpp"

namespace shareopt {

// Partition of the plane into cells with a lower bound on the travel model's distance (and
// time) between any place of one cell and any place of another.
//
// Without a zone matrix the cells are a square grid over the places: in x, y km for the planar
// metrics, and for haversine in an orthographic projection, where straight-line distance is at
// most the chord and so at most the great-circle distance. With a zone matrix the cells are
// the zones (plus one cell for places the matrix does not cover): the bound is the matrix entry
// itself where it is known, else the metric between the zones' bounding boxes.
class CellGeometry {
public:
    struct Neighbor {
        std::int32_t cell;
        double lb_km;
        double lb_s;
    };

    CellGeometry(const TravelModel& travel, const std::vector<Place>& places,
                 double target_per_cell, double reach_km);

    std::int32_t num_cells() const { return num_cells_; }
    std::int32_t cell_of(const Place& place) const;
    // Upper bound on the distance between any two of the places (for cost scaling).
    double max_distance_km() const { return max_distance_km_; }
    // Whether visit() also gives nondecreasing lb_s (grids; zone matrices need not).
    bool monotone_time() const { return !zones_; }

    // Calls visit(neighbor) for the cells around `from` in nondecreasing lb_km until it
    // returns false. forward: from holds origins (drop-offs); else it holds destinations.
    template <class Visit>
    void visit(std::int32_t from, bool forward, Visit&& visit) const {
        if (zones_) {
            const auto& list = forward ? forward_ : backward_;
            const std::size_t k = static_cast<std::size_t>(num_cells_);
            const Neighbor* row = list.data() + static_cast<std::size_t>(from) * k;
            for (std::size_t c = 0; c < k; ++c) {
                if (!visit(row[c])) return;
            }
            return;
        }
        const std::int32_t fx = from % nx_;
        const std::int32_t fy = from / nx_;
        for (const Offset& off : offsets_) {
            const std::int32_t cx = fx + off.dx;
            const std::int32_t cy = fy + off.dy;
            if (cx < 0 || cy < 0 || cx >= nx_ || cy >= ny_) continue;
            if (!visit(Neighbor{cy * nx_ + cx, off.lb_km, off.lb_s})) return;
        }
    }

private:
    struct Offset {
        std::int32_t dx, dy;
        double lb_km, lb_s;
    };
    void grid_xy(const Place& place, double& x, double& y) const;
    double box_distance(double gap_x, double gap_y) const;

    const TravelModel& travel_;
    bool zones_ = false;
    std::int32_t num_cells_ = 1;
    double max_distance_km_ = 0.0;
    double seconds_per_km_ = 0.0;  // at the fastest hour: a lower bound on time per km
    // Grid
    double lon0_ = 0.0, lat0_ = 0.0;  // orthographic centre (haversine)
    double x0_ = 0.0, y0_ = 0.0, side_ = 1.0;
    std::int32_t nx_ = 1, ny_ = 1;
    std::vector<Offset> offsets_;
    // Zones: per cell, all cells in nondecreasing lb_km (forward: from origin cell).
    std::vector<Neighbor> forward_, backward_;
};

// Places of one side stored cell by cell, each cell sorted by time, with a sparse table of
// range maxima over per-place values (the potentials during pricing).
class CellIndex {
public:
    // bucket_s > 0 also keeps, per cell and time bucket of about that width, the largest
    // value (see may_exceed).
    CellIndex(std::int32_t num_cells, const std::vector<std::int32_t>& cell,
              const std::vector<double>& time, double bucket_s = 0.0);

    // Positions [begin, end) of the places of `cell` with time in [t_lo, t_hi].
    void window(std::int32_t cell, double t_lo, double t_hi, std::int32_t& begin,
                std::int32_t& end) const;
    std::int32_t id(std::int32_t pos) const { return id_[static_cast<std::size_t>(pos)]; }
    double time(std::int32_t pos) const { return time_[static_cast<std::size_t>(pos)]; }

    // Coordinates of the places (place i at places[i]), kept by position for the screens
    // of Manhattan distances below.
    void set_places(const std::vector<Place>& places);
    double x(std::int32_t pos) const { return x_[static_cast<std::size_t>(pos)]; }
    double y(std::int32_t pos) const { return y_[static_cast<std::size_t>(pos)]; }

    // values[i] belongs to place i; afterwards value() and range_max() read them by position.
    // slope > 0 (with places and buckets) also keeps, per bucket, the largest
    // value - slope * (sx x + sy y) over its places for each choice of signs sx, sy (see
    // may_beat).
    void set_values(const std::vector<std::int64_t>& values, double slope = 0.0);
    std::int64_t value(std::int32_t pos) const { return table_[0][static_cast<std::size_t>(pos)]; }
    std::int64_t range_max(std::int32_t begin, std::int32_t end) const;  // begin < end, one cell

    // False when no place of `cell` with time in [t_lo, t_hi] has a value above floor; true
    // when one may (always, without buckets). A few table reads instead of a search of the
    // cell: most cells a pricing scan visits hold nothing in its window that can price out.
    bool may_exceed(std::int32_t cell, double t_lo, double t_hi, double floor) const {
        if (bucket_max_.empty()) return true;
        return any_bucket(cell, t_lo, t_hi, [&](std::size_t b) { return static_cast<double>(bucket_max_[b]) > floor; });
    }
    // False when no place p of `cell` with time in [t_lo, t_hi] can have
    // value(p) - slope * |p - q|_1 > floor, given floors = quadrant_floors(floor, slope, q);
    // true when one may (always without the keys). For signs (sx, sy), s = 0: ++, 1: +-,
    // 2: -+, 3: --, floors[s] = floor - slope * (sx qx + sy qy). Since |u| >= sx u,
    // value(p) - slope * |p - q|_1 <= key_s(p) - slope * (sx qx + sy qy) for every s, so a
    // place above the floor has key_s(p) > floors[s] for all four, and its bucket's largest
    // keys pass too. For a lone place the four tests together are exact: near the query the
    // distance itself screens the places, not a cell's lower bound on it.
    using Floors = std::array<double, 4>;
    static Floors quadrant_floors(double floor, double slope, double qx, double qy) {
        const double sum = slope * (qx + qy), difference = slope * (qx - qy);
        return {floor - sum, floor - difference, floor + difference, floor + sum};
    }
    bool may_beat(std::int32_t cell, double t_lo, double t_hi, const Floors& floors) const {
        if (bucket_key_.empty()) return true;
        return any_bucket(cell, t_lo, t_hi, [&](std::size_t b) {
            const double* key = bucket_key_.data() + 4 * b;
            return key[0] > floors[0] && key[1] > floors[1] && key[2] > floors[2] && key[3] > floors[3];
        });
    }
    // False when `cell` has no place with time in [t_lo, t_hi]; true when it may (always,
    // without buckets).
    bool may_hold(std::int32_t cell, double t_lo, double t_hi) const {
        if (buckets_ == 0) return true;
        return any_bucket(cell, t_lo, t_hi, [&](std::size_t b) { return bucket_held_[b] != 0; });
    }

    // Calls visit(pos) for every position in [begin, end) (one cell) whose value exceeds
    // floor, in order, skipping ranges whose maximum does not.
    template <class Visit>
    void each_above(std::int32_t begin, std::int32_t end, double floor, Visit&& visit) const {
        if (begin >= end || static_cast<double>(range_max(begin, end)) <= floor) return;
        if (end - begin <= 16) {
            for (std::int32_t p = begin; p < end; ++p) {
                if (static_cast<double>(value(p)) > floor) visit(p);
            }
            return;
        }
        const std::int32_t middle = begin + (end - begin) / 2;
        each_above(begin, middle, floor, visit);
        each_above(middle, end, floor, visit);
    }

private:
    std::vector<std::int32_t> start_;  // per cell, into the arrays below
    std::vector<std::int32_t> id_;
    std::vector<double> time_;
    std::vector<double> x_, y_;  // by position (set_places)
    std::vector<std::vector<std::int64_t>> table_;  // level l: max over [p, p + 2^l) in the cell
    // Whether test(b) holds for a bucket b (an index into the per-cell tables) of `cell`
    // that overlaps [t_lo, t_hi].
    template <class Test>
    bool any_bucket(std::int32_t cell, double t_lo, double t_hi, Test&& test) const {
        if (!(t_hi >= t_first_) || !(t_lo <= t_last_)) return false;
        const std::size_t row = static_cast<std::size_t>(cell) * buckets_;
        for (std::size_t b = bucket(t_lo), hi = bucket(t_hi); b <= hi; ++b) {
            if (test(row + b)) return true;
        }
        return false;
    }
    // Buckets of bucket_width_ seconds from t_first_, clamped to the first and the last; per
    // cell, whether each bucket holds a place, and its largest value (the lowest int64 when
    // empty; none before set_values).
    std::size_t bucket(double t) const {
        const double b = std::floor((t - t_first_) / bucket_width_);
        if (!(b > 0.0)) return 0;
        return b >= static_cast<double>(buckets_ - 1) ? buckets_ - 1 : static_cast<std::size_t>(b);
    }
    std::size_t buckets_ = 0;
    double bucket_width_ = 0.0, t_first_ = 0.0, t_last_ = 0.0;
    std::vector<std::uint8_t> bucket_held_;
    std::vector<std::int64_t> bucket_max_;
    std::vector<double> bucket_key_;  // 4 per bucket (set_values with a slope)
};

}  // namespace shareopt
