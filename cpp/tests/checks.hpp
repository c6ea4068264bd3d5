// A failure counter for the stand-alone C++ tests: check(ok, what) reports and counts.
#pragma once

#include <cstdio>
#include <string>

namespace shareopt::test {

struct Checks {
    const char* area;
    int failures = 0;
    void operator()(bool ok, const std::string& what) {
        if (!ok) {
            ++failures;
            std::fprintf(stderr, "FAILED: %s: %s\n", area, what.c_str());
        }
    }
};

}  // namespace shareopt::test
