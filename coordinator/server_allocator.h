#pragma once

// Allocator settings for a process that serves the coordinator under load
// (tributary-coordinator, and tributary-bench coordinator, which hosts one).
//
// gRPC threads allocate and free request and result buffers by the megabyte; with glibc's
// defaults each arena hands its top back to the kernel and grows again moments later,
// page faults and all. Keeping 16 MiB of padding per arena stops that churn (4% more tasks
// per second in an interleaved A/B run of `tributary-bench coordinator`) for at most a few
// dozen MiB of memory. The desktop app, whose embedded coordinator serves one machine,
// keeps the defaults.

namespace tributary::coordinator {

// Call once, early in main(), before threads start.
void tuneAllocatorForServing();

} // namespace tributary::coordinator
