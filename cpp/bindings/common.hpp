// Shared helpers for the binding files: array checks that raise ValueError with a clear text.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "shareopt/fleet_costs.hpp"

namespace shareopt::bind {

namespace py = pybind11;

template <typename T>
using CArray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// An (n, 2) float64 array of coordinates.
inline CArray<double> points(const py::handle& obj, const char* name) {
    auto array = CArray<double>::ensure(obj);
    if (!array || array.ndim() != 2 || array.shape(1) != 2) {
        throw std::invalid_argument(std::string(name) + " must be an array of shape (n, 2)");
    }
    return array;
}

// A 1-d array of length n (or any length when n < 0).
template <typename T>
CArray<T> vector(const py::handle& obj, const char* name, py::ssize_t n = -1) {
    auto array = CArray<T>::ensure(obj);
    if (!array || array.ndim() != 1 || (n >= 0 && array.shape(0) != n)) {
        throw std::invalid_argument(std::string(name) + " must be a 1-d array" +
                                    (n >= 0 ? " of length " + std::to_string(n) : std::string()));
    }
    return array;
}

// A 1-d array of whole numbers, refused (not silently cast) when its values are not whole
// or do not fit T.
template <typename T>
CArray<T> whole_vector(const py::handle& obj, const char* name, py::ssize_t n = -1) {
    auto given = py::array::ensure(obj);
    if (!given) throw std::invalid_argument(std::string(name) + " must be an array");
    auto cast = vector<T>(given, name, n);
    const char kind = given.dtype().kind();
    const bool same = (kind == 'i' || kind == 'u' || kind == 'b') && given.itemsize() <= static_cast<py::ssize_t>(sizeof(T)) &&
                      (kind != 'u' || given.itemsize() < static_cast<py::ssize_t>(sizeof(T)) || std::is_unsigned_v<T>);
    if (!same && !py::cast<bool>(given.attr("__eq__")(cast).attr("all")())) {
        throw std::invalid_argument(std::string(name) + " must hold whole numbers that fit " +
                                    std::to_string(8 * sizeof(T)) + "-bit integers");
    }
    return cast;
}

// Optional zone ids: None gives nullptr-backed std::nullopt.
inline std::optional<CArray<std::int32_t>> zones(const py::object& obj, const char* name,
                                                 py::ssize_t n) {
    if (obj.is_none()) return std::nullopt;
    return vector<std::int32_t>(obj, name, n);
}

template <typename T>
const T* data_or_null(const std::optional<CArray<T>>& array) {
    return array ? array->data() : nullptr;
}

// The fleet cost fields of a parameter dict (shareopt.chaining.chain_params).
FleetCosts fleet_costs(const py::dict& params);

// The columns of an order table, checked once (n rows each; zones and service km optional).
struct OrderColumns {
    CArray<double> pickup_time, dropoff_time, pickup_xy, dropoff_xy, revenue;
    std::optional<CArray<std::int32_t>> pickup_zone, dropoff_zone;
    std::optional<CArray<double>> service_km;
    py::ssize_t n = 0;
};
OrderColumns order_columns(const py::object& pickup_time, const py::object& dropoff_time,
                           const py::object& pickup_xy, const py::object& pickup_zone,
                           const py::object& dropoff_xy, const py::object& dropoff_zone,
                           const py::object& revenue, const py::object& service_km);

void bind_travel(py::module_& m);
void bind_csv(py::module_& m);
void bind_flow(py::module_& m);
void bind_chaining(py::module_& m);
void bind_dispatch(py::module_& m);
void bind_rebalance(py::module_& m);
void bind_charging(py::module_& m);

}  // namespace shareopt::bind
