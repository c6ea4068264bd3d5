// Internal to the chaining solver: time limits as deadlines on the steady clock.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>

namespace shareopt {

using ChainClock = std::chrono::steady_clock;

// The moment `seconds` from now; timed is false (and the deadline never comes) for an infinite
// limit or one beyond 1e9 s, where the clock's nanosecond count would overflow.
inline ChainClock::time_point deadline_after(double seconds, bool& timed) {
    timed = std::isfinite(seconds) && seconds < 1e9;
    if (!timed) return ChainClock::time_point::max();
    return ChainClock::now() +
           std::chrono::duration_cast<ChainClock::duration>(std::chrono::duration<double>(seconds));
}

// A deadline polled once every 1024 steps, on one count across every loop that shares it.
struct PolledDeadline {
    explicit PolledDeadline(double seconds) : at(deadline_after(seconds, timed)) {}
    bool passed() { return timed && (++polled & 1023) == 0 && ChainClock::now() > at; }

    bool timed = false;
    ChainClock::time_point at;
    std::int64_t polled = 0;
};

}  // namespace shareopt
