// Bike rebalancing: integer transfer costs and the pricing of giver -> taker pairs.
#include "shareopt/transfers.hpp"

#include "common.hpp"

namespace shareopt::bind {

namespace {

std::vector<std::int32_t> to_vector(const CArray<std::int32_t>& array) {
    return {array.data(), array.data() + array.shape(0)};
}

}  // namespace

void bind_rebalance(py::module_& m) {
    m.attr("TRANSFER_TIE") = TransferCosts::kTransferTie;
    m.def(
        "transfer_costs",
        [](const TravelModel& travel, const py::object& places, const py::object& tail, const py::object& head,
           double scale, double handling) {
            auto xy = points(places, "places");
            auto t = vector<std::int32_t>(tail, "tail");
            auto h = vector<std::int32_t>(head, "head", t.shape(0));
            const TransferCosts costs(travel, xy.data(), static_cast<std::int32_t>(xy.shape(0)), scale, handling);
            const auto out = costs.costs(to_vector(t), to_vector(h));
            CArray<std::int64_t> result(static_cast<py::ssize_t>(out.size()));
            std::copy(out.begin(), out.end(), result.mutable_data());
            return result;
        },
        py::arg("travel"), py::arg("places"), py::arg("tail"), py::arg("head"), py::arg("scale"),
        py::arg("handling"));
    m.def(
        "price_transfers",
        [](const TravelModel& travel, const py::object& places, const py::object& givers, const py::object& takers,
           const py::object& potentials, double scale, double handling, std::int32_t per_taker,
           std::int64_t tolerance) {
            auto xy = points(places, "places");
            const auto n = static_cast<std::int32_t>(xy.shape(0));
            auto g = to_vector(vector<std::int32_t>(givers, "givers"));
            auto t = to_vector(vector<std::int32_t>(takers, "takers"));
            auto p = vector<std::int64_t>(potentials, "potentials");
            if (p.shape(0) < n) throw std::invalid_argument("potentials: one per station at least");
            std::vector<std::int64_t> pi(p.data(), p.data() + p.shape(0));
            PricedTransfers priced;
            {
                py::gil_scoped_release release;
                const TransferCosts costs(travel, xy.data(), n, scale, handling);
                priced = price_transfers(costs, g, t, pi, per_taker, tolerance);
            }
            const auto size = static_cast<py::ssize_t>(priced.tail.size());
            CArray<std::int32_t> tail(size), head(size);
            CArray<std::int64_t> cost(size);
            std::copy(priced.tail.begin(), priced.tail.end(), tail.mutable_data());
            std::copy(priced.head.begin(), priced.head.end(), head.mutable_data());
            std::copy(priced.cost.begin(), priced.cost.end(), cost.mutable_data());
            return py::make_tuple(tail, head, cost, priced.pairs_priced);
        },
        py::arg("travel"), py::arg("places"), py::arg("givers"), py::arg("takers"), py::arg("potentials"),
        py::arg("scale"), py::arg("handling"), py::arg("per_taker"), py::arg("tolerance") = 0);
}

}  // namespace shareopt::bind
