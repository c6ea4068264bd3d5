// The chaining solver's cell index against a brute-force scan: time windows, range maxima,
// the positions above a floor, and the bucket screens (by value, and by value less the
// Manhattan distance to a point), which may let through a cell with nothing (above the floor)
// in a window but must never hide one that has something.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../src/chain_index.hpp"
#include "checks.hpp"

namespace {

shareopt::test::Checks check{"chain index"};

void test_against_brute_force(unsigned seed, double bucket_s) {
    std::mt19937 rng(seed);
    const std::int32_t cells = 7;
    const std::size_t n = 400;
    std::uniform_int_distribution<std::int32_t> any_cell(0, cells - 1);
    std::uniform_real_distribution<double> when(0.0, 20000.0);
    std::uniform_int_distribution<std::int64_t> any_value(-1000, 1000);
    std::uniform_real_distribution<double> coordinate(-5.0, 5.0);
    std::vector<std::int32_t> cell(n);
    std::vector<double> time(n);
    std::vector<std::int64_t> value(n);
    std::vector<shareopt::Place> place(n);
    for (std::size_t i = 0; i < n; ++i) {
        cell[i] = any_cell(rng);
        time[i] = i % 5 == 0 ? 5000.0 : std::floor(when(rng));  // ties in time too
        value[i] = any_value(rng);
        place[i] = {coordinate(rng), coordinate(rng)};
    }
    shareopt::CellIndex index(cells, cell, time, bucket_s);
    index.set_places(place);
    const double slope = 100.0;  // a few km cost about as much as the values' spread
    index.set_values(value, slope);

    const std::string name = "seed " + std::to_string(seed) + ", buckets of " + std::to_string(bucket_s) + " s";
    std::int64_t screened_out = 0, by_distance = 0;
    for (int query = 0; query < 3000; ++query) {
        const std::int32_t c = any_cell(rng);
        const double a = when(rng) - 2000.0;
        const double t_lo = query % 7 == 0 ? 5000.0 : a;
        const double t_hi = t_lo + std::uniform_real_distribution<double>(0.0, 3000.0)(rng);
        const double floor = static_cast<double>(any_value(rng));
        std::vector<std::int32_t> inside, above;
        for (std::size_t i = 0; i < n; ++i) {
            if (cell[i] != c || time[i] < t_lo || time[i] > t_hi) continue;
            inside.push_back(static_cast<std::int32_t>(i));
            if (static_cast<double>(value[i]) > floor) above.push_back(static_cast<std::int32_t>(i));
        }
        std::int32_t begin = 0, end = 0;
        index.window(c, t_lo, t_hi, begin, end);
        std::vector<std::int32_t> found;
        for (std::int32_t p = begin; p < end; ++p) found.push_back(index.id(p));
        std::sort(found.begin(), found.end());
        check(found == inside, name + ": a window holds other places than the brute force");
        if (begin < end) {
            std::int64_t top = std::numeric_limits<std::int64_t>::min();
            for (const std::int32_t i : inside) top = std::max(top, value[static_cast<std::size_t>(i)]);
            check(index.range_max(begin, end) == top, name + ": range_max is not the window's maximum");
        }
        std::vector<std::int32_t> listed;
        index.each_above(begin, end, floor, [&](std::int32_t p) { listed.push_back(index.id(p)); });
        std::sort(listed.begin(), listed.end());
        check(listed == above, name + ": each_above missed or added places");
        const bool may = index.may_exceed(c, t_lo, t_hi, floor);
        check(may || above.empty(), name + ": the bucket screen hid a place above the floor");
        const bool held = index.may_hold(c, t_lo, t_hi);
        check(held || inside.empty(), name + ": the bucket screen hid a place in the window");
        screened_out += (may ? 0 : 1) + (held ? 0 : 1);

        // Manhattan screen: value - slope * |p - q|_1 above the floor.
        const double qx = coordinate(rng), qy = coordinate(rng);
        bool beats = false;
        for (const std::int32_t i : inside) {
            const shareopt::Place& at = place[static_cast<std::size_t>(i)];
            beats = beats || static_cast<double>(value[static_cast<std::size_t>(i)]) -
                                     slope * (std::fabs(at.x - qx) + std::fabs(at.y - qy)) > floor;
        }
        const bool may_beat = index.may_beat(c, t_lo, t_hi, shareopt::CellIndex::quadrant_floors(floor, slope, qx, qy));
        check(may_beat || !beats, name + ": the distance screen hid a place that beats the floor");
        by_distance += may && !may_beat;
        if (begin < end) {
            const std::int32_t p = begin;
            const shareopt::Place& at = place[static_cast<std::size_t>(index.id(p))];
            check(index.x(p) == at.x && index.y(p) == at.y, name + ": coordinates kept at the wrong position");
        }
    }
    if (bucket_s > 0.0) {
        check(screened_out > 0, name + ": the bucket screen never ruled a cell out");
        check(by_distance > 0, name + ": the distance screen never ruled out what the value screen let through");
    }
}

// Times so far apart that their difference overflows: no buckets, and still every answer.
void test_times_far_apart() {
    const std::vector<std::int32_t> cell{0, 0, 1};
    const std::vector<double> time{-1e308, 1e308, 0.0};
    shareopt::CellIndex index(2, cell, time, 150.0);
    index.set_values({5, 7, 9});
    std::int32_t begin = 0, end = 0;
    index.window(0, 1e307, 1.5e308, begin, end);
    check(end - begin == 1 && index.id(begin) == 1, "far apart: the window misses the late place");
    check(index.may_hold(0, 1e307, 1.5e308) && index.may_exceed(0, 1e307, 1.5e308, 6.0),
          "far apart: a screen hid a place");
}

}  // namespace

int run_chain_index_tests() {
    test_times_far_apart();
    for (unsigned seed = 0; seed < 3; ++seed) {
        test_against_brute_force(seed, 0.0);
        test_against_brute_force(seed, 300.0);
        test_against_brute_force(seed, 1.0);  // narrower than four per place allows: widened
    }
    return check.failures;
}
