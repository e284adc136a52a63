// CommThread: task queue + watchdog. The watchdog ends the process because a blocked MPI/NCCL
// collective cannot be interrupted from another thread.
#include "trainer/comm/comm_thread.h"

#include <cstdlib>

#include "core/logging.h"

namespace mom::trainer {

CommThread::CommThread(std::string owner, double timeout_s) : timeout_s_(timeout_s), owner_(std::move(owner)) {
  thread_ = std::thread([this] { loop(); });
  watchdog_ = std::thread([this] { watchdog(); });
}

CommThread::~CommThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  watchdog_.join();
}

void CommThread::set_owner(const std::string& owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  owner_ = owner;
}

std::future<void> CommThread::submit(std::string name, std::function<void()> task) {
  Task t{std::move(name), std::packaged_task<void()>(std::move(task))};
  std::future<void> result = t.work.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(t));
  }
  cv_.notify_all();
  return result;
}

void CommThread::loop() {
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      running_ = task.name;
      running_since_ = std::chrono::steady_clock::now();
    }
    task.work();  // packaged_task stores any exception in the future
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.clear();
    }
  }
}

void CommThread::watchdog() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_ || !queue_.empty() || !running_.empty()) {
    cv_.wait_for(lock, std::chrono::milliseconds(200));
    if (running_.empty() || timeout_s_ <= 0) continue;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - running_since_).count();
    if (elapsed > timeout_s_) {
      auto log = logger("trainer");
      log->error("{}: collective '{}' did not complete within {:.0f} s: a peer rank died or hangs; "
                 "ending this rank so the launcher ends the job",
                 owner_, running_, timeout_s_);
      log->flush();
      std::_Exit(1);
    }
  }
}

}  // namespace mom::trainer
