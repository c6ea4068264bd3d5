#include "shareopt/csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace shareopt::csv {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Incremental record scanner over the text.
class Scanner {
public:
    // `simple`: the text has no quotes and only \n or \r\n line ends (see is_simple).
    Scanner(std::string_view text, char delimiter, bool simple, std::int64_t first_line = 1)
        : text_(text), delim_(delimiter), line_(first_line), simple_(simple) {
        if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
            static_cast<unsigned char>(text_[1]) == 0xBB &&
            static_cast<unsigned char>(text_[2]) == 0xBF) {
            pos_ = 3;
        }
    }

    // Without quotes and with only \n or \r\n line ends, records are lines and fields are
    // found without the quote-aware character loop: several times faster, and the text can
    // be cut at any line end into parts parsed in parallel.
    static bool is_simple(std::string_view text) {
        if (text.find('"') != std::string_view::npos) return false;
        for (std::size_t at = text.find('\r'); at != std::string_view::npos;
             at = text.find('\r', at + 1)) {
            if (at + 1 >= text.size() || text[at + 1] != '\n') return false;
        }
        return true;
    }

    bool done() const { return pos_ >= text_.size(); }
    std::int64_t line() const { return line_; }

    // Next field of the current record. Sets end_of_record when the record ends after it.
    // Quoted fields with "" escapes are unescaped into scratch.
    std::string_view next_field(bool& end_of_record) {
        if (simple_) return simple_field(end_of_record);
        end_of_record = false;
        if (pos_ < text_.size() && text_[pos_] == '"') return quoted_field(end_of_record);
        const std::size_t start = pos_;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == delim_) {
                ++pos_;
                return text_.substr(start, pos_ - 1 - start);
            }
            if (c == '\n' || c == '\r') {
                std::string_view field = text_.substr(start, pos_ - start);
                end_line();
                end_of_record = true;
                return field;
            }
            ++pos_;
        }
        end_of_record = true;
        return text_.substr(start);
    }

    // Whether a quote was left open: the record it started swallowed the rest of the text.
    bool unterminated() const { return unterminated_; }

    // Skip the rest of the current record; returns the number of fields skipped.
    std::size_t skip_record() {
        if (!simple_) {
            std::size_t skipped = 0;
            for (bool end = false; !end; ++skipped) next_field(end);
            return skipped;
        }
        const std::size_t stop = record_end();
        const std::size_t skipped =
            1 + static_cast<std::size_t>(std::count(text_.data() + pos_, text_.data() + stop, delim_));
        finish_record(stop);
        return skipped;
    }

private:
    std::size_t record_end() {
        if (!in_record_) {
            const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
            record_end_ = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text_.data())
                             : text_.size();
            in_record_ = true;
        }
        return record_end_;
    }

    void finish_record(std::size_t stop) {
        pos_ = stop + 1;  // past the \n (or past the end)
        in_record_ = false;
        ++line_;
    }

    std::string_view simple_field(bool& end_of_record) {
        const std::size_t stop = record_end();
        const std::size_t start = pos_;
        // Fields are short: a plain loop beats a memchr call here.
        const char* const data = text_.data();
        std::size_t at = start;
        while (at < stop && data[at] != delim_) ++at;
        if (at < stop) {
            pos_ = at + 1;
            end_of_record = false;
            return text_.substr(start, at - start);
        }
        std::size_t field_end = stop;
        if (field_end > start && text_[field_end - 1] == '\r') --field_end;
        finish_record(stop);
        end_of_record = true;
        return text_.substr(start, field_end - start);
    }

    void end_line() {
        if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        ++line_;
    }

    std::string_view quoted_field(bool& end_of_record) {
        ++pos_;  // opening quote
        scratch_.clear();
        bool closed = false;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '"') {
                if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
                    scratch_.push_back('"');
                    pos_ += 2;
                    continue;
                }
                ++pos_;  // closing quote; anything up to the delimiter is kept as text
                closed = true;
                break;
            }
            if (c == '\n') ++line_;
            scratch_.push_back(c);
            ++pos_;
        }
        if (!closed) unterminated_ = true;  // the quote ran to the end of the text
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == delim_) {
                ++pos_;
                return scratch_;
            }
            if (c == '\n' || c == '\r') {
                end_line();
                end_of_record = true;
                return scratch_;
            }
            scratch_.push_back(c);
            ++pos_;
        }
        end_of_record = true;
        return scratch_;
    }

    std::string_view text_;
    char delim_;
    std::size_t pos_ = 0;
    std::int64_t line_;
    std::string scratch_;
    bool simple_;
    bool unterminated_ = false;
    bool in_record_ = false;
    std::size_t record_end_ = 0;
};

