#pragma once

// `tributary-bench engine`: the compute engine's ops on every backend, against vendor
// libraries, with % of the device's peak. See `tributary-bench engine --help` and
// docs/PERFORMANCE.md.

#include <span>
#include <string>

namespace tributary::bench {

int runEngineBench(std::span<const std::string> args);

} // namespace tributary::bench
