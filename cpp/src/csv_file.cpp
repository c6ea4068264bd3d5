// Reading a whole CSV file: memory-mapped where the system allows, read into memory elsewhere.
#include <fstream>
#include <stdexcept>
#include <string>

#include "shareopt/csv.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace shareopt::csv {

Table read_file(const std::string& path, const std::vector<ColumnSpec>& columns,
                bool skip_header, char delimiter) {
#if defined(__unix__) || defined(__APPLE__)
    // Map the file instead of copying it: parsing reads it once, straight from the page cache.
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open '" + path + "'");
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot read '" + path + "'");
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    if (size == 0) {
        ::close(fd);
        return parse(std::string_view(), columns, skip_header, delimiter);
    }
#ifdef MAP_POPULATE
    const int flags = MAP_PRIVATE | MAP_POPULATE;  // fault the pages in at once
#else
    const int flags = MAP_PRIVATE;
#endif
    void* mapped = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED) throw std::runtime_error("cannot map '" + path + "'");
    struct Unmap {
        void* address;
        std::size_t length;
        ~Unmap() { ::munmap(address, length); }
    } unmap{mapped, size};
    return parse(std::string_view(static_cast<const char*>(mapped), size), columns, skip_header,
                 delimiter);
#else
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open '" + path + "'");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw std::runtime_error("cannot read '" + path + "'");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.seekg(0, std::ios::beg);
    if (size > 0 && !in.read(text.data(), size)) {
        throw std::runtime_error("cannot read '" + path + "'");
    }
    return parse(text, columns, skip_header, delimiter);
#endif
}

}  // namespace shareopt::csv
