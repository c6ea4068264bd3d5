// Field parsers of the CSV reader: numbers and civil date-times, strict and allocation-free.
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "shareopt/csv.hpp"

namespace shareopt::csv {

std::string_view trim(std::string_view s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
    return s.substr(b, e - b);
}

namespace {

// Reads 1..max_digits decimal digits at s[pos]; false if none.
bool read_digits(std::string_view s, std::size_t& pos, int min_digits, int max_digits,
                 int& out) {
    int value = 0;
    int count = 0;
    while (pos < s.size() && count < max_digits && s[pos] >= '0' && s[pos] <= '9') {
        value = value * 10 + (s[pos] - '0');
        ++pos;
        ++count;
    }
    out = value;
    return count >= min_digits;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// "HH:MM[:SS[.fff]]" from pos to the end; hour may have one digit.
bool parse_time_of_day(std::string_view s, std::size_t pos, double& seconds) {
    int hour = 0, minute = 0, second = 0;
    if (!read_digits(s, pos, 1, 2, hour) || !expect(s, pos, ':') ||
        !read_digits(s, pos, 2, 2, minute)) {
        return false;
    }
    double fraction = 0.0;
    if (expect(s, pos, ':')) {
        if (!read_digits(s, pos, 2, 2, second)) return false;
        if (expect(s, pos, '.')) {
            double scale = 0.1;
            std::size_t start = pos;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                fraction += (s[pos] - '0') * scale;
                scale *= 0.1;
                ++pos;
            }
            if (pos == start) return false;
        }
    }
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        // A UTC offset: valid forms are +HH, +HHMM and +HH:MM; the reading stays local.
        ++pos;
        int offset_hours = 0, offset_minutes = 0;
        if (!read_digits(s, pos, 2, 2, offset_hours) || offset_hours > 18) return false;
        const bool colon = expect(s, pos, ':');
        if ((colon || pos < s.size()) &&
            (!read_digits(s, pos, 2, 2, offset_minutes) || offset_minutes > 59)) {
            return false;
        }
    }
    if (pos != s.size()) return false;
    if (hour > 23 || minute > 59 || second > 60) return false;
    seconds = hour * 3600.0 + minute * 60.0 + second + fraction;
    return true;
}

}  // namespace

Kind kind_from_name(const std::string& name) {
    if (name == "float") return Kind::Float;
    if (name == "int") return Kind::Int;
    if (name == "datetime") return Kind::DateTime;
    if (name == "string") return Kind::String;
    throw std::invalid_argument("unknown column kind '" + name +
                                "': use 'float', 'int', 'datetime' or 'string'");
}

namespace {

// Plain decimals ("-12.345", ".5", "7") whose digits fit in 2^53: the mantissa and the power
// of ten are both exact doubles, so one division gives the correctly rounded value (Clinger's
// fast path). Anything else (exponents, long mantissas, "nan") goes to std::from_chars.
bool parse_plain_decimal(std::string_view s, double& out) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* p = s.data();
    const char* const end = p + s.size();
    const bool negative = *p == '-';
    p += negative;
    std::uint64_t mantissa = 0;
    const char* const digits = p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10u) {
        mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
        ++p;
    }
    std::ptrdiff_t decimals = 0;
    const bool point = p < end && *p == '.';
    if (point) {
        const char* const fraction = ++p;
        while (p < end && static_cast<unsigned>(*p - '0') < 10u) {
            mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
            ++p;
        }
        decimals = p - fraction;
    }
    const std::ptrdiff_t n_digits = (p - digits) - (point ? 1 : 0);
    // 19 digits cannot overflow 64 bits; 2^53 keeps the mantissa exact.
    if (p != end || n_digits <= 0 || n_digits > 19 || decimals > 22 ||
        mantissa > (std::uint64_t{1} << 53)) {
        return false;
    }
    double value = static_cast<double>(mantissa);
    if (decimals > 0) value /= kPow10[decimals];
    out = negative ? -value : value;
    return true;
}

}  // namespace

bool parse_double(std::string_view text, double& out) {
    std::string_view s = trim(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    if (parse_plain_decimal(s, out)) return true;
    const auto result = std::from_chars(s.data(), s.data() + s.size(), out);
    return result.ec == std::errc() && result.ptr == s.data() + s.size();
}

bool parse_int(std::string_view text, std::int64_t& out) {
    std::string_view s = trim(text);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    const char* const end = s.data() + s.size();
    const auto result = std::from_chars(s.data(), end, out);
    if (result.ec != std::errc() || out == kMissingInt) return false;
    const char* rest = result.ptr;
    if (rest != end && *rest == '.') {  // "12.000": a float column holding whole numbers
        ++rest;
        while (rest != end && *rest == '0') ++rest;
    }
    return rest == end;
}

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    // Howard Hinnant's algorithm: exact for every proleptic Gregorian date.
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool parse_datetime(std::string_view text, double& seconds_since_epoch) {
    const std::string_view s = trim(text);
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0;
    if (s.size() >= 5 && s[4] == '-') {
        if (!read_digits(s, pos, 4, 4, year) || !expect(s, pos, '-') ||
            !read_digits(s, pos, 1, 2, month) || !expect(s, pos, '-') ||
            !read_digits(s, pos, 1, 2, day)) {
            return false;
        }
    } else {
        if (!read_digits(s, pos, 1, 2, month) || !expect(s, pos, '/') ||
            !read_digits(s, pos, 1, 2, day) || !expect(s, pos, '/') ||
            !read_digits(s, pos, 4, 4, year)) {
            return false;
        }
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
    double time_of_day = 0.0;
    if (pos < s.size()) {
        if (s[pos] != ' ' && s[pos] != 'T') return false;
        ++pos;
        if (!parse_time_of_day(s, pos, time_of_day)) return false;
    }
    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    seconds_since_epoch = static_cast<double>(days) * 86400.0 + time_of_day;
    return true;
}

}  // namespace shareopt::csv
