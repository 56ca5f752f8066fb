#include "core/background_thread.hpp"

#if defined(__linux__)
#include <sched.h>
#endif

namespace questdb::detail {

bool make_current_thread_background() noexcept {
#if defined(__linux__) && defined(SCHED_BATCH)
    sched_param param{};  // SCHED_BATCH takes priority 0; the nice value is kept
    return sched_setscheduler(0, SCHED_BATCH, &param) == 0;
#else
    return false;
#endif
}

}  // namespace questdb::detail
