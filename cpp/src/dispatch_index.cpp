#include "dispatch_index.hpp"

namespace shareopt {

void GapGrid::configure(const TravelModel& travel, bool spatial, double x0, double y0, double width,
                        double height, double side, double bucket_seconds) {
    clear();
    bucket_s_ = bucket_seconds;
    spatial_ = spatial;
    euclidean_ = travel.metric() == Metric::Euclidean;
    detour_ = travel.detour();
    nx_ = ny_ = 1;
    x0_ = x0;
    y0_ = y0;
    side_ = 1.0;
    ring_ = {{0, 0, 0.0}};
    if (spatial_) {
        side_ = std::max(side, 1e-3);
        nx_ = static_cast<std::int32_t>(std::clamp(std::ceil(width / side_), 1.0, 256.0));
        ny_ = static_cast<std::int32_t>(std::clamp(std::ceil(height / side_), 1.0, 256.0));
        side_ = std::max({side_, width / nx_, height / ny_});
        // Every offset between two cells, by the least distance between their rectangles.
        ring_.clear();
        for (std::int32_t dy = -(ny_ - 1); dy < ny_; ++dy) {
            for (std::int32_t dx = -(nx_ - 1); dx < nx_; ++dx) {
                const double gx = std::max(0, std::abs(dx) - 1) * side_;
                const double gy = std::max(0, std::abs(dy) - 1) * side_;
                ring_.push_back({dx, dy, gap_km(gx, gy)});
            }
        }
        // Among equal bounds the nearer cells first (the point's own first): good gaps found
        // early cut the search sooner.
        std::stable_sort(ring_.begin(), ring_.end(), [](const Offset& a, const Offset& b) {
            if (a.lb_km != b.lb_km) return a.lb_km < b.lb_km;
            return std::abs(a.dx) + std::abs(a.dy) < std::abs(b.dx) + std::abs(b.dy);
        });
    }
    columns_.assign(static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_), Column{});
}

void GapGrid::clear() {
    buckets_.clear();
    base_ = 0;
    for (Column& col : columns_) col = Column{};
}

std::size_t GapGrid::slot(std::int64_t b, Column& col) {
    // The grid's bucket totals cover every bucket filed, each cell's run of slots its own.
    if (buckets_.empty()) base_ = b;
    if (b < base_) {
        buckets_.insert(buckets_.begin(), static_cast<std::size_t>(base_ - b), BucketTotals{});
        base_ = b;
    }
    if (static_cast<std::size_t>(b - base_) >= buckets_.size()) buckets_.resize(static_cast<std::size_t>(b - base_) + 1);
    if (col.slots.empty()) col.base = b;
    if (b < col.base) {
        const auto more = static_cast<std::size_t>(col.base - b);
        col.slots.insert(col.slots.begin(), more, Slot{});
        col.records.insert(col.records.begin(), more, std::vector<GapRecord>{});
        col.base = b;
    }
    const auto at = static_cast<std::size_t>(b - col.base);
    if (at >= col.slots.size()) {
        col.slots.resize(at + 1);
        col.records.resize(at + 1);
    }
    return at;
}

void GapIndex::configure(const TravelModel& travel, const std::vector<double>& xy, std::int32_t cells,
                         double bucket_seconds) {
    clear();
    const bool spatial = travel.n_zones() == 0 && travel.metric() != Metric::Haversine && xy.size() >= 4 && cells > 1;
    double x_lo = 0.0, x_hi = 1.0, y_lo = 0.0, y_hi = 1.0;
    if (xy.size() >= 2) {
        x_lo = x_hi = xy[0];
        y_lo = y_hi = xy[1];
        for (std::size_t k = 0; k + 1 < xy.size(); k += 2) {
            x_lo = std::min(x_lo, xy[k]);
            x_hi = std::max(x_hi, xy[k]);
            y_lo = std::min(y_lo, xy[k + 1]);
            y_hi = std::max(y_hi, xy[k + 1]);
        }
    }
    const double width = std::max(x_hi - x_lo, 1e-3), height = std::max(y_hi - y_lo, 1e-3);
    const double side = std::sqrt(width * height / std::max(cells, 1));
    // Discount ceilings side, 2 side, 4 side, ... and a last class for the rest; a class's
    // cells are half its ceiling wide (no finer than the first class's).
    constexpr int kClasses = 7;
    grids_.assign(spatial ? kClasses : 1, GapGrid{});
    ceiling_.assign(grids_.size(), std::numeric_limits<double>::infinity());
    for (std::size_t g = 0; g < grids_.size(); ++g) {
        const double scale = std::ldexp(1.0, static_cast<int>(g));
        if (g + 1 < grids_.size()) ceiling_[g] = side * scale;
        grids_[g].configure(travel, spatial, x_lo, y_lo, width, height, side * std::max(1.0, scale / 2), bucket_seconds);
    }
}

void GapIndex::clear() {
    for (GapGrid& grid : grids_) grid.clear();
    where_.clear();
}

void GapIndex::remove(std::int32_t entry) {
    if (entry < 0 || static_cast<std::size_t>(entry) >= where_.size()) return;
    Where& at = where_[static_cast<std::size_t>(entry)];
    if (at.grid < 0) return;
    grids_[static_cast<std::size_t>(at.grid)].erase(at.bucket, at.cell, at.pos, [&](std::int32_t e, std::int32_t pos) {
        where_[static_cast<std::size_t>(e)].pos = pos;
    });
    at.grid = -1;
}

void GapIndex::file(std::int32_t entry, double t, double x, double y, double ox, double oy, double discount,
                    double end) {
    if (entry < 0) return;
    if (static_cast<std::size_t>(entry) >= where_.size()) where_.resize(static_cast<std::size_t>(entry) + 1);
    remove(entry);
    std::size_t g = 0;
    while (g + 1 < grids_.size() && discount > ceiling_[g]) ++g;
    GapGrid& grid = grids_[g];
    Where& at = where_[static_cast<std::size_t>(entry)];
    at.grid = static_cast<std::int8_t>(g);
    at.bucket = grid.bucket(t);
    at.cell = grid.cell_of(x, y);
    grid.add(at.bucket, at.cell, {entry, x, y, t, ox, oy, discount, end}, [&](std::int32_t e, std::int32_t pos) {
        where_[static_cast<std::size_t>(e)].pos = pos;
    });
}

}  // namespace shareopt
