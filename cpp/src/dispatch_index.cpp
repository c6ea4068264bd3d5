#include "dispatch_index.hpp"

namespace shareopt {

void GapGrid::configure(const TravelModel& travel, const std::vector<double>& xy, std::int32_t cells) {
    clear();
    spatial_ = travel.n_zones() == 0 && travel.metric() != Metric::Haversine && xy.size() >= 4 && cells > 1;
    euclidean_ = travel.metric() == Metric::Euclidean;
    detour_ = travel.detour();
    nx_ = ny_ = 1;
    ring_ = {{0, 0, 0.0}};
    if (spatial_) {
        double x_lo = xy[0], x_hi = xy[0], y_lo = xy[1], y_hi = xy[1];
        for (std::size_t k = 0; k + 1 < xy.size(); k += 2) {
            x_lo = std::min(x_lo, xy[k]);
            x_hi = std::max(x_hi, xy[k]);
            y_lo = std::min(y_lo, xy[k + 1]);
            y_hi = std::max(y_hi, xy[k + 1]);
        }
        const double width = std::max(x_hi - x_lo, 1e-3), height = std::max(y_hi - y_lo, 1e-3);
        side_ = std::max(std::sqrt(width * height / cells), 1e-3);
        nx_ = static_cast<std::int32_t>(std::min(256.0, std::ceil(width / side_)));
        ny_ = static_cast<std::int32_t>(std::min(256.0, std::ceil(height / side_)));
        side_ = std::max(width / nx_, height / ny_);
        x0_ = x_lo;
        y0_ = y_lo;
        // Every offset between two cells, by the least distance between their rectangles.
        ring_.clear();
        for (std::int32_t dy = -(ny_ - 1); dy < ny_; ++dy) {
            for (std::int32_t dx = -(nx_ - 1); dx < nx_; ++dx) {
                const double gx = std::max(0, std::abs(dx) - 1) * side_;
                const double gy = std::max(0, std::abs(dy) - 1) * side_;
                ring_.push_back({dx, dy, gap_km(gx, gy)});
            }
        }
        std::stable_sort(ring_.begin(), ring_.end(), [](const Offset& a, const Offset& b) { return a.lb_km < b.lb_km; });
    }
    discount_.assign(static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_), 0.0);
}

void GapGrid::clear() {
    buckets_.clear();
    base_ = 0;
    std::fill(discount_.begin(), discount_.end(), 0.0);
}

double GapGrid::gap_km(double dx, double dy) const {
    return detour_ * (euclidean_ ? std::sqrt(dx * dx + dy * dy) : dx + dy);
}

double GapGrid::lower_bound_km(double x, double y, std::int32_t c, std::int32_t r) const {
    if (!spatial_) return 0.0;
    // Outer cells reach to infinity: places beyond the grid are filed there.
    const double inf = std::numeric_limits<double>::infinity();
    const double x_lo = c == 0 ? -inf : x0_ + c * side_, x_hi = c == nx_ - 1 ? inf : x0_ + (c + 1) * side_;
    const double y_lo = r == 0 ? -inf : y0_ + r * side_, y_hi = r == ny_ - 1 ? inf : y0_ + (r + 1) * side_;
    const double dx = std::max({0.0, x_lo - x, x - x_hi});
    const double dy = std::max({0.0, y_lo - y, y - y_hi});
    // Rounding must not push the bound above a true distance.
    return gap_km(dx, dy) * (1.0 - 1e-12);
}

void GapGrid::add(double t, double x, double y, std::int32_t entry, double discount) {
    const std::int64_t b = bucket(t);
    if (buckets_.empty()) base_ = b;
    if (b < base_) {
        buckets_.insert(buckets_.begin(), static_cast<std::size_t>(base_ - b), Bucket{});
        base_ = b;
    }
    const auto k = static_cast<std::size_t>(b - base_);
    if (k >= buckets_.size()) buckets_.resize(k + 1);
    Bucket& slot = buckets_[k];
    if (slot.entries.empty()) {
        slot.entries.resize(discount_.size());
        slot.discount.assign(discount_.size(), 0.0);
    }
    const std::int32_t cell = row(y) * nx_ + column(x);
    slot.entries[static_cast<std::size_t>(cell)].push_back(entry);
    raise_discount(t, x, y, discount);
}

void GapGrid::raise_discount(double t, double x, double y, double discount) {
    const auto cell = static_cast<std::size_t>(row(y) * nx_ + column(x));
    discount_[cell] = std::max(discount_[cell], discount);
    const std::int64_t b = bucket(t);
    if (b >= base_ && b < base_ + static_cast<std::int64_t>(buckets_.size())) {
        Bucket& slot = buckets_[static_cast<std::size_t>(b - base_)];
        if (!slot.discount.empty()) slot.discount[cell] = std::max(slot.discount[cell], discount);
        slot.largest = std::max(slot.largest, discount);
    }
}
}  // namespace shareopt