void store(Column& column, std::string_view field) {
    switch (column.kind) {
        case Kind::Float: {
            double v;
            column.values.back() = parse_double(field, v) ? v : kNaN;
            break;
        }
        case Kind::DateTime: {
            double v;
            column.values.back() = parse_datetime(field, v) ? v : kNaN;
            break;
        }
        case Kind::Int: {
            std::int64_t v;
            column.ints.back() = parse_int(field, v) ? v : kMissingInt;
            break;
        }
        case Kind::String: column.strings.back() = std::string(trim(field)); break;
    }
}

void push_missing(Column& column) {
    switch (column.kind) {
        case Kind::Float:
        case Kind::DateTime: column.values.push_back(kNaN); break;
        case Kind::Int: column.ints.push_back(kMissingInt); break;
        case Kind::String: column.strings.emplace_back(); break;
    }
}

}  // namespace

namespace {

// Columns of one part of the text. Returns false in `header_done` when the header was still
// pending at the end of the part (only blank lines in it).
Table parse_part(std::string_view text, std::int64_t first_line, const std::vector<ColumnSpec>& columns,
                 const std::vector<int>& slot_of_field, bool skip_header, char delimiter,
                 bool simple, bool& header_done) {
    Table table;
    table.columns.reserve(columns.size());
    for (const ColumnSpec& spec : columns) table.columns.push_back(Column{spec.kind, {}, {}, {}});
    // Lines bound the records from above: reserving once avoids regrowing every column.
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    table.line.reserve(lines);
    table.n_fields.reserve(lines);
    for (Column& column : table.columns) {
        switch (column.kind) {
            case Kind::Float:
            case Kind::DateTime: column.values.reserve(lines); break;
            case Kind::Int: column.ints.reserve(lines); break;
            case Kind::String: column.strings.reserve(lines); break;
        }
    }

    const std::size_t width = slot_of_field.size();
    Scanner scanner(text, delimiter, simple, first_line);
    bool header_pending = skip_header;
    while (!scanner.done()) {
        const std::int64_t start_line = scanner.line();
        bool end = false;
        std::string_view first = scanner.next_field(end);
        if (end && trim(first).empty()) continue;  // blank line
        if (header_pending) {
            if (!end) scanner.skip_record();
            header_pending = false;
            continue;
        }
        table.line.push_back(start_line);
        for (Column& column : table.columns) push_missing(column);
        std::size_t field = 0;
        std::string_view value = first;
        while (true) {
            if (field < width && slot_of_field[field] >= 0) {
                store(table.columns[static_cast<std::size_t>(slot_of_field[field])], value);
            }
            ++field;
            if (end) break;
            if (field >= width) {  // nothing more wanted from this record
                field += scanner.skip_record();
                break;
            }
            value = scanner.next_field(end);
        }
        // -1 marks a record broken by an open quote: its fields cannot be trusted.
        table.n_fields.push_back(scanner.unterminated() ? -1 : static_cast<std::int32_t>(field));
    }
    header_done = !header_pending;
    return table;
}

template <typename T>
void append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from = std::vector<T>();
}

constexpr std::size_t kBytesPerThread = std::size_t{4} << 20;

}  // namespace

