// Stand-alone tests of the C++ core, no Python involved. Run under the sanitizers with:
//   cmake -S . -B build/asan -DSHAREOPT_SANITIZE=ON -DSHAREOPT_BUILD_TESTS=ON
//         -DSHAREOPT_BUILD_PYTHON=OFF && cmake --build build/asan && ctest --test-dir build/asan
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "checks.hpp"
#include "shareopt/csv.hpp"
#include "shareopt/travel.hpp"

namespace {

shareopt::test::Checks check{"core"};

bool near(double a, double b, double tol = 1e-9) { return std::fabs(a - b) <= tol; }

template <typename E>
bool throws(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const E&) {
        return true;
    }
    return false;
}

using shareopt::Metric;
using shareopt::Place;
using shareopt::TravelModel;

void test_metrics() {
    TravelModel manhattan(Metric::Manhattan, 1.5, {20.0});
    check(near(manhattan.metric_distance(0, 0, 3, -4), 10.5), "manhattan with detour");
    TravelModel euclid(Metric::Euclidean, 1.0, {20.0});
    check(near(euclid.metric_distance(0, 0, 3, 4), 5.0), "euclidean");
    check(near(shareopt::haversine_km(0, 0, 0, 1), shareopt::kEarthRadiusKm * 3.14159265358979323846 / 180, 1e-9),
          "haversine one degree");
    check(near(manhattan.drive_time(123.0, 10.0), 1800.0), "constant speed time");
}

void test_hourly_fifo() {
    std::vector<double> speeds(24, 30.0);
    speeds[8] = 10.0;
    TravelModel model(Metric::Manhattan, 1.0, speeds);
    // 07:50 for 10 km: 5 km in the last 10 min of hour 7, then 5 km at 10 km/h.
    check(near(model.drive_time(7 * 3600.0 + 3000.0, 10.0), 600.0 + 1800.0, 1e-6),
          "crossing into a slow hour");
    double last_arrival = -1.0;
    for (double depart = 6 * 3600.0; depart < 10 * 3600.0; depart += 17.0) {
        const double arrival = depart + model.drive_time(depart, 25.0);
        check(arrival >= last_arrival - 1e-9, "FIFO at " + std::to_string(depart));
        last_arrival = arrival;
    }
    const double day_km = 23 * 30.0 + 10.0;
    check(near(model.drive_time(3600.0, 2 * day_km + 15.0), 2 * 86400.0 + 1800.0, 1e-6),
          "whole days skipped");
    check(std::isnan(model.drive_time(0.0, -1.0)), "negative distance gives NaN");
    check(model.drive_time(-3600.0 * 17, 1.0) > 0.0, "negative departure time");
    check(near(model.drive_time(1e30, 5.0), model.drive_time(std::fmod(1e30, 86400.0), 5.0)),
          "huge departure times reduce to the time of day");
    check(model.drive_time(0.0, 1e300) > 0.0, "absurd distances stay finite and positive");
}

// arrives_by must answer exactly as the full drive does, at deadlines on either side of the
// arrival by anything from nothing to minutes, departures on hour boundaries and far out.
void test_arrives_by() {
    std::vector<double> speeds(24);
    for (int h = 0; h < 24; ++h) speeds[static_cast<std::size_t>(h)] = 12.0 + 2.5 * ((h * 7) % 11);
    const TravelModel hourly(Metric::Manhattan, 1.3, speeds), flat(Metric::Euclidean, 1.0, {27.0});
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double origins[] = {0.0, 1.7e9, -3.0 * 86400.0, 4e13};
    const double offsets[] = {0.0, 1e-12, 1e-9, 1e-7, 1e-6, 2e-6, 1e-3, 1.0, 120.0};
    int mismatches = 0, cases = 0;
    for (int k = 0; k < 4000; ++k) {
        const TravelModel& model = k % 5 == 0 ? flat : hourly;
        double depart = origins[k % 4] + std::floor(unit(rng) * 48.0) * 3600.0;
        if (k % 3 != 0) depart += unit(rng) * 3600.0;  // else exactly on the hour
        if (k % 7 == 0) depart -= 1e-7;                // just before it
        const Place a{unit(rng) * 20.0, unit(rng) * 20.0, -1};
        const Place b = k % 11 == 0 ? a : Place{a.x + (unit(rng) - 0.5) * (k % 13 == 0 ? 400.0 : 8.0), a.y, -1};
        const double arrival = depart + model.travel_time(depart, a, b);
        for (const double offset : offsets) {
            for (const double deadline : {arrival + offset, arrival - offset}) {
                ++cases;
                mismatches += model.arrives_by(depart, a, b, deadline) != (arrival <= deadline);
            }
        }
    }
    check(mismatches == 0, std::to_string(mismatches) + " of " + std::to_string(cases) +
                               " arrives_by answers differ from the full drive");
    // Neighbouring hours a billion-fold apart (found in review): just before midnight the
    // full drive takes hour 0's crawl, and a trip that ends by rounding in the next hour
    // drives it at that hour's speed.
    std::vector<double> wild(24, 30.0);
    wild[23] = 1e6;
    wild[0] = 1e-3;
    wild[5] = 1e-2;
    wild[6] = 1e7;
    const TravelModel extreme(Metric::Manhattan, 1.0, wild);
    const Place origin{0.0, 0.0, -1}, near{1.39e-9, 0.0, -1};
    const double before_midnight = -6e-12;
    const double arrival = before_midnight + extreme.travel_time(before_midnight, origin, near);
    check(extreme.arrives_by(before_midnight, origin, near, 1e-3) == (arrival <= 1e-3),
          "arrives_by just before midnight, hours a billion-fold apart");
    int wild_mismatches = 0;
    for (int k = 0; k < 20000; ++k) {
        const double depart = (k % 2 ? 6.0 : 1.0) * 3600.0 - std::ldexp(unit(rng), -(k % 40));
        const Place to{std::ldexp(unit(rng), -(k % 50)), 0.0, -1};
        const double at = depart + extreme.travel_time(depart, origin, to);
        for (const double offset : offsets) {
            for (const double deadline : {at + offset, at - offset}) {
                wild_mismatches += extreme.arrives_by(depart, origin, to, deadline) != (at <= deadline);
            }
        }
    }
    check(wild_mismatches == 0, std::to_string(wild_mismatches) +
                                    " arrives_by answers differ from the full drive at hour edges with wild speeds");
}

