// Internal to the chaining solver: two threads that take the two sides of one step of work.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>

namespace shareopt {

// Runs a step's job for side 0 on the calling thread and for side 1 on a helper thread, and
// returns when both are done; without the helper (parallel false), or for a step not worth
// the hand-over, both sides run here one after the other. The jobs must not touch each
// other's data, so the outcome is the same either way. The helper lives as long as the team:
// an auction runs hundreds of parallel steps.
class TwoSides {
public:
    explicit TwoSides(bool parallel) {
        if (!parallel) return;
        try {
            helper_ = std::thread([this] { serve(); });
        } catch (const std::system_error&) {  // no thread to be had: one after the other
        }
    }
    ~TwoSides() {
        if (!helper_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
            ++step_;
        }
        wake_.notify_one();
        helper_.join();
    }
    TwoSides(const TwoSides&) = delete;
    TwoSides& operator=(const TwoSides&) = delete;

    void run(const std::function<void(int)>& job, bool in_parallel) {
        if (!helper_.joinable() || !in_parallel) {
            job(0);
            job(1);
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = &job;
            done_ = false;
            ++step_;
        }
        wake_.notify_one();
        std::exception_ptr failed;
        try {
            job(0);
        } catch (...) {  // the helper still works on the caller's data: wait for it first
            failed = std::current_exception();
        }
        std::unique_lock<std::mutex> lock(mutex_);
        finished_.wait(lock, [&] { return done_; });
        if (!failed) failed = helper_failed_;
        helper_failed_ = nullptr;
        if (failed) std::rethrow_exception(failed);
    }

private:
    void serve() {
        std::uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return step_ != seen; });
            seen = step_;
            if (stop_) return;
            const auto* job = job_;
            lock.unlock();
            std::exception_ptr failed;
            try {
                (*job)(1);
            } catch (...) {  // handed to the caller, which rethrows it
                failed = std::current_exception();
            }
            lock.lock();
            helper_failed_ = failed;
            done_ = true;
            finished_.notify_one();
        }
    }

    std::thread helper_;
    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    const std::function<void(int)>* job_ = nullptr;
    std::exception_ptr helper_failed_;
    std::uint64_t step_ = 0;
    bool done_ = true, stop_ = false;
};

}  // namespace shareopt
