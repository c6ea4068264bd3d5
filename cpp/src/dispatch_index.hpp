// Internal to the dispatcher: gaps filed by time and place, read nearest first.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "shareopt/travel.hpp"

namespace shareopt {

// Entries (an order index) filed under a time bucket and a grid cell. A query visits the
// buckets of a time window cell by cell, in increasing lower bound of the distance from a
// point, and lets the caller skip a cell or stop on that bound: an entry's cost is at least
// its distance from the point minus its cell's "discount" (the largest any entry filed there
// declared), so cells too far away for any entry to win are never read.
//
// Planar metrics without a zone matrix get a grid (outer cells reach to infinity); any other
// travel model gets one cell, which leaves the time buckets alone.
class GapGrid {
public:
    static constexpr double kBucketSeconds = 300.0;

    // A grid of about `cells` cells over the places' bounding box (xy: x, y pairs).
    void configure(const TravelModel& travel, const std::vector<double>& xy, std::int32_t cells);
    void clear();
    void add(double t, double x, double y, std::int32_t entry, double discount);
    void raise_discount(double t, double x, double y, double discount);  // an entry's discount grew

    // skip(lb_km, discount): true to pass the cell; stop(lb_km, largest_discount): true when no
    // cell at least lb_km away can hold a winner (cells come in increasing lb).
    template <class Skip, class Stop, class Visit>
    void query(double t_lo, double t_hi, double x, double y, Skip&& skip, Stop&& stop, Visit&& visit) const {
        if (buckets_.empty()) return;
        const std::int64_t end = base_ + static_cast<std::int64_t>(buckets_.size());
        const std::int64_t lo = std::isfinite(t_lo) ? std::max(base_, bucket(t_lo)) : base_;
        const std::int64_t hi = std::isfinite(t_hi) ? std::min(end - 1, bucket(t_hi)) : end - 1;
        if (lo > hi) return;
        // The largest discount among the buckets read bounds every cell not yet visited.
        double largest = 0.0;
        for (std::int64_t b = lo; b <= hi; ++b) largest = std::max(largest, buckets_[static_cast<std::size_t>(b - base_)].largest);
        const std::int32_t cx = column(x), cy = row(y);
        for (const Offset& off : ring_) {
            if (stop(off.lb_km, largest)) return;
            const std::int32_t c = cx + off.dx, r = cy + off.dy;
            if (c < 0 || c >= nx_ || r < 0 || r >= ny_) continue;
            const std::int32_t cell = r * nx_ + c;
            const double lb = lower_bound_km(x, y, c, r);
            if (skip(lb, discount_[static_cast<std::size_t>(cell)])) continue;
            for (std::int64_t b = lo; b <= hi; ++b) {
                const Bucket& bucket = buckets_[static_cast<std::size_t>(b - base_)];
                if (bucket.entries.empty()) continue;
                const auto k = static_cast<std::size_t>(cell);
                if (bucket.entries[k].empty() || skip(lb, bucket.discount[k])) continue;
                for (std::int32_t entry : bucket.entries[k]) visit(entry);
            }
        }
    }

private:
    struct Offset { std::int32_t dx, dy; double lb_km; };
    static std::int64_t bucket(double t) { return static_cast<std::int64_t>(std::floor(t / kBucketSeconds)); }
    std::int32_t column(double x) const {
        const double c = std::floor((x - x0_) / side_);
        return static_cast<std::int32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
    }
    std::int32_t row(double y) const {
        const double r = std::floor((y - y0_) / side_);
        return static_cast<std::int32_t>(std::clamp(r, 0.0, static_cast<double>(ny_ - 1)));
    }
    double lower_bound_km(double x, double y, std::int32_t c, std::int32_t r) const;
    double gap_km(double dx, double dy) const;  // metric distance of a (dx, dy) gap, detour applied

    bool spatial_ = false;
    bool euclidean_ = false;
    double detour_ = 1.0;
    double x0_ = 0.0, y0_ = 0.0, side_ = 1.0;
    std::int32_t nx_ = 1, ny_ = 1;
    std::vector<Offset> ring_{{0, 0, 0.0}};
    std::int64_t base_ = 0;
    struct Bucket {
        std::vector<std::vector<std::int32_t>> entries;  // per cell
        std::vector<double> discount;                    // per cell: the largest of its entries
        double largest = 0.0;                            // over its cells
    };
    std::vector<Bucket> buckets_;     // [bucket - base]
    std::vector<double> discount_ = {0.0};  // per cell, over all buckets
};

}  // namespace shareopt
