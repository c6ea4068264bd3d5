// Charging ports: failure curves by replay, one station's replay, and the network simulation.
#include "shareopt/charging.hpp"

#include "common.hpp"

namespace shareopt::bind {

namespace {

template <typename T>
std::vector<T> to_vector(const py::object& obj, const char* name, py::ssize_t n = -1) {
    auto array = std::is_integral_v<T> ? whole_vector<T>(obj, name, n) : vector<T>(obj, name, n);
    return {array.data(), array.data() + array.shape(0)};
}

template <typename T>
CArray<T> to_array(const std::vector<T>& values) {
    CArray<T> out(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

py::dict network_log(const NetworkLog& log) {
    py::dict out;
    out["served"] = to_array(log.served);
    out["served_time"] = to_array(log.served_time);
    out["served_car"] = to_array(log.served_car);
    out["park_car"] = to_array(log.park_car);
    out["park_station"] = to_array(log.park_station);
    out["park_source"] = to_array(log.park_source);
    out["park_time"] = to_array(log.park_time);
    out["park_expiry"] = to_array(log.park_expiry);
    out["park_charge"] = to_array(log.park_charge);
    out["parked"] = to_array(log.parked);
    out["parked_time"] = to_array(log.parked_time);
    out["park_order"] = to_array(log.park_order);
    out["session_car"] = to_array(log.session_car);
    out["session_station"] = to_array(log.session_station);
    out["session_in"] = to_array(log.session_in);
    out["session_charge_in"] = to_array(log.session_charge_in);
    out["session_out"] = to_array(log.session_out);
    out["session_charge_out"] = to_array(log.session_charge_out);
    return out;
}

}  // namespace

void bind_charging(py::module_& m) {
    m.def(
        "port_failure_curves",
        [](const py::object& offsets, const py::object& time, const py::object& expiry, const py::object& charge,
           const py::object& kind, const py::object& initial_offsets, const py::object& initial_charge, double start,
           const py::object& ports, const py::object& rate, const py::object& added_max, int threads) {
            auto off = whole_vector<std::int64_t>(offsets, "offsets");
            const py::ssize_t n = off.shape(0) - 1;
            if (n < 0) throw std::invalid_argument("offsets must have n_stations + 1 entries");
            if (off.at(0) != 0 || off.at(n) < 0) throw std::invalid_argument("offsets must start at 0 and not decrease");
            const py::ssize_t events = off.at(n);
            auto t = vector<double>(time, "time", events);
            auto e = vector<double>(expiry, "expiry", events);
            auto c = vector<double>(charge, "charge", events);
            auto k = whole_vector<std::int8_t>(kind, "kind", events);
            auto ioff = whole_vector<std::int64_t>(initial_offsets, "initial_offsets", n + 1);
            if (ioff.at(0) != 0 || ioff.at(n) < 0) throw std::invalid_argument("initial_offsets must start at 0 and not decrease");
            auto ic = vector<double>(initial_charge, "initial_charge", ioff.at(n));
            auto p = whole_vector<std::int32_t>(ports, "ports", n);
            auto r = vector<double>(rate, "rate", n);
            auto a = whole_vector<std::int32_t>(added_max, "added_max", n);
            FailureCurves curves;
            {
                py::gil_scoped_release release;
                curves = failure_curves(off.data(), t.data(), e.data(), c.data(), k.data(), ioff.data(), ic.data(),
                                        start, n, p.data(), r.data(), a.data(), threads);
            }
            auto car = to_array(curves.car), park = to_array(curves.park);
            car.resize({curves.stations, curves.width});
            park.resize({curves.stations, curves.width});
            return py::make_tuple(car, park);
        },
        py::arg("offsets"), py::arg("time"), py::arg("expiry"), py::arg("charge"), py::arg("kind"),
        py::arg("initial_offsets"), py::arg("initial_charge"), py::arg("start"), py::arg("ports"), py::arg("rate"),
        py::arg("added_max"), py::arg("threads"));

    m.def(
        "replay_ports",
        [](const py::object& time, const py::object& expiry, const py::object& charge, const py::object& kind,
           const py::object& initial_charge, double start, std::int32_t ports, double rate) {
            auto t = vector<double>(time, "time");
            const py::ssize_t n = t.shape(0);
            auto e = vector<double>(expiry, "expiry", n);
            auto c = vector<double>(charge, "charge", n);
            auto k = whole_vector<std::int8_t>(kind, "kind", n);
            auto ic = vector<double>(initial_charge, "initial_charge");
            PortEvents events{t.data(), e.data(), c.data(), k.data(), n, ic.data(), ic.shape(0), start};
            check_port_events(events, 0);
            if (ic.shape(0) > ports) throw std::invalid_argument("more cars plugged at the start than ports");
            CArray<std::int8_t> served(n);
            CArray<double> served_time(n);
            ReplayCounts counts;
            {
                py::gil_scoped_release release;
                counts = replay_station(events, ports, rate, served.mutable_data(), served_time.mutable_data());
            }
            return py::make_tuple(counts.car_failures, counts.park_failures, served, served_time);
        },
        py::arg("time"), py::arg("expiry"), py::arg("charge"), py::arg("kind"), py::arg("initial_charge"),
        py::arg("start"), py::arg("ports"), py::arg("rate"));

    m.def(
        "simulate_charging_network",
        [](const py::object& ports, const py::object& rate, const py::object& car_station,
           const py::object& car_charge, const py::object& request_time, const py::object& request_expiry,
           const py::object& need, const py::object& use, const py::object& trip_seconds, const py::object& origin,
           const py::object& destination, double start, double end, double park_patience, double depot_delay) {
            NetworkInput in;
            in.ports = to_vector<std::int32_t>(ports, "ports");
            const auto n = static_cast<py::ssize_t>(in.ports.size());
            in.rate_per_second = to_vector<double>(rate, "rate", n);
            in.car_station = to_vector<std::int32_t>(car_station, "car_station");
            in.car_charge = to_vector<double>(car_charge, "car_charge", static_cast<py::ssize_t>(in.car_station.size()));
            in.request_time = to_vector<double>(request_time, "request_time");
            const auto m_ = static_cast<py::ssize_t>(in.request_time.size());
            in.request_expiry = to_vector<double>(request_expiry, "request_expiry", m_);
            in.need = to_vector<double>(need, "need", m_);
            in.use = to_vector<double>(use, "use", m_);
            in.trip_seconds = to_vector<double>(trip_seconds, "trip_seconds", m_);
            in.origin = to_vector<std::int32_t>(origin, "origin", m_);
            in.destination = to_vector<std::int32_t>(destination, "destination", m_);
            in.start = start;
            in.end = end;
            in.park_patience = park_patience;
            in.depot_delay = depot_delay;
            NetworkLog log;
            {
                py::gil_scoped_release release;
                log = simulate_network(in);
            }
            return network_log(log);
        },
        py::arg("ports"), py::arg("rate"), py::arg("car_station"), py::arg("car_charge"), py::arg("request_time"),
        py::arg("request_expiry"), py::arg("need"), py::arg("use"), py::arg("trip_seconds"), py::arg("origin"),
        py::arg("destination"), py::arg("start"), py::arg("end"), py::arg("park_patience"), py::arg("depot_delay"));
}

}  // namespace shareopt::bind
