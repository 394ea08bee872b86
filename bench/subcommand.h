#pragma once

// tributary-bench is a dispatcher over subcommands ("engine", later "coordinator" and
// "training-comm"). Each subcommand lives in its own file and exposes one entry point
// with this signature; main.cpp lists them.

#include <span>
#include <string>

namespace tributary::bench {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1; // the benchmark ran into an error
inline constexpr int kExitUsage = 2; // bad command line

struct Subcommand {
    const char *name; // as typed on the command line
    const char *summary; // one line for `tributary-bench --help`
    // Runs with the arguments after the subcommand name; returns an exit code.
    int (*run)(std::span<const std::string> args);
};

} // namespace tributary::bench
