#include "shareopt/dispatch.hpp"

#include <mutex>

#include <pybind11/stl.h>

#include "common.hpp"

namespace shareopt::bind {

namespace {

// The dispatcher behind a lock: Python threads may share one (offer_many drops the GIL).
struct Locked {
    explicit Locked(Dispatcher d) : dispatcher(std::move(d)) {}
    Dispatcher dispatcher;
    std::mutex mutex;
};

// Row i of the order columns; a NaN service distance means the travel model's.
DispatchOrder row(const OrderColumns& c, py::ssize_t i) {
    DispatchOrder o;
    o.pickup_time = c.pickup_time.at(i);
    o.dropoff_time = c.dropoff_time.at(i);
    o.pickup = {c.pickup_xy.at(i, 0), c.pickup_xy.at(i, 1), c.pickup_zone ? c.pickup_zone->at(i) : -1};
    o.dropoff = {c.dropoff_xy.at(i, 0), c.dropoff_xy.at(i, 1), c.dropoff_zone ? c.dropoff_zone->at(i) : -1};
    o.revenue = c.revenue.at(i);
    const double km = c.service_km ? c.service_km->at(i) : -1.0;
    o.service_km = std::isnan(km) ? -1.0 : km;
    return o;
}

DispatchParams params_from(const py::dict& params) {
    DispatchParams p;
    static_cast<FleetCosts&>(p) = fleet_costs(params);
    p.accept_always = params["accept_always"].cast<bool>();
    return p;
}

py::tuple as_tuple(const Decision& d) {
    return py::make_tuple(verdict_name(d.verdict), d.vehicle, d.position, d.marginal_cost, d.after, d.order);
}

DispatchOrder one(double pickup_time, double dropoff_time, std::tuple<double, double, std::int32_t> pickup,
                  std::tuple<double, double, std::int32_t> dropoff, double revenue, double service_km) {
    DispatchOrder o;
    o.pickup_time = pickup_time;
    o.dropoff_time = dropoff_time;
    o.pickup = {std::get<0>(pickup), std::get<1>(pickup), std::get<2>(pickup)};
    o.dropoff = {std::get<0>(dropoff), std::get<1>(dropoff), std::get<2>(dropoff)};
    o.revenue = revenue;
    o.service_km = std::isnan(service_km) ? -1.0 : service_km;
    return o;
}

}  // namespace

void bind_dispatch(py::module_& m) {
    py::class_<Locked>(m, "Dispatcher")
        .def(py::init([](const TravelModel& travel, const py::dict& params) {
                 return std::make_unique<Locked>(Dispatcher(travel, params_from(params)));
             }),
             py::arg("travel"), py::arg("params"))
        .def(
            "load",
            [](Locked& self, const py::object& pickup_time, const py::object& dropoff_time,
               const py::object& pickup_xy, const py::object& pickup_zone, const py::object& dropoff_xy,
               const py::object& dropoff_zone, const py::object& revenue, const py::object& service_km,
               const std::vector<std::vector<std::int32_t>>& chains) {
                const OrderColumns c = order_columns(pickup_time, dropoff_time, pickup_xy, pickup_zone, dropoff_xy,
                                          dropoff_zone, revenue, service_km);
                std::vector<DispatchOrder> orders;
                orders.reserve(static_cast<std::size_t>(c.n));
                for (py::ssize_t i = 0; i < c.n; ++i) orders.push_back(row(c, i));
                std::lock_guard<std::mutex> lock(self.mutex);
                self.dispatcher.load(orders, chains);
            },
            py::arg("pickup_time"), py::arg("dropoff_time"), py::arg("pickup_xy"), py::arg("pickup_zone"),
            py::arg("dropoff_xy"), py::arg("dropoff_zone"), py::arg("revenue"), py::arg("service_km"),
            py::arg("chains"))
        .def(
            "offer",
            [](Locked& self, double pickup_time, double dropoff_time, std::tuple<double, double, std::int32_t> pickup,
               std::tuple<double, double, std::int32_t> dropoff, double revenue, double service_km,
               double request_time, bool commit, bool exhaustive) {
                const DispatchOrder o = one(pickup_time, dropoff_time, pickup, dropoff, revenue, service_km);
                std::lock_guard<std::mutex> lock(self.mutex);
                if (exhaustive) return as_tuple(self.dispatcher.evaluate_exhaustive(o, request_time));
                return as_tuple(commit ? self.dispatcher.offer(o, request_time)
                                       : self.dispatcher.evaluate(o, request_time));
            },
            py::arg("pickup_time"), py::arg("dropoff_time"), py::arg("pickup"), py::arg("dropoff"),
            py::arg("revenue"), py::arg("service_km"), py::arg("request_time"), py::arg("commit") = true,
            py::arg("exhaustive") = false)
        .def(
            "offer_many",
            [](Locked& self, const py::object& pickup_time, const py::object& dropoff_time,
               const py::object& pickup_xy, const py::object& pickup_zone, const py::object& dropoff_xy,
               const py::object& dropoff_zone, const py::object& revenue, const py::object& service_km,
               const py::object& request_time) {
                const OrderColumns c = order_columns(pickup_time, dropoff_time, pickup_xy, pickup_zone, dropoff_xy,
                                          dropoff_zone, revenue, service_km);
                auto requested = vector<double>(request_time, "request_time", c.n);
                CArray<std::int8_t> verdict(c.n);
                CArray<std::int32_t> vehicle(c.n), position(c.n), after(c.n), order(c.n);
                CArray<double> cost(c.n);
                std::vector<DispatchOrder> rows;
                rows.reserve(static_cast<std::size_t>(c.n));
                for (py::ssize_t i = 0; i < c.n; ++i) rows.push_back(row(c, i));
                {
                    py::gil_scoped_release release;
                    std::lock_guard<std::mutex> lock(self.mutex);
                    // Every order is checked before any is committed: a bad row changes nothing.
                    for (py::ssize_t i = 0; i < c.n; ++i) {
                        self.dispatcher.check(rows[static_cast<std::size_t>(i)], requested.at(i), i);
                    }
                    self.dispatcher.check_span(rows, "offer");  // the stream as a whole, too
                    for (py::ssize_t i = 0; i < c.n; ++i) {
                        const Decision d = self.dispatcher.offer(rows[static_cast<std::size_t>(i)], requested.at(i));
                        verdict.mutable_data()[i] = static_cast<std::int8_t>(d.verdict);
                        vehicle.mutable_data()[i] = d.vehicle;
                        position.mutable_data()[i] = d.position;
                        after.mutable_data()[i] = d.after;
                        order.mutable_data()[i] = d.order;
                        cost.mutable_data()[i] = d.marginal_cost;
                    }
                }
                return py::make_tuple(verdict, vehicle, position, cost, after, order);
            },
            py::arg("pickup_time"), py::arg("dropoff_time"), py::arg("pickup_xy"), py::arg("pickup_zone"),
            py::arg("dropoff_xy"), py::arg("dropoff_zone"), py::arg("revenue"), py::arg("service_km"),
            py::arg("request_time"))
        .def("set_chains", [](Locked& self, const std::vector<std::vector<std::int32_t>>& chains, double now,
                              const std::vector<std::int32_t>& fixed) {
            std::lock_guard<std::mutex> lock(self.mutex);
            self.dispatcher.set_chains(chains, now, fixed);
        }, py::arg("chains"), py::arg("now"), py::arg("fixed"))
        .def("table", [](Locked& self) {
            // The order table as columns: times, places (x, y, zone), revenue, service km (NaN:
            // the travel model's).
            std::lock_guard<std::mutex> lock(self.mutex);
            const auto n = static_cast<py::ssize_t>(self.dispatcher.num_orders());
            CArray<double> tp(n), td(n), pxy({n, py::ssize_t{2}}), dxy({n, py::ssize_t{2}}), rev(n), km(n);
            CArray<std::int32_t> pz(n), dz(n);
            for (py::ssize_t i = 0; i < n; ++i) {
                const DispatchOrder& o = self.dispatcher.order(static_cast<std::int32_t>(i));
                tp.mutable_at(i) = o.pickup_time;
                td.mutable_at(i) = o.dropoff_time;
                pxy.mutable_at(i, 0) = o.pickup.x;
                pxy.mutable_at(i, 1) = o.pickup.y;
                dxy.mutable_at(i, 0) = o.dropoff.x;
                dxy.mutable_at(i, 1) = o.dropoff.y;
                pz.mutable_at(i) = o.pickup.zone;
                dz.mutable_at(i) = o.dropoff.zone;
                rev.mutable_at(i) = o.revenue;
                km.mutable_at(i) = o.service_km >= 0.0 ? o.service_km : std::numeric_limits<double>::quiet_NaN();
            }
            return py::make_tuple(tp, td, pxy, pz, dxy, dz, rev, km);
        })
        .def_property_readonly("travel", [](Locked& self) { return self.dispatcher.travel(); })
        .def_property_readonly("params", [](Locked& self) {
            const DispatchParams& p = self.dispatcher.params();
            py::dict out;
            out["vehicle_cost"] = p.vehicle_cost;
            out["deadhead_cost_per_km"] = p.deadhead_cost_per_km;
            out["service_cost_per_km"] = p.service_cost_per_km;
            out["depot"] = p.has_depot ? py::object(py::make_tuple(p.depot.x, p.depot.y, p.depot.zone)) : py::none();
            out["max_vehicles"] = p.max_vehicles;
            out["max_idle_s"] = p.max_idle_s;
            out["accept_always"] = p.accept_always;
            return out;
        })
        .def("chain", [](Locked& self, std::int32_t v) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return self.dispatcher.chain(v);
        })
        .def_property_readonly("num_vehicles", [](Locked& self) { return self.dispatcher.num_vehicles(); })
        .def_property_readonly("metric", [](Locked& self) { return metric_name(self.dispatcher.travel().metric()); })
        .def_property_readonly("num_orders", [](Locked& self) { return self.dispatcher.num_orders(); })
        .def("objective", [](Locked& self) {
            std::lock_guard<std::mutex> lock(self.mutex);
            return self.dispatcher.objective();
        })
        .def(
            "set_bid_prices",
            [](Locked& self, const py::handle& values, double x0, double y0, double side, double t0, double bucket_s,
               double weight) {
                auto grid = CArray<double>::ensure(values);
                if (!grid || grid.ndim() != 3) throw py::value_error("bid prices: values must be an (nt, ny, nx) array");
                BidPrices prices;
                prices.x0 = x0;
                prices.y0 = y0;
                prices.side = side;
                prices.t0 = t0;
                prices.bucket_s = bucket_s;
                prices.weight = weight;
                prices.nt = static_cast<std::int32_t>(grid.shape(0));
                prices.ny = static_cast<std::int32_t>(grid.shape(1));
                prices.nx = static_cast<std::int32_t>(grid.shape(2));
                prices.values.assign(grid.data(), grid.data() + grid.size());
                std::lock_guard<std::mutex> lock(self.mutex);
                self.dispatcher.set_bid_prices(std::move(prices));
            },
            py::arg("values"), py::arg("x0"), py::arg("y0"), py::arg("side"), py::arg("t0"), py::arg("bucket_s"),
            py::arg("weight"))
        .def_property_readonly("bid_price_weight", [](Locked& self) { return self.dispatcher.bid_prices().weight; })
        .def("snapshot", [](Locked& self) {
            std::string bytes;
            {
                std::lock_guard<std::mutex> lock(self.mutex);
                bytes = self.dispatcher.snapshot();
            }
            return py::bytes(bytes);
        })
        .def_static("restore", [](const py::bytes& data) {
            return std::make_unique<Locked>(Dispatcher::restore(std::string(data)));
        }, py::arg("data"));
    m.attr("VERDICTS") = py::make_tuple("accepted", "infeasible", "unprofitable", "fleet_limit");
}

}  // namespace shareopt::bind