Table parse(std::string_view text, const std::vector<ColumnSpec>& columns, bool skip_header,
            char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
        throw std::invalid_argument("delimiter cannot be a quote or a line break");
    }
    std::size_t width = 0;
    for (const ColumnSpec& spec : columns) {
        if (spec.index >= kMaxColumns) {
            throw std::invalid_argument("column index " + std::to_string(spec.index) +
                                        " is beyond the " + std::to_string(kMaxColumns) +
                                        " columns a record may have");
        }
        width = std::max(width, spec.index + 1);
    }
    std::vector<int> slot_of_field(width, -1);
    for (std::size_t k = 0; k < columns.size(); ++k) {
        if (slot_of_field[columns[k].index] != -1) {
            throw std::invalid_argument("column " + std::to_string(columns[k].index) +
                                        " requested twice");
        }
        slot_of_field[columns[k].index] = static_cast<int>(k);
    }

    const bool simple = Scanner::is_simple(text);
    std::size_t n_parts = 1;
    if (simple) {
        const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
        n_parts = std::min(cores, std::max<std::size_t>(1, text.size() / kBytesPerThread));
    }
    // Cut at line ends; each part knows the line it starts on.
    std::vector<std::string_view> parts;
    std::vector<std::int64_t> first_lines;
    std::size_t begin = 0;
    std::int64_t line = 1;
    for (std::size_t k = 0; k < n_parts && begin < text.size(); ++k) {
        std::size_t end = text.size();
        if (k + 1 < n_parts) {
            end = text.find('\n', std::max(begin, text.size() * (k + 1) / n_parts));
            end = end == std::string_view::npos ? text.size() : end + 1;
        }
        parts.push_back(text.substr(begin, end - begin));
        first_lines.push_back(line);
        line += std::count(parts.back().begin(), parts.back().end(), '\n');
        begin = end;
    }
    if (parts.empty()) parts.push_back(text), first_lines.push_back(1);

    std::vector<Table> tables(parts.size());
    std::vector<char> header_done(parts.size(), 0);
    auto run = [&](std::size_t k) {
        bool done = false;
        tables[k] = parse_part(parts[k], first_lines[k], columns, slot_of_field,
                               skip_header && k == 0, delimiter, simple, done);
        header_done[k] = done;
    };
    std::vector<std::thread> workers;
    for (std::size_t k = 1; k < parts.size(); ++k) workers.emplace_back(run, k);
    run(0);
    for (std::thread& worker : workers) worker.join();
    if (parts.size() > 1 && skip_header && !header_done[0]) {
        // The first part held only blank lines: the header lies further on. Rare; go serial.
        bool done = false;
        return parse_part(text, 1, columns, slot_of_field, skip_header, delimiter, simple, done);
    }

    Table table = std::move(tables[0]);
    std::size_t total = 0;
    for (const Table& part : tables) total += part.size();
    table.line.reserve(total);
    table.n_fields.reserve(total);
    for (Column& column : table.columns) {
        (column.kind == Kind::Int ? column.ints.reserve(total)
         : column.kind == Kind::String ? column.strings.reserve(total)
                                       : column.values.reserve(total));
    }
    for (std::size_t k = 1; k < tables.size(); ++k) {
        append(table.line, tables[k].line);
        append(table.n_fields, tables[k].n_fields);
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            append(table.columns[c].values, tables[k].columns[c].values);
            append(table.columns[c].ints, tables[k].columns[c].ints);
            append(table.columns[c].strings, tables[k].columns[c].strings);
        }
    }
    return table;
}

std::vector<std::string> first_record(std::string_view text, char delimiter) {
    Scanner scanner(text, delimiter, Scanner::is_simple(text));
    std::vector<std::string> fields;
    while (!scanner.done()) {
        bool end = false;
        std::string_view field = scanner.next_field(end);
        if (end && fields.empty() && trim(field).empty()) continue;
        fields.emplace_back(trim(field));
        if (end) break;
    }
    return fields;
}

}  // namespace shareopt::csv
