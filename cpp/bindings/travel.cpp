#include "shareopt/travel.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace shareopt::bind {

void bind_travel(py::module_& m) {
    py::class_<TravelModel>(m, "TravelModel")
        .def(py::init([](const std::string& metric, double detour, std::vector<double> speeds) {
                 return TravelModel(metric_from_name(metric), detour, std::move(speeds));
             }),
             py::arg("metric"), py::arg("detour"), py::arg("speeds_kmh"))
        .def(
            "set_zone_matrix",
            [](TravelModel& self, const py::object& distance_km, const py::object& time_s) {
                auto dist = CArray<double>::ensure(distance_km);
                auto time = CArray<double>::ensure(time_s);
                if (!dist || !time || dist.ndim() != 2 || dist.shape(0) != dist.shape(1) ||
                    time.ndim() != 2 || time.shape(0) != dist.shape(0) ||
                    time.shape(1) != dist.shape(1)) {
                    throw std::invalid_argument(
                        "zone distance and time must be square arrays of the same shape");
                }
                const auto n = static_cast<std::int32_t>(dist.shape(0));
                self.set_zone_matrix(n, std::vector<double>(dist.data(), dist.data() + dist.size()),
                                     std::vector<double>(time.data(), time.data() + time.size()));
            },
            py::arg("distance_km"), py::arg("time_s"))
        .def("clear_zone_matrix", &TravelModel::clear_zone_matrix)
        .def_property_readonly("metric", [](const TravelModel& s) { return metric_name(s.metric()); })
        .def_property_readonly("detour", &TravelModel::detour)
        .def_property_readonly("speeds_kmh", &TravelModel::speeds_kmh)
        .def_property_readonly("n_zones", &TravelModel::n_zones)
        .def(
            "pair_distance",
            [](const TravelModel& self, const py::object& a, const py::object& a_zone,
               const py::object& b, const py::object& b_zone) {
                auto a_xy = points(a, "origins");
                const py::ssize_t n = a_xy.shape(0);
                auto b_xy = points(b, "destinations");
                if (b_xy.shape(0) != n) throw std::invalid_argument("origins and destinations differ in length");
                auto za = zones(a_zone, "origin zones", n);
                auto zb = zones(b_zone, "destination zones", n);
                CArray<double> out(n);
                {
                    py::gil_scoped_release release;
                    self.pair_distance(static_cast<std::size_t>(n), a_xy.data(), data_or_null(za),
                                       b_xy.data(), data_or_null(zb), out.mutable_data());
                }
                return out;
            },
            py::arg("a"), py::arg("a_zone"), py::arg("b"), py::arg("b_zone"))
        .def(
            "pair_time",
            [](const TravelModel& self, const py::object& depart, const py::object& a,
               const py::object& a_zone, const py::object& b, const py::object& b_zone) {
                auto a_xy = points(a, "origins");
                const py::ssize_t n = a_xy.shape(0);
                auto b_xy = points(b, "destinations");
                if (b_xy.shape(0) != n) throw std::invalid_argument("origins and destinations differ in length");
                auto dep = vector<double>(depart, "departure times", n);
                auto za = zones(a_zone, "origin zones", n);
                auto zb = zones(b_zone, "destination zones", n);
                CArray<double> out(n);
                {
                    py::gil_scoped_release release;
                    self.pair_time(static_cast<std::size_t>(n), dep.data(), a_xy.data(),
                                   data_or_null(za), b_xy.data(), data_or_null(zb),
                                   out.mutable_data());
                }
                return out;
            },
            py::arg("depart_s"), py::arg("a"), py::arg("a_zone"), py::arg("b"), py::arg("b_zone"))
        .def(
            "matrix_distance",
            [](const TravelModel& self, const py::object& a, const py::object& a_zone,
               const py::object& b, const py::object& b_zone) {
                auto a_xy = points(a, "origins");
                auto b_xy = points(b, "destinations");
                const py::ssize_t n_a = a_xy.shape(0);
                const py::ssize_t n_b = b_xy.shape(0);
                auto za = zones(a_zone, "origin zones", n_a);
                auto zb = zones(b_zone, "destination zones", n_b);
                CArray<double> out({n_a, n_b});
                {
                    py::gil_scoped_release release;
                    self.matrix_distance(static_cast<std::size_t>(n_a), a_xy.data(),
                                         data_or_null(za), static_cast<std::size_t>(n_b),
                                         b_xy.data(), data_or_null(zb), out.mutable_data());
                }
                return out;
            },
            py::arg("a"), py::arg("a_zone"), py::arg("b"), py::arg("b_zone"))
        .def(
            "drive_time",
            [](const TravelModel& self, const py::object& depart, const py::object& distance) {
                auto dist = vector<double>(distance, "distances");
                auto dep = vector<double>(depart, "departure times", dist.shape(0));
                CArray<double> out(dist.shape(0));
                const double* d = dist.data();
                const double* t = dep.data();
                double* o = out.mutable_data();
                const auto n = static_cast<std::size_t>(dist.shape(0));
                {
                    py::gil_scoped_release release;
                    for (std::size_t i = 0; i < n; ++i) o[i] = self.drive_time(t[i], d[i]);
                }
                return out;
            },
            py::arg("depart_s"), py::arg("distance_km"));

    m.def(
        "haversine_km",
        [](const py::object& a, const py::object& b) {
            auto a_ll = points(a, "a");
            auto b_ll = points(b, "b");
            if (a_ll.shape(0) != b_ll.shape(0)) throw std::invalid_argument("a and b differ in length");
            CArray<double> out(a_ll.shape(0));
            const double* pa = a_ll.data();
            const double* pb = b_ll.data();
            double* o = out.mutable_data();
            for (py::ssize_t i = 0; i < a_ll.shape(0); ++i) {
                o[i] = haversine_km(pa[2 * i], pa[2 * i + 1], pb[2 * i], pb[2 * i + 1]);
            }
            return out;
        },
        py::arg("a"), py::arg("b"), "Great-circle km between rows of (lon, lat) degrees.");
}

}  // namespace shareopt::bind
