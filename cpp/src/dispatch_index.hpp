// Internal to the dispatcher: gaps filed by time and place, read nearest first.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "shareopt/travel.hpp"

namespace shareopt {

// One gap as filed: its owner (an order index); where and from when a vehicle waits there;
// the place at its other end (ox, oy: the next pickup, or the depot; NaN for none) and the
// distance between the two, which inserting there saves (its "discount", km); and the latest
// time it can hold (the next pickup; +inf for a chain's tail). Kept whole (64 bytes) so that
// a gap's exact detour is known without reading the orders.
struct GapRecord {
    std::int32_t entry;
    double x, y, t;
    double ox, oy;
    double discount;
    double end;
};

// Records filed under a square grid cell and a time bucket. A query visits the buckets of a
// time window cell by cell, in increasing lower bound of the distance from a point, and lets
// the caller skip a cell or stop on that bound: a record's cost is at least its distance from
// the point minus its discount, so cells too far away for any record to win are never read,
// nor buckets whose records all end too early. Storage is cell-major: a cell's buckets are
// contiguous, so a query reads one short run of bucket bounds per cell, not one scattered
// line per cell and bucket.
class GapGrid {
public:
    // spatial false: one cell (the time buckets alone).
    void configure(const TravelModel& travel, bool spatial, double x0, double y0, double width,
                   double height, double side, double bucket_seconds);
    void clear();
    std::int32_t cell_of(double x, double y) const { return row(y) * nx_ + column(x); }
    std::int64_t bucket(double t) const {
        // Clamped before the cast: a window edge far off (a huge finite max_idle) must not
        // overflow int64, which is undefined and broke the query.
        constexpr double kFar = 4.0e18;
        return static_cast<std::int64_t>(std::floor(std::clamp(t / bucket_s_, -kFar, kFar)));
    }
    // A bucket's records are kept latest end first. add() and erase() call moved(entry, pos)
    // for every record whose position they change, the one added included.
    template <class Moved>
    void add(std::int64_t bucket, std::int32_t cell, const GapRecord& record, Moved&& moved);
    template <class Moved>
    void erase(std::int64_t bucket, std::int32_t cell, std::int32_t pos, Moved&& moved);

