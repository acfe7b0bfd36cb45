// Bulk work that keeps a CPU busy for milliseconds (a snapshot's walk, the file thread's checksum
// and writes, a replica's load of its primary's payload) calls YieldCpu() between pieces of a
// tenth of a millisecond or more. The kernel lets a running thread keep its CPU to the end of its
// time slice, which it checks only at a tick (4 ms at HZ=250), even while a task woken on that CPU
// waits: a client on the same machine, or another server's event loop. Measured on a 2-core
// machine, a PING probe waited up to 3.6 ms that way during a BGSAVE, and a primary's loop up to
// 2.4 ms behind its replica's load. Yielding lets such a task run first; with nothing else runnable
// the call returns at once (about a microsecond).
#pragma once

#include <sched.h>

namespace magnetar {

inline void YieldCpu() { sched_yield(); }

}  // namespace magnetar
