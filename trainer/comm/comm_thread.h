// The single thread that owns a communicator's MPI / NCCL calls, with a watchdog for hung
// collectives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

namespace mom::trainer {

// Runs submitted tasks one at a time, in order, on its own thread. A task that runs longer than
// `timeout_s` makes the watchdog log `on_timeout_message` + the task's name and end the process
// with std::_Exit(1) (a hung collective cannot be cancelled; under mpirun the launcher then ends
// every rank). Started in the constructor, stopped (remaining tasks run first) in the destructor.
class CommThread {
 public:
  CommThread(std::string owner, double timeout_s);
  ~CommThread();
  CommThread(const CommThread&) = delete;
  CommThread& operator=(const CommThread&) = delete;

  // Queues `task`; the future holds its exception, if any. Thread-safe.
  std::future<void> submit(std::string name, std::function<void()> task);
  // Runs `task` on the comm thread and waits for it (rethrowing its exception).
  void run(std::string name, std::function<void()> task) { submit(std::move(name), std::move(task)).get(); }

  // Changes the owner string used in watchdog messages (e.g. once the rank is known).
  void set_owner(const std::string& owner);

 private:
  struct Task {
    std::string name;
    std::packaged_task<void()> work;
  };
  void loop();
  void watchdog();

  const double timeout_s_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable cv_;
  std::string owner_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::string running_;  // name of the task in progress, "" when idle
  std::chrono::steady_clock::time_point running_since_;
  std::thread thread_;
  std::thread watchdog_;
};

}  // namespace mom::trainer