    // reach(t0, t1): how far (km) a gap filed in [t0, t1) may lie and still be reached in time
    // (negative: none). skip(lb_km, discount, latest_end): true to pass a cell whose records
    // save at most discount and end by latest_end (+inf: a chain's tail may be there); stop(lb_km, largest_discount):
    // true when no cell at least lb_km away can hold a winner (cells come in increasing lb).
    // Only records ending at min_end or later are visited.
    template <class Reach, class Skip, class Stop, class Visit>
    void query(double t_lo, double t_hi, double min_end, double x, double y, Reach&& reach, Skip&& skip,
               Stop&& stop, Visit&& visit) const {
        if (buckets_.empty()) return;
        const std::int64_t end = base_ + static_cast<std::int64_t>(buckets_.size());
        const std::int64_t lo = std::isfinite(t_lo) ? std::max(base_, bucket(t_lo)) : base_;
        const std::int64_t hi = std::isfinite(t_hi) ? std::min(end - 1, bucket(t_hi)) : end - 1;
        if (lo > hi) return;
        // Reach per bucket of the window, once (windows span a few buckets).
        constexpr std::int64_t kKept = 32;
        double radii[kKept];
        const auto radius = [&](std::int64_t b) {
            if (b - lo < kKept) return radii[b - lo];
            return reach(static_cast<double>(b) * bucket_s_, static_cast<double>(b + 1) * bucket_s_);
        };
        // The largest discount and reach among the buckets read bound every cell not yet visited.
        double largest = -1.0, farthest = -1.0;
        for (std::int64_t b = lo; b <= hi; ++b) {
            const double r = reach(static_cast<double>(b) * bucket_s_, static_cast<double>(b + 1) * bucket_s_);
            if (b - lo < kKept) radii[b - lo] = r;
            const BucketTotals& totals = buckets_[static_cast<std::size_t>(b - base_)];
            if (totals.count == 0) continue;
            largest = std::max(largest, totals.largest);
            farthest = std::max(farthest, r);
        }
        if (largest < 0.0 || farthest < 0.0) return;  // nothing filed, or nothing in reach
        const std::int32_t cx = column(x), cy = row(y);
        for (const Offset& off : ring_) {
            if (off.lb_km > farthest || stop(off.lb_km, largest)) return;
            const std::int32_t c = cx + off.dx, r = cy + off.dy;
            if (static_cast<std::uint32_t>(c) >= static_cast<std::uint32_t>(nx_) ||
                static_cast<std::uint32_t>(r) >= static_cast<std::uint32_t>(ny_)) {
                continue;
            }
            const Column& col = columns_[static_cast<std::size_t>(r * nx_ + c)];
            if (col.slots.empty()) continue;
            const std::int64_t first = std::max(lo, col.base);
            const std::int64_t last = std::min(hi, col.base + static_cast<std::int64_t>(col.slots.size()) - 1);
            if (first > last) continue;
            const double lb = lower_bound_km(x, y, c, r, off.dx, off.dy);
            if (lb > farthest || skip(lb, col.discount, std::numeric_limits<double>::infinity())) continue;
            for (std::int64_t b = first; b <= last; ++b) {
                const auto at = static_cast<std::size_t>(b - col.base);
                const Slot& slot = col.slots[at];
                if (slot.latest_end < min_end || skip(lb, slot.discount, slot.latest_end) || lb > radius(b)) continue;
                for (const GapRecord& record : col.records[at]) {
                    if (record.end < min_end) break;
                    visit(record);
                }
            }
        }
    }

private:
    struct Offset { std::int32_t dx, dy; double lb_km; };
    // Bounds over one cell and bucket's records (an empty one ends at -inf and passes).
    struct Slot {
        double discount = 0.0;
        double latest_end = -std::numeric_limits<double>::infinity();
    };
    // One cell: its buckets base, base + 1, ... (the first and last ones filed, and between).
    struct Column {
        std::int64_t base = 0;
        double discount = 0.0;  // over all its records (never lowered)
        std::vector<Slot> slots;
        std::vector<std::vector<GapRecord>> records;
    };
    struct BucketTotals {
        double largest = 0.0;  // discount over its records (never lowered)
        std::int64_t count = 0;
    };
    std::int32_t column(double x) const {
        const double c = std::floor((x - x0_) / side_);
        return static_cast<std::int32_t>(std::clamp(c, 0.0, static_cast<double>(nx_ - 1)));
    }
    std::int32_t row(double y) const {
        const double r = std::floor((y - y0_) / side_);
        return static_cast<std::int32_t>(std::clamp(r, 0.0, static_cast<double>(ny_ - 1)));
    }
    // Metric distance of a (dx, dy) gap, detour applied.
    double gap_km(double dx, double dy) const {
        return detour_ * (euclidean_ ? std::sqrt(dx * dx + dy * dy) : dx + dy);
    }
    // From (x, y) to cell (c, r), dx, dy cells from the point's own. Only the cell's near
    // sides count: toward its far sides lie farther cells, or, for an outer cell, places
    // beyond the grid filed in it. Each edge is where the cell's own index puts it (an edge
    // taken relative to the point's cell could round to above the true distance).
    double lower_bound_km(double x, double y, std::int32_t c, std::int32_t r, std::int32_t dx, std::int32_t dy) const {
        if (!spatial_) return 0.0;
        const auto gap = [&](double u, double u0, std::int32_t k, std::int32_t d) {
            if (d > 0) return std::max(0.0, (u0 + k * side_) - u);
            if (d < 0) return std::max(0.0, u - (u0 + (k + 1) * side_));
            return 0.0;
        };
        // Rounding must not push the bound above a true distance.
        return gap_km(gap(x, x0_, c, dx), gap(y, y0_, r, dy)) * (1.0 - 1e-12);
    }

    // The slot of (bucket, cell), made when missing.
    std::size_t slot(std::int64_t bucket, Column& col);

