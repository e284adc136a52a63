// A fixed pool of worker threads for data-parallel loops (file parsing, batch preparation).
#pragma once

#include <cstddef>
#include <functional>

namespace mom {

// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = hardware concurrency). The first
// exception thrown by any fn is rethrown on the calling thread after all threads joined; the
// remaining items are skipped once one failed.
void parallel_for(size_t n, size_t threads, const std::function<void(size_t)>& fn);

// Hardware threads, or $MOM_NUM_THREADS when set.
size_t default_thread_count();

}  // namespace mom
