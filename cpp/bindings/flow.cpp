#include <algorithm>

#include "shareopt/network_simplex.hpp"

#include "common.hpp"

namespace shareopt::bind {

void bind_flow(py::module_& m) {
    m.def("cost_scale", &cost_scale, py::arg("max_abs_cost"), py::arg("num_nodes"));

    py::class_<NetworkSimplex>(m, "NetworkSimplex")
        .def(py::init<std::int32_t>(), py::arg("num_nodes"))
        .def_property_readonly("num_nodes", &NetworkSimplex::num_nodes)
        .def_property_readonly("num_arcs", &NetworkSimplex::num_arcs)
        .def_property_readonly("pivots", &NetworkSimplex::pivots)
        .def_readonly_static("INFINITY", &NetworkSimplex::kInfinity)
        .def(
            "set_supplies",
            [](NetworkSimplex& self, const py::object& supply) {
                auto s = vector<std::int64_t>(supply, "supply", self.num_nodes());
                for (std::int32_t u = 0; u < self.num_nodes(); ++u) self.set_supply(u, s.at(u));
            },
            py::arg("supply"))
        .def("set_cost_bound", &NetworkSimplex::set_cost_bound, py::arg("max_abs_cost"))
        .def("set_near_scans", &NetworkSimplex::set_near_scans, py::arg("on"))
        .def(
            "start_from_tree",
            [](NetworkSimplex& self, const py::object& parent_arc, const py::object& at_upper, bool repair) {
                auto p = vector<std::int64_t>(parent_arc, "parent_arc", self.num_nodes());
                std::vector<std::int64_t> tree(p.data(), p.data() + p.shape(0)), upper;
                if (!at_upper.is_none()) {
                    auto u = vector<std::int64_t>(at_upper, "at_upper");
                    upper.assign(u.data(), u.data() + u.shape(0));
                }
                py::gil_scoped_release release;
                return self.start_from_tree(tree, upper, repair);
            },
            py::arg("parent_arc"), py::arg("at_upper") = py::none(), py::arg("repair") = false)
        .def("basis",
             [](const NetworkSimplex& self) {
                 std::vector<std::int64_t> tree, upper;
                 self.basis(tree, upper);
                 CArray<std::int64_t> tree_out(static_cast<py::ssize_t>(tree.size()));
                 CArray<std::int64_t> upper_out(static_cast<py::ssize_t>(upper.size()));
                 std::copy(tree.begin(), tree.end(), tree_out.mutable_data());
                 std::copy(upper.begin(), upper.end(), upper_out.mutable_data());
                 return py::make_tuple(tree_out, upper_out);
             })
        .def(
            "add_arcs",
            [](NetworkSimplex& self, const py::object& tail, const py::object& head,
               const py::object& lower, const py::object& upper, const py::object& cost) {
                auto t = vector<std::int32_t>(tail, "tail");
                const py::ssize_t n = t.shape(0);
                auto h = vector<std::int32_t>(head, "head", n);
                auto lo = vector<std::int64_t>(lower, "lower", n);
                auto up = vector<std::int64_t>(upper, "upper", n);
                auto c = vector<std::int64_t>(cost, "cost", n);
                self.reserve_arcs(self.num_arcs() + n);
                for (py::ssize_t a = 0; a < n; ++a) {
                    self.add_arc(t.at(a), h.at(a), lo.at(a), up.at(a), c.at(a));
                }
            },
            py::arg("tail"), py::arg("head"), py::arg("lower"), py::arg("upper"), py::arg("cost"))
        .def(
            "solve",
            [](NetworkSimplex& self, double time_limit) {
                FlowStatus status;
                {
                    py::gil_scoped_release release;
                    status = self.solve(time_limit);
                }
                return std::string(flow_status_name(status));
            },
            py::arg("time_limit") = std::numeric_limits<double>::infinity())
        .def("flows",
             [](const NetworkSimplex& self) {
                 CArray<std::int64_t> out(self.num_arcs());
                 auto* o = out.mutable_data();
                 for (std::int64_t a = 0; a < self.num_arcs(); ++a) o[a] = self.flow(a);
                 return out;
             })
        .def("potentials",
             [](const NetworkSimplex& self) {
                 CArray<std::int64_t> out(self.num_nodes());
                 auto* o = out.mutable_data();
                 for (std::int32_t u = 0; u < self.num_nodes(); ++u) {
                     o[u] = self.started() ? self.potential(u) : 0;
                 }
                 return out;
             })
        .def("reduced_costs", [](const NetworkSimplex& self) {
            CArray<std::int64_t> out(self.num_arcs());
            auto* o = out.mutable_data();
            for (std::int64_t a = 0; a < self.num_arcs(); ++a) o[a] = self.reduced_cost(a);
            return out;
        });
}

}  // namespace shareopt::bind