    bool spatial_ = false;
    bool euclidean_ = false;
    double bucket_s_ = 300.0;
    double detour_ = 1.0;
    double x0_ = 0.0, y0_ = 0.0, side_ = 1.0;
    std::int32_t nx_ = 1, ny_ = 1;
    std::vector<Offset> ring_{{0, 0, 0.0}};
    std::int64_t base_ = 0;
    std::vector<BucketTotals> buckets_;       // [bucket - base]
    std::vector<Column> columns_ = std::vector<Column>(1);  // per cell
};

template <class Moved>
void GapGrid::add(std::int64_t b, std::int32_t cell, const GapRecord& record, Moved&& moved) {
    Column& col = columns_[static_cast<std::size_t>(cell)];
    const std::size_t at = slot(b, col);
    auto& list = col.records[at];
    list.push_back(record);
    std::size_t pos = list.size() - 1;
    for (; pos > 0 && list[pos - 1].end < record.end; --pos) {
        list[pos] = list[pos - 1];
        moved(list[pos].entry, static_cast<std::int32_t>(pos));
    }
    list[pos] = record;
    moved(record.entry, static_cast<std::int32_t>(pos));
    Slot& bounds = col.slots[at];
    bounds.discount = std::max(bounds.discount, record.discount);
    bounds.latest_end = list.front().end;
    col.discount = std::max(col.discount, record.discount);
    BucketTotals& totals = buckets_[static_cast<std::size_t>(b - base_)];
    totals.largest = std::max(totals.largest, record.discount);
    ++totals.count;
}

template <class Moved>
void GapGrid::erase(std::int64_t b, std::int32_t cell, std::int32_t pos, Moved&& moved) {
    Column& col = columns_.at(static_cast<std::size_t>(cell));
    const auto at = static_cast<std::size_t>(b - col.base);
    auto& list = col.records.at(at);
    for (auto k = static_cast<std::size_t>(pos); k + 1 < list.size(); ++k) {
        list[k] = list[k + 1];
        moved(list[k].entry, static_cast<std::int32_t>(k));
    }
    list.pop_back();
    --buckets_.at(static_cast<std::size_t>(b - base_)).count;
    // The slot's bounds over what is left (lists are short); the coarser ones stay as they are.
    Slot& bounds = col.slots[at];
    bounds.discount = 0.0;
    for (const GapRecord& r : list) bounds.discount = std::max(bounds.discount, r.discount);
    bounds.latest_end = list.empty() ? -std::numeric_limits<double>::infinity() : list.front().end;
}

// Gaps in classes by discount, each class a grid whose cells are about half as wide as its
// largest discount (and no finer than the first class's): a gap that can save little is found by a tight bound in a fine grid, and the few
// that can save much do not loosen the bound of the others. A gap is filed once; re-filing it
// (its discount or end changed) moves it.
class GapIndex {
public:
    // A grid of about `cells` cells over the places' bounding box (xy: x, y pairs) for the
    // finest class. Planar metrics without a zone matrix only; any other travel model gets one
    // cell, which leaves the time buckets alone.
    // Time buckets of bucket_seconds.
    void configure(const TravelModel& travel, const std::vector<double>& xy, std::int32_t cells,
                   double bucket_seconds);
    void clear();
    void file(std::int32_t entry, double t, double x, double y, double ox, double oy, double discount, double end);
    void remove(std::int32_t entry);

    template <class Reach, class Skip, class Stop, class Visit>
    void query(double t_lo, double t_hi, double min_end, double x, double y, Reach&& reach, Skip&& skip,
               Stop&& stop, Visit&& visit) const {
        for (const GapGrid& grid : grids_) grid.query(t_lo, t_hi, min_end, x, y, reach, skip, stop, visit);
    }

private:
    struct Where {
        std::int8_t grid = -1;  // -1: not filed
        std::int64_t bucket = 0;
        std::int32_t cell = 0, pos = 0;
    };
    // Unconfigured: one cell, the time buckets alone (a dispatcher may take offers unloaded).
    std::vector<GapGrid> grids_ = std::vector<GapGrid>(1);
    std::vector<double> ceiling_ = {std::numeric_limits<double>::infinity()};  // per grid: its largest discount
    std::vector<Where> where_;     // per entry
};

}  // namespace shareopt
