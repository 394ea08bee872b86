// tributary-bench: performance measurements for Tributary.
//
//   tributary-bench engine [--json] [--quick] [--sizes 256,512] [--batch N] [--threads N] [--repeat R]
//                          [--backend B] [--op gemm|conv2d|train_step]
//   tributary-bench <subcommand> --help
//
// Each subcommand is one file (engine_bench.cpp, …) registered in kSubcommands below.

#include "bench/coordinator_bench.h"
#include "bench/engine_bench.h"
#include "bench/subcommand.h"

#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

using tributary::bench::Subcommand;

constexpr std::array kSubcommands = {
    Subcommand { "engine", "GEMM, conv2d and an MLP training step on every compute backend",
        tributary::bench::runEngineBench },
    Subcommand { "coordinator", "tasks per second through a loopback coordinator with simulated nodes",
        tributary::bench::runCoordinatorBench },
};

void printUsage(std::FILE *out)
{
    std::fprintf(out, "usage: tributary-bench <subcommand> [options]\n\nsubcommands:\n");
    for (const Subcommand &command : kSubcommands)
        std::fprintf(out, "  %-12s %s\n", command.name, command.summary);
    std::fprintf(out, "\n`tributary-bench <subcommand> --help` lists a subcommand's options.\n");
}

} // namespace

int main(int argc, char **argv)
{
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        printUsage(stderr);
        return tributary::bench::kExitUsage;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(stdout);
        return tributary::bench::kExitOk;
    }
    for (const Subcommand &command : kSubcommands) {
        if (args[0] == command.name)
            return command.run(std::span(args).subspan(1));
    }
    std::fprintf(stderr, "tributary-bench: unknown subcommand \"%s\"\n\n", args[0].c_str());
    printUsage(stderr);
    return tributary::bench::kExitUsage;
}