void test_zone_matrix() {
    TravelModel model(Metric::Manhattan, 1.0, {30.0});
    const double nan = std::nan("");
    model.set_zone_matrix(2, {1.0, 2.0, nan, 0.5}, {60.0, 120.0, nan, 30.0});
    check(near(model.distance(Place{0, 0, 0}, Place{5, 5, 1}), 2.0), "zone distance");
    check(near(model.distance(Place{0, 0, 1}, Place{5, 5, 0}), 10.0), "unknown pair -> metric");
    check(near(model.travel_time(0.0, Place{0, 0, 1}, Place{0, 0, 1}), 30.0), "zone time");
    const std::vector<double> xy = {0, 0, 1, 1};
    const std::vector<std::int32_t> beyond = {0, 2};
    std::vector<double> out(2);
    model.pair_distance(2, xy.data(), beyond.data(), xy.data(), beyond.data(), out.data());
    check(near(out[0], 1.0) && near(out[1], 0.0), "zone beyond the matrix -> metric");
    check(throws<std::invalid_argument>([&] { model.set_zone_matrix(2, {1, 2, 3}, {1, 2, 3}); }),
          "zone matrix size checked");
    check(throws<std::invalid_argument>([&] { TravelModel(Metric::Manhattan, 0.0, {30.0}); }),
          "zero detour refused");
    check(throws<std::invalid_argument>([&] { TravelModel(Metric::Manhattan, 1.0, {30.0, 20.0}); }),
          "two speeds refused");
}

void test_csv() {
    using namespace shareopt::csv;
    const std::string text = "\xEF\xBB\xBFid,when,x\r\n1,2021-01-01 00:00:10,\"1,5\"\r\n\r\n2,bad,.5\n3";
    const Table table = parse(text, {{0, Kind::Int}, {1, Kind::DateTime}, {2, Kind::Float}}, true);
    check(table.size() == 3, "three records");
    check(table.columns[0].ints[2] == 3, "last record without newline");
    check(near(table.columns[1].values[0], 1609459210.0), "datetime");
    check(std::isnan(table.columns[1].values[1]), "bad datetime is NaN");
    check(std::isnan(table.columns[2].values[0]), "'1,5' is not a float");
    check(near(table.columns[2].values[1], 0.5), ".5 parses");
    check(std::isnan(table.columns[2].values[2]), "missing field is NaN");
    check(table.line[1] == 4 && table.line[2] == 5, "line numbers skip the blank line");
    // Every prefix of a tricky text parses without reading past its end (ASan checks this).
    const std::string tricky = "a,\"b\"\"c\nd\",e\r\n\"unterminated,1\n2,3";
    for (std::size_t k = 0; k <= tricky.size(); ++k) {
        const Table t = parse(std::string_view(tricky.data(), k),
                              {{0, Kind::String}, {1, Kind::Float}, {5, Kind::Int}}, false);
        check(t.columns[0].strings.size() == t.size(), "prefix " + std::to_string(k));
    }
    const Table open_quote = parse("a,b\n1,2\n3,\"4\n5,6\n", {{0, Kind::Int}}, true);
    check(open_quote.size() == 2 && open_quote.n_fields[1] == -1, "open quote marks its record");
    std::int64_t whole = 0;
    check(parse_int("12.000", whole) && whole == 12, "whole-number float text as int");
    check(!parse_int("12.5", whole) && !parse_int("1e3", whole), "other floats are not ints");
    double seconds = 0;
    check(parse_datetime("2021-01-01 08:00:00-05:00", seconds) && near(seconds, 1609488000.0),
          "UTC offset accepted, wall clock kept");
    check(!parse_datetime("2021-01-01 08:00:00+5", seconds), "malformed offset refused");
    check(!parse_datetime("2019-02-29", seconds), "no 29 February in 2019");
    check(parse_datetime("2020-02-29 23:59:59", seconds) && near(seconds, 1583020799.0), "leap day");
}

}  // namespace

int main() {
    test_metrics();
    test_hourly_fifo();
    test_arrives_by();
    test_zone_matrix();
    test_csv();
    int failures = check.failures;
    { extern int run_network_simplex_tests(); failures += run_network_simplex_tests(); }
    { extern int run_network_simplex_restart_tests(); failures += run_network_simplex_restart_tests(); }
    { extern int run_transfer_tests(); failures += run_transfer_tests(); }
    { extern int run_charging_tests(); failures += run_charging_tests(); }
    { extern int run_dispatch_index_tests(); failures += run_dispatch_index_tests(); }
    { extern int run_chaining_tests(); failures += run_chaining_tests(); }
    { extern int run_chain_index_tests(); failures += run_chain_index_tests(); }
    if (failures) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("all C++ core checks passed\n");
    return 0;
}
