// parallel_for over std::thread with an atomic work index.
#include "core/thread_pool.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/env.h"

namespace mom {

size_t default_thread_count() {
  if (auto value = env::get(env::kThreads)) {
    try {
      long n = std::stol(*value);
      if (n > 0) return static_cast<size_t>(n);
    } catch (...) {
    }
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

void parallel_for(size_t n, size_t threads, const std::function<void(size_t)>& fn) {
  if (threads == 0) threads = default_thread_count();
  if (threads > n) threads = n;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;  // guards first_error
  auto run = [&] {
    while (!failed.load()) {
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  if (threads <= 1) {
    run();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(run);
    for (auto& t : pool) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace mom
