// The dispatcher's state: loading the reserved chains, the exhaustive scan the index is checked
// against, and snapshots.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "shareopt/dispatch.hpp"

#include "dispatch_index.hpp"

namespace shareopt {

void Dispatcher::load(const std::vector<DispatchOrder>& orders,
                      const std::vector<std::vector<std::int32_t>>& chains) {
    adopt(orders, chains, {});
}

void Dispatcher::adopt(const std::vector<DispatchOrder>& orders,
                       const std::vector<std::vector<std::int32_t>>& chains,
                       const std::vector<std::int32_t>& fixed) {
    if (offered_ || !orders_.empty()) throw std::logic_error("load() comes before the first offer, once");
    for (std::size_t i = 0; i < orders.size(); ++i) {
        validate(orders[i], -std::numeric_limits<double>::infinity(), "reserved order", static_cast<std::int64_t>(i));
    }
    check_span(orders, "reserved order");
    orders_ = orders;  // checked against the chains below, then taken
    try {
        check_chains(chains, orders.size(), -std::numeric_limits<double>::infinity(), fixed);
    } catch (...) {
        orders_.clear();
        throw;
    }
    orders_.clear();
    for (const DispatchOrder& o : orders) append_order(o);
    configure_index();
    for (const auto& chain : chains) {
        if (chain.empty()) continue;
        const std::int32_t vehicle = num_vehicles();
        insert(chain[0], vehicle, -1);
        for (std::size_t k = 1; k < chain.size(); ++k) insert(chain[k], vehicle, chain[k - 1]);
    }
}

void Dispatcher::check_chains(const std::vector<std::vector<std::int32_t>>& chains, std::size_t count,
                              double now, const std::vector<std::int32_t>& fixed) const {
    if (!fixed.empty() && fixed.size() != chains.size()) {
        throw std::invalid_argument("fixed needs one count per chain");
    }
    std::size_t vehicles = 0;
    for (const auto& chain : chains) vehicles += chain.empty() ? 0 : 1;
    if (params_.max_vehicles >= 0 && vehicles > static_cast<std::size_t>(params_.max_vehicles)) {
        throw std::invalid_argument(std::to_string(vehicles) + " chains exceed max_vehicles = " +
                                    std::to_string(params_.max_vehicles));
    }
    std::vector<std::int32_t> seen(count, -1);
    for (std::size_t c = 0; c < chains.size(); ++c) {
        const auto& chain = chains[c];
        for (std::size_t k = 0; k < chain.size(); ++k) {
            const std::int32_t i = chain[k];
            if (i < 0 || static_cast<std::size_t>(i) >= count) {
                throw std::invalid_argument("chain " + std::to_string(c) + " names order " + std::to_string(i) +
                                            ", outside [0, " + std::to_string(count) + ")");
            }
            if (seen[static_cast<std::size_t>(i)] >= 0) {
                throw std::invalid_argument("order " + std::to_string(i) + " is in chains " +
                                            std::to_string(seen[static_cast<std::size_t>(i)]) + " and " +
                                            std::to_string(c));
            }
            seen[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(c);
            if (k == 0) continue;
            // Links inside the started part stand as they were decided. After it, a vehicle
            // idle since before now leaves now at the earliest (the rule of offers).
            if (!fixed.empty() && static_cast<std::int32_t>(k) < fixed[c]) continue;
            if (!reaches(orders_[static_cast<std::size_t>(chain[k - 1])], now, orders_[static_cast<std::size_t>(i)])) {
                throw std::invalid_argument("chain " + std::to_string(c) + ": order " + std::to_string(i) +
                                            " cannot follow order " + std::to_string(chain[k - 1]));
            }
        }
    }
}

void Dispatcher::set_chains(const std::vector<std::vector<std::int32_t>>& chains, double now,
                            const std::vector<std::int32_t>& fixed) {
    check_chains(chains, orders_.size(), now, fixed);
    std::fill(vehicle_of_.begin(), vehicle_of_.end(), -1);
    std::fill(next_.begin(), next_.end(), -1);
    std::fill(prev_.begin(), prev_.end(), -1);
    first_.clear();
    last_.clear();
    length_.clear();
    gaps_->clear();
    openings_->clear();
    for (const auto& chain : chains) {
        if (chain.empty()) continue;
        const std::int32_t vehicle = num_vehicles();
        insert(chain[0], vehicle, -1);
        for (std::size_t k = 1; k < chain.size(); ++k) insert(chain[k], vehicle, chain[k - 1]);
    }
}

Decision Dispatcher::evaluate_exhaustive(const DispatchOrder& o, double request_time) const {
    validate(o, request_time, "order", -1);
    const Offer offer = make_offer(o, request_time);
    Candidate best;
    for (std::int32_t v = 0; v < num_vehicles(); ++v) {
        consider(offer, v, -1, best);
        for (std::int32_t u = first_[static_cast<std::size_t>(v)]; u >= 0; u = next_[static_cast<std::size_t>(u)]) {
            consider(offer, v, u, best);
        }
    }
    return decide(offer, best);
}

double BidPrices::at(double x, double y, double t) const {
    const double b = std::floor((t - t0) / bucket_s);
    if (!(b < static_cast<double>(nt))) return 0.0;  // after the last bucket (or NaN)
    const auto cell = [](double u, double u0, double width, std::int32_t count) {
        const double k = std::floor((u - u0) / width);
        return static_cast<std::size_t>(std::clamp(std::isnan(k) ? 0.0 : k, 0.0, static_cast<double>(count - 1)));
    };
    const auto bucket = static_cast<std::size_t>(std::max(b, 0.0));
    const std::size_t k = (bucket * static_cast<std::size_t>(ny) + cell(y, y0, side, ny)) * static_cast<std::size_t>(nx) +
                          cell(x, x0, side, nx);
    return weight * values[k];
}

void BidPrices::check() const {
    const auto fail = [](const std::string& why) { throw std::invalid_argument("bid prices: " + why); };
    // Above 1 a new vehicle could score below its own cost when values reach the vehicle cost.
    if (!(weight >= 0.0 && weight <= 1.0)) fail("weight must be in [0, 1]");
    if (!(std::isfinite(x0) && std::isfinite(y0) && std::isfinite(t0))) fail("the grid's origin must be finite");
    if (!(side > 0.0) || !std::isfinite(side)) fail("cell side must be finite and > 0");
    if (!(bucket_s > 0.0) || !std::isfinite(bucket_s)) fail("bucket length must be finite and > 0");
    if (nx < 1 || ny < 1 || nt < 1) fail("the grid needs at least one cell and one bucket");
    if (values.size() != static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny) * static_cast<std::size_t>(nt)) {
        fail("values must have nx * ny * nt entries");
    }
    for (std::size_t k = 0; k < values.size(); ++k) {
        if (!(values[k] >= 0.0) || !std::isfinite(values[k])) fail("value " + std::to_string(k) + " is not finite and >= 0");
    }
}

void Dispatcher::set_bid_prices(BidPrices prices) {
    if (prices.weight != 0.0 || !prices.values.empty()) prices.check();
    bid_prices_ = std::move(prices);
}

namespace {

constexpr char kMagic[8] = {'s', 'h', 'a', 'r', 'e', 'o', 'p', 'd'};
constexpr std::uint32_t kVersion = 2;

class Writer {
public:
    template <class T>
    void put(const T& value) { out_.append(reinterpret_cast<const char*>(&value), sizeof(T)); }
    template <class T>
    void put_vector(const std::vector<T>& values) {
        put(static_cast<std::uint64_t>(values.size()));
        if (!values.empty()) out_.append(reinterpret_cast<const char*>(values.data()), sizeof(T) * values.size());
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(const std::string& bytes) : bytes_(bytes) {}
    template <class T>
    T get() {
        need(sizeof(T));
        T value;
        std::memcpy(&value, bytes_.data() + at_, sizeof(T));
        at_ += sizeof(T);
        return value;
    }
    template <class T>
    std::vector<T> get_vector() {
        const auto count = get<std::uint64_t>();
        if (count > (bytes_.size() - at_) / sizeof(T)) throw std::invalid_argument("snapshot is truncated");
        std::vector<T> values(static_cast<std::size_t>(count));
        if (count) std::memcpy(values.data(), bytes_.data() + at_, sizeof(T) * values.size());
        at_ += sizeof(T) * values.size();
        return values;
    }
    bool done() const { return at_ == bytes_.size(); }

private:
    void need(std::size_t size) const {
        if (bytes_.size() - at_ < size) throw std::invalid_argument("snapshot is truncated");
    }
    const std::string& bytes_;
    std::size_t at_ = 0;
};

void put_place(Writer& w, const Place& p) {
    w.put(p.x);
    w.put(p.y);
    w.put(p.zone);
}

Place get_place(Reader& r) {
    Place p;
    p.x = r.get<double>();
    p.y = r.get<double>();
    p.zone = r.get<std::int32_t>();
    return p;
}

}  // namespace

std::string Dispatcher::snapshot() const {
    Writer w;
    for (char c : kMagic) w.put(c);
    w.put(kVersion);
    w.put(static_cast<std::int32_t>(travel_.metric()));
    w.put(travel_.detour());
    w.put_vector(travel_.speeds_kmh());
    w.put(travel_.n_zones());
    w.put_vector(travel_.zone_distance_km());
    w.put_vector(travel_.zone_time_s());
    // Field by field: no padding bytes, so equal states give equal snapshots.
    w.put(params_.vehicle_cost);
    w.put(params_.deadhead_cost_per_km);
    w.put(params_.service_cost_per_km);
    w.put(static_cast<std::uint8_t>(params_.has_depot));
    put_place(w, params_.depot);
    w.put(params_.max_vehicles);
    w.put(params_.max_idle_s);
    w.put(static_cast<std::uint8_t>(params_.accept_always));
    w.put(static_cast<std::uint64_t>(orders_.size()));
    for (const DispatchOrder& o : orders_) {
        w.put(o.pickup_time);
        w.put(o.dropoff_time);
        put_place(w, o.pickup);
        put_place(w, o.dropoff);
        w.put(o.revenue);
        w.put(o.service_km);
    }
    w.put(static_cast<std::uint8_t>(offered_));
    const BidPrices& bp = bid_prices_;
    for (double field : {bp.x0, bp.y0, bp.side, bp.t0, bp.bucket_s, bp.weight}) w.put(field);
    for (std::int32_t field : {bp.nx, bp.ny, bp.nt}) w.put(field);
    w.put_vector(bp.values);
    // Chains in vehicle order, each in its own order: all the links and the index follow.
    w.put(static_cast<std::uint64_t>(first_.size()));
    for (std::int32_t v = 0; v < num_vehicles(); ++v) w.put_vector(chain(v));
    return w.take();
}

Dispatcher Dispatcher::restore(const std::string& bytes) {
    Reader r(bytes);
    for (char c : kMagic) {
        if (r.get<char>() != c) throw std::invalid_argument("not a shareopt dispatcher snapshot");
    }
    const auto version = r.get<std::uint32_t>();
    if (version < 1 || version > kVersion) throw std::invalid_argument("unsupported snapshot version");
    const auto metric_code = r.get<std::int32_t>();
    if (metric_code < 0 || metric_code > 2) throw std::invalid_argument("snapshot is corrupt (metric)");
    const auto metric = static_cast<Metric>(metric_code);
    const auto detour = r.get<double>();
    auto speeds = r.get_vector<double>();
    const auto zones = r.get<std::int32_t>();
    auto zone_km = r.get_vector<double>();
    auto zone_s = r.get_vector<double>();
    TravelModel travel(metric, detour, std::move(speeds));
    if (zones > 0) travel.set_zone_matrix(zones, std::move(zone_km), std::move(zone_s));
    DispatchParams params;
    params.vehicle_cost = r.get<double>();
    params.deadhead_cost_per_km = r.get<double>();
    params.service_cost_per_km = r.get<double>();
    params.has_depot = r.get<std::uint8_t>() != 0;
    params.depot = get_place(r);
    params.max_vehicles = r.get<std::int64_t>();
    params.max_idle_s = r.get<double>();
    params.accept_always = r.get<std::uint8_t>() != 0;
    const auto count = r.get<std::uint64_t>();
    if (count > bytes.size()) throw std::invalid_argument("snapshot is corrupt");
    std::vector<DispatchOrder> orders(static_cast<std::size_t>(count));
    for (DispatchOrder& o : orders) {
        o.pickup_time = r.get<double>();
        o.dropoff_time = r.get<double>();
        o.pickup = get_place(r);
        o.dropoff = get_place(r);
        o.revenue = r.get<double>();
        o.service_km = r.get<double>();
    }
    const bool offered = r.get<std::uint8_t>() != 0;
    BidPrices bp;  // version 1 had none
    if (version >= 2) {
        for (double* field : {&bp.x0, &bp.y0, &bp.side, &bp.t0, &bp.bucket_s, &bp.weight}) *field = r.get<double>();
        for (std::int32_t* field : {&bp.nx, &bp.ny, &bp.nt}) *field = r.get<std::int32_t>();
        bp.values = r.get_vector<double>();
    }
    const auto vehicles = r.get<std::uint64_t>();
    if (vehicles > orders.size()) throw std::invalid_argument("snapshot is corrupt");
    std::vector<std::vector<std::int32_t>> chains(static_cast<std::size_t>(vehicles));
    for (auto& chain : chains) chain = r.get_vector<std::int32_t>();
    if (!r.done()) throw std::invalid_argument("snapshot has trailing bytes");
    Dispatcher dispatcher(travel, params);
    // The links were checked when they were made (some at a re-optimization's time): they
    // stand; orders and chains are still checked for range and repeats.
    std::vector<std::int32_t> fixed;
    for (const auto& chain : chains) fixed.push_back(static_cast<std::int32_t>(chain.size()));
    dispatcher.adopt(orders, chains, fixed);
    dispatcher.offered_ = offered;
    dispatcher.set_bid_prices(std::move(bp));
    return dispatcher;
}

}  // namespace shareopt
