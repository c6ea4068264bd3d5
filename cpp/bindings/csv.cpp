#include "shareopt/csv.hpp"

#include <pybind11/stl.h>

#include "common.hpp"

namespace shareopt::bind {

namespace {

template <typename T>
py::array_t<T> to_array(std::vector<T>&& values) {
    // Move the vector onto the heap and let the array own it: no copy of large columns.
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free_when_done);
}

std::vector<csv::ColumnSpec> specs(const std::vector<std::size_t>& columns,
                                   const std::vector<std::string>& kinds) {
    if (columns.size() != kinds.size()) {
        throw std::invalid_argument("columns and kinds differ in length");
    }
    std::vector<csv::ColumnSpec> out;
    out.reserve(columns.size());
    for (std::size_t k = 0; k < columns.size(); ++k) {
        out.push_back({columns[k], csv::kind_from_name(kinds[k])});
    }
    return out;
}

char delimiter_of(const std::string& delimiter) {
    if (delimiter.size() != 1) throw std::invalid_argument("delimiter must be one character");
    return delimiter[0];
}

// Text that is not valid UTF-8 (old files in Latin-1, stray bytes) is kept with U+FFFD
// replacement characters rather than failing the whole read.
py::list to_str_list(const std::vector<std::string>& strings) {
    py::list out(strings.size());
    for (std::size_t i = 0; i < strings.size(); ++i) {
        PyObject* text = PyUnicode_DecodeUTF8(strings[i].data(),
                                              static_cast<Py_ssize_t>(strings[i].size()), "replace");
        if (text == nullptr) throw py::error_already_set();
        out[i] = py::reinterpret_steal<py::object>(text);
    }
    return out;
}

py::dict to_python(csv::Table&& table) {
    py::dict out;
    out["line"] = to_array(std::move(table.line));
    out["n_fields"] = to_array(std::move(table.n_fields));
    py::list columns;
    for (csv::Column& column : table.columns) {
        switch (column.kind) {
            case csv::Kind::Float:
            case csv::Kind::DateTime: columns.append(to_array(std::move(column.values))); break;
            case csv::Kind::Int: columns.append(to_array(std::move(column.ints))); break;
            case csv::Kind::String: columns.append(to_str_list(column.strings)); break;
        }
    }
    out["columns"] = columns;
    return out;
}

}  // namespace

void bind_csv(py::module_& m) {
    m.attr("MISSING_INT") = csv::kMissingInt;
    m.def(
        "read_csv",
        [](const std::string& path, const std::vector<std::size_t>& columns,
           const std::vector<std::string>& kinds, bool skip_header, const std::string& delimiter) {
            const auto spec = specs(columns, kinds);
            const char delim = delimiter_of(delimiter);
            csv::Table table;
            {
                py::gil_scoped_release release;
                table = csv::read_file(path, spec, skip_header, delim);
            }
            return to_python(std::move(table));
        },
        py::arg("path"), py::arg("columns"), py::arg("kinds"), py::arg("skip_header") = true,
        py::arg("delimiter") = ",",
        "Parse the given columns of a delimited file: dict(line, n_fields, columns).");
    m.def(
        "parse_csv",
        [](const py::bytes& data, const std::vector<std::size_t>& columns,
           const std::vector<std::string>& kinds, bool skip_header, const std::string& delimiter) {
            const auto spec = specs(columns, kinds);
            const char delim = delimiter_of(delimiter);
            std::string_view text = data;
            csv::Table table;
            {
                py::gil_scoped_release release;
                table = csv::parse(text, spec, skip_header, delim);
            }
            return to_python(std::move(table));
        },
        py::arg("data"), py::arg("columns"), py::arg("kinds"), py::arg("skip_header") = true,
        py::arg("delimiter") = ",", "Like read_csv, on bytes in memory.");
    m.def(
        "first_record",
        [](const py::bytes& data, const std::string& delimiter) {
            return to_str_list(csv::first_record(std::string_view(data), delimiter_of(delimiter)));
        },
        py::arg("data"), py::arg("delimiter") = ",", "Fields of the first non-blank record.");
    m.def(
        "parse_datetimes",
        [](const std::vector<std::string>& texts) {
            std::vector<double> out(texts.size());
            for (std::size_t i = 0; i < texts.size(); ++i) {
                double v;
                out[i] = csv::parse_datetime(texts[i], v) ? v : std::nan("");
            }
            return to_array(std::move(out));
        },
        py::arg("texts"), "Seconds since 1970-01-01 (naive) for each text; NaN when invalid.");
}

}  // namespace shareopt::bind
