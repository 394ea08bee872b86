#pragma once

// `tributary-bench coordinator`: the coordinator under load. N simulated nodes, each on
// its own real gRPC connection over loopback, lease tiny GEMM tiles in batches, compute
// them, and submit them; the coordinator verifies (replicate(2) by default: every task
// runs on two nodes whose digests must agree), pays, and stores everything durably in
// SQLite. Reports tasks completed per second end to end and the per-task latency from
// first lease to acceptance. See `tributary-bench coordinator --help` and
// docs/PERFORMANCE.md.

#include <span>
#include <string>

namespace tributary::bench {

int runCoordinatorBench(std::span<const std::string> args);

} // namespace tributary::bench
