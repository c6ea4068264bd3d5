// A fast reader for the delimited tables shareopt loads (orders, TLC trip files, stations).
//
// It parses only the requested columns, into typed arrays, and never throws on a bad field:
// an empty or unparseable field becomes NaN (floats, times) or kMissingInt (integers), so the
// caller's validation can name the offending rows. Quoted fields (RFC 4180, with "" escapes and
// embedded newlines), CRLF line ends, a UTF-8 byte-order mark and blank lines are handled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace shareopt::csv {

enum class Kind : int { Float = 0, Int = 1, DateTime = 2, String = 3 };

Kind kind_from_name(const std::string& name);

inline constexpr std::int64_t kMissingInt = std::numeric_limits<std::int64_t>::min();

// Requested column indices must stay below this (a guard against absurd requests).
inline constexpr std::size_t kMaxColumns = std::size_t{1} << 16;

struct ColumnSpec {
    std::size_t index;  // position of the field in a record, 0-based
    Kind kind;
};

// One parsed column; only the vector matching its kind is filled.
struct Column {
    Kind kind;
    std::vector<double> values;         // Float, DateTime (seconds since 1970-01-01, naive)
    std::vector<std::int64_t> ints;     // Int
    std::vector<std::string> strings;   // String
};

struct Table {
    std::vector<std::int64_t> line;     // 1-based line in the source where each record starts
    std::vector<std::int32_t> n_fields; // fields in each record; -1: broken by an open quote
    std::vector<Column> columns;        // in the order requested
    std::size_t size() const { return line.size(); }
};

// Parse text; skip_header drops the first non-blank record.
Table parse(std::string_view text, const std::vector<ColumnSpec>& columns, bool skip_header,
            char delimiter = ',');

// Read a whole file and parse it. Throws std::runtime_error when the file cannot be read.
Table read_file(const std::string& path, const std::vector<ColumnSpec>& columns,
                bool skip_header, char delimiter = ',');

// The fields of the first non-blank record (the header), unquoted and trimmed.
std::vector<std::string> first_record(std::string_view text, char delimiter = ',');

// Without the spaces and tabs at either end.
std::string_view trim(std::string_view s);

// Field parsers, exposed for tests. Each returns false when the text is not a valid value.
bool parse_double(std::string_view text, double& out);
// Integers; "12.0" and "12.000" (as pandas writes float ids) count as 12.
bool parse_int(std::string_view text, std::int64_t& out);
// "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|+HH:MM|-HHMM|+HH]" or "MM/DD/YYYY HH:MM[:SS]"; time of day
// optional. A UTC offset is accepted and ignored: the wall-clock reading is what counts.
bool parse_datetime(std::string_view text, double& seconds_since_epoch);

// Days from 1970-01-01 to a proleptic Gregorian civil date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

}  // namespace shareopt::csv
