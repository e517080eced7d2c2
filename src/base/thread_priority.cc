#include "base/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace sluice {

int ThisThreadNice() {
  // Linux's PRIO_PROCESS with a thread id names that one thread (not POSIX: there it
  // would be the process). Its own id cannot fail, so -1 is a nice value here.
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
}

Status LowerThisThreadPriority(int nice) {
  if (nice < 0 || nice > 19) {
    return Status::InvalidArgument("nice value " + std::to_string(nice) + " is outside 0..19");
  }
  if (ThisThreadNice() >= nice) return Status::OK();
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0) {
    return Status::FromErrno("setpriority", "", errno);
  }
  return Status::OK();
}

}  // namespace sluice
