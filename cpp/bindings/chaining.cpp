#include "shareopt/chaining.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace shareopt::bind {

namespace {

template <typename T>
CArray<T> to_array(const std::vector<T>& values) {
    CArray<T> out(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

// The chainer plus the arrays its views point into while it is built.
std::unique_ptr<TripChainer> make_chainer(const TravelModel& travel, const py::object& pickup_time,
                                          const py::object& dropoff_time, const py::object& pickup_xy,
                                          const py::object& pickup_zone, const py::object& dropoff_xy,
                                          const py::object& dropoff_zone, const py::object& revenue,
                                          const py::object& service_km, const py::dict& params,
                                          const py::object& latest_next, const py::object& no_start) {
    const OrderColumns c = order_columns(pickup_time, dropoff_time, pickup_xy, pickup_zone, dropoff_xy,
                                         dropoff_zone, revenue, service_km);
    std::optional<CArray<double>> latest;
    if (!latest_next.is_none()) latest = vector<double>(latest_next, "latest_next", c.n);
    std::optional<CArray<std::uint8_t>> closed;
    if (!no_start.is_none()) closed = vector<std::uint8_t>(no_start, "no_start", c.n);

    ChainOrders orders;
    orders.n = static_cast<std::size_t>(c.n);
    orders.pickup_time = c.pickup_time.data();
    orders.dropoff_time = c.dropoff_time.data();
    orders.pickup_xy = c.pickup_xy.data();
    orders.dropoff_xy = c.dropoff_xy.data();
    orders.pickup_zone = data_or_null(c.pickup_zone);
    orders.dropoff_zone = data_or_null(c.dropoff_zone);
    orders.revenue = c.revenue.data();
    orders.service_km = data_or_null(c.service_km);
    orders.latest_next = data_or_null(latest);
    orders.no_start = data_or_null(closed);

    ChainParams p;
    static_cast<FleetCosts&>(p) = fleet_costs(params);
    p.must_serve = params["must_serve"].cast<bool>();
    p.successors = params["successors"].cast<int>();
    p.price_per_order = params["price_per_order"].cast<int>();
    p.threads = params["threads"].cast<int>();
    p.auction = params["auction"].cast<bool>();
    p.auction_rounds = params["auction_rounds"].cast<int>();
    py::gil_scoped_release release;
    return std::make_unique<TripChainer>(travel, orders, p);
}

}  // namespace

OrderColumns order_columns(const py::object& pickup_time, const py::object& dropoff_time,
                           const py::object& pickup_xy, const py::object& pickup_zone,
                           const py::object& dropoff_xy, const py::object& dropoff_zone,
                           const py::object& revenue, const py::object& service_km) {
    OrderColumns c;
    c.pickup_time = vector<double>(pickup_time, "pickup_time");
    c.n = c.pickup_time.shape(0);
    c.dropoff_time = vector<double>(dropoff_time, "dropoff_time", c.n);
    c.pickup_xy = points(pickup_xy, "pickup places");
    c.dropoff_xy = points(dropoff_xy, "dropoff places");
    if (c.pickup_xy.shape(0) != c.n || c.dropoff_xy.shape(0) != c.n) {
        throw std::invalid_argument("pickup and dropoff places need one row per order");
    }
    c.pickup_zone = zones(pickup_zone, "pickup zones", c.n);
    c.dropoff_zone = zones(dropoff_zone, "dropoff zones", c.n);
    c.revenue = vector<double>(revenue, "revenue", c.n);
    if (!service_km.is_none()) c.service_km = vector<double>(service_km, "service distance", c.n);
    return c;
}

FleetCosts fleet_costs(const py::dict& params) {
    FleetCosts c;
    c.vehicle_cost = params["vehicle_cost"].cast<double>();
    c.deadhead_cost_per_km = params["deadhead_cost_per_km"].cast<double>();
    c.service_cost_per_km = params["service_cost_per_km"].cast<double>();
    if (!params["depot"].is_none()) {
        auto depot = params["depot"].cast<std::tuple<double, double, std::int32_t>>();
        c.has_depot = true;
        c.depot = Place{std::get<0>(depot), std::get<1>(depot), std::get<2>(depot)};
    }
    c.max_vehicles = params["max_vehicles"].cast<std::int64_t>();
    c.max_idle_s = params["max_idle_s"].cast<double>();
    return c;
}

void bind_chaining(py::module_& m) {
    py::class_<TripChainer>(m, "TripChainer")
        .def(py::init(&make_chainer), py::arg("travel"), py::arg("pickup_time"),
             py::arg("dropoff_time"), py::arg("pickup_xy"), py::arg("pickup_zone"),
             py::arg("dropoff_xy"), py::arg("dropoff_zone"), py::arg("revenue"),
             py::arg("service_km"), py::arg("params"), py::arg("latest_next") = py::none(),
             py::arg("no_start") = py::none())
        .def_property_readonly("size", &TripChainer::size)
        .def_property_readonly("scale", &TripChainer::scale)
        .def_property_readonly("fleet_limit", &TripChainer::fleet_limit)
        .def_property_readonly("arcs_in_model", &TripChainer::arcs_in_model)
        .def_property_readonly("arcs_priced", &TripChainer::arcs_priced)
        .def_property_readonly("pivots", &TripChainer::pivots)
        .def_property_readonly("auction_solves", &TripChainer::auction_solves)
        .def_property_readonly("auction_halved", &TripChainer::auction_halved)
        .def_property_readonly("pricing_bound", &TripChainer::pricing_bound)
        .def_property_readonly("scaled_objective",
                               [](const TripChainer& s) { return static_cast<double>(s.scaled_objective()); })
        .def(
            "set_start_links",
            [](TripChainer& self, const py::object& from, const py::object& to) {
                auto f = whole_vector<std::int32_t>(from, "from");
                auto t = whole_vector<std::int32_t>(to, "to", f.shape(0));
                return self.set_start_links(f.data(), t.data(), static_cast<std::size_t>(f.shape(0)));
            },
            py::arg("from"), py::arg("to"))
        .def("add_candidate_arcs", &TripChainer::add_candidate_arcs, py::arg("time_limit"),
             py::call_guard<py::gil_scoped_release>())
        .def(
            "solve_flow",
            [](TripChainer& self, double time_limit) {
                FlowStatus status;
                {
                    py::gil_scoped_release release;
                    status = self.solve_flow(time_limit);
                }
                return std::string(flow_status_name(status));
            },
            py::arg("time_limit"))
        .def(
            "price",
            [](TripChainer& self, double time_limit) {
                bool complete = false;
                std::int64_t added;
                {
                    py::gil_scoped_release release;
                    added = self.price(time_limit, complete);
                }
                return py::make_tuple(added, complete);
            },
            py::arg("time_limit"))
        .def(
            "all_pairs",
            [](const TripChainer& self, std::int64_t max_pairs) {
                std::vector<PairArc> arcs;
                {
                    py::gil_scoped_release release;
                    arcs = self.all_pairs(max_pairs);
                }
                const auto n = static_cast<py::ssize_t>(arcs.size());
                CArray<std::int32_t> from(n), to(n);
                CArray<std::int64_t> cost(n);
                for (py::ssize_t k = 0; k < n; ++k) {
                    from.mutable_data()[k] = arcs[static_cast<std::size_t>(k)].from;
                    to.mutable_data()[k] = arcs[static_cast<std::size_t>(k)].to;
                    cost.mutable_data()[k] = arcs[static_cast<std::size_t>(k)].cost;
                }
                return py::make_tuple(from, to, cost);
            },
            py::arg("max_pairs"))
        .def("base_arcs",
             [](const TripChainer& self) {
                 const auto& arcs = self.base_arcs();
                 const auto n = static_cast<py::ssize_t>(arcs.size());
                 CArray<std::int32_t> tail(n), head(n);
                 CArray<std::int64_t> lower(n), upper(n), cost(n);
                 for (py::ssize_t k = 0; k < n; ++k) {
                     const auto& a = arcs[static_cast<std::size_t>(k)];
                     tail.mutable_data()[k] = a.tail;
                     head.mutable_data()[k] = a.head;
                     lower.mutable_data()[k] = a.lower;
                     upper.mutable_data()[k] = a.upper;
                     cost.mutable_data()[k] = a.cost;
                 }
                 return py::make_tuple(tail, head, lower, upper, cost);
             })
        .def(
            "pair_costs",
            [](const TripChainer& self, const py::object& from, const py::object& to) {
                auto f = vector<std::int32_t>(from, "from");
                auto t = vector<std::int32_t>(to, "to", f.shape(0));
                CArray<double> out(f.shape(0));
                const auto n = static_cast<std::int32_t>(self.size());
                for (py::ssize_t k = 0; k < f.shape(0); ++k) {
                    if (f.at(k) < 0 || f.at(k) >= n || t.at(k) < 0 || t.at(k) >= n) {
                        throw std::out_of_range("order index out of range");
                    }
                    out.mutable_data()[k] = self.pair_cost(f.at(k), t.at(k));
                }
                return out;
            },
            py::arg("from"), py::arg("to"))
        .def("supplies",
             [](const TripChainer& self) {
                 const auto nodes = static_cast<std::int32_t>(2 * self.size() + 2);
                 CArray<std::int64_t> out(nodes);
                 for (std::int32_t u = 0; u < nodes; ++u) out.mutable_data()[u] = self.supply(u);
                 return out;
             })
        .def("compatible", &TripChainer::compatible, py::arg("i"), py::arg("j"))
        .def("successor", [](const TripChainer& s) { return to_array(s.successor()); })
        .def("served", [](const TripChainer& s) { return to_array(s.served()); })
        .def("starts_chain", [](const TripChainer& s) { return to_array(s.starts_chain()); })
        .def("potentials", [](const TripChainer& s) { return to_array(s.potentials()); })
        .def("cost_terms", [](const TripChainer& s) {
            const auto n = static_cast<std::int32_t>(s.size());
            std::vector<double> start(s.size()), end(s.size()), service(s.size()), km(s.size());
            for (std::int32_t i = 0; i < n; ++i) {
                start[static_cast<std::size_t>(i)] = s.start_cost(i);
                end[static_cast<std::size_t>(i)] = s.end_cost(i);
                service[static_cast<std::size_t>(i)] = s.service_cost(i);
                km[static_cast<std::size_t>(i)] = s.service_km(i);
            }
            return py::make_tuple(to_array(start), to_array(end), to_array(service), to_array(km));
        });
}

}  // namespace shareopt::bind
