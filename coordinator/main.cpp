// tributary-coordinator: the coordinator as a standalone daemon.
//
//   tributary-coordinator [--listen HOST:PORT] [--db PATH] [--lease-ms N]
//                         [--admin-token-file PATH] [--tls-cert PEM --tls-key PEM | --insecure]
//
// Prints one line, "tributary-coordinator: listening on 127.0.0.1:<port>", to stdout once
// it serves (scripts and end-to-end tests read the port from it when --listen asks for
// port 0); everything else goes to stderr. SIGINT and SIGTERM shut it down gracefully and
// it exits 0.

#include "coordinator/coordinator.h"
#include "coordinator/server_allocator.h"

#include <pthread.h>
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#ifndef TRIBUTARY_VERSION
#define TRIBUTARY_VERSION "unknown"
#endif

namespace {

using tributary::coordinator::Coordinator;
using tributary::coordinator::CoordinatorOptions;
using tributary::engine::LogLevel;

constexpr const char *kProgram = "tributary-coordinator";

void printUsage(std::FILE *out)
{
    std::fprintf(out,
        "Usage: %s [options]\n"
        "\n"
        "Runs a Tributary coordinator: splits jobs into tasks, leases them to nodes,\n"
        "verifies and assembles their results.\n"
        "\n"
        "Options:\n"
        "  --listen HOST:PORT  address to serve gRPC on (default 127.0.0.1:7443;\n"
        "                      port 0 picks a free port)\n"
        "  --db PATH           SQLite database, created when missing\n"
        "                      (default ./tributary-coordinator.db)\n"
        "  --lease-ms N        how long a node holds a task without a heartbeat\n"
        "                      (default 15000)\n"
        "  --max-attempts N    failed or expired attempts per task before its job\n"
        "                      fails (default 5)\n"
        "  --admin-token-file PATH\n"
        "                      where the administrator's token is written on first\n"
        "                      start (default: PATH of --db with .admin-token)\n"
        "  --initial-credits N credits each new account starts with (default 1000)\n"
        "  --tls-cert PEM      TLS certificate chain\n"
        "  --tls-key PEM       TLS private key\n"
        "  --insecure          allow a non-loopback address without TLS\n"
        "  --help              show this help and exit\n"
        "  --version           show the version and exit\n",
        kProgram);
}

void logToStderr(LogLevel level, std::string_view message)
{
    const char *prefix = "info";
    switch (level) {
    case LogLevel::Debug:
        prefix = "debug";
        break;
    case LogLevel::Info:
        prefix = "info";
        break;
    case LogLevel::Warning:
        prefix = "warning";
        break;
    case LogLevel::Error:
        prefix = "error";
        break;
    }
    // One write per line, so that lines from different threads do not interleave.
    std::string line = std::string(kProgram) + ": " + prefix + ": ";
    line.append(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

int usageError(const std::string &message)
{
    std::fprintf(stderr, "%s: %s\n\n", kProgram, message.c_str());
    printUsage(stderr);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    tributary::coordinator::tuneAllocatorForServing();
    CoordinatorOptions options;
    options.listenAddress = "127.0.0.1:7443";
    options.databasePath = "./tributary-coordinator.db";
    options.log = logToStderr;

    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string_view value;
        bool hasValue = false;
        if (const auto equals = arg.find('='); arg.starts_with("--") && equals != std::string_view::npos) {
            value = arg.substr(equals + 1);
            arg = arg.substr(0, equals);
            hasValue = true;
        }
        const auto takeValue = [&]() -> bool {
            if (hasValue)
                return true;
            if (i + 1 >= argc)
                return false;
            value = argv[++i];
            return true;
        };

        // The option's value as a whole number in [low, high].
        const auto takeNumber = [&](long long low, long long high, long long *number) {
            if (!takeValue())
                return false;
            const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), *number);
            return error == std::errc() && end == value.data() + value.size() && *number >= low && *number <= high;
        };
        const auto numberError = [&](const char *unit, long long low, long long high) {
            return std::string(arg) + " needs a number of " + unit + " between " + std::to_string(low) + " and "
                + std::to_string(high) + ", not \"" + std::string(value) + "\"";
        };

        if (arg == "--help" || arg == "-h") {
            printUsage(stdout);
            return 0;
        }
        if (arg == "--version") {
            std::printf("%s %s\n", kProgram, TRIBUTARY_VERSION);
            return 0;
        }
        if (arg == "--listen") {
            if (!takeValue() || value.empty())
                return usageError("--listen needs HOST:PORT");
            options.listenAddress = value;
        } else if (arg == "--db") {
            if (!takeValue() || value.empty())
                return usageError("--db needs a path");
            options.databasePath = value;
        } else if (arg == "--lease-ms") {
            long long ms = 0;
            if (!takeNumber(1, 86'400'000, &ms))
                return usageError(numberError("milliseconds", 1, 86'400'000));
            options.leaseDuration = std::chrono::milliseconds(ms);
        } else if (arg == "--max-attempts") {
            long long count = 0;
            if (!takeNumber(1, 100, &count))
                return usageError(numberError("attempts", 1, 100));
            options.maxAttempts = static_cast<int>(count);
        } else if (arg == "--initial-credits") {
            long long credits = 0;
            if (!takeNumber(0, 1'000'000'000, &credits))
                return usageError(numberError("credits", 0, 1'000'000'000));
            options.initialGrantUnits = credits * 1'000'000'000LL;
        } else if (arg == "--admin-token-file") {
            if (!takeValue() || value.empty())
                return usageError("--admin-token-file needs a path");
            options.adminTokenFile = value;
        } else if (arg == "--tls-cert") {
            if (!takeValue() || value.empty())
                return usageError("--tls-cert needs a PEM file");
            options.tlsCertPath = value;
        } else if (arg == "--tls-key") {
            if (!takeValue() || value.empty())
                return usageError("--tls-key needs a PEM file");
            options.tlsKeyPath = value;
        } else if (arg == "--insecure") {
            options.allowInsecure = true;
        } else {
            return usageError("unknown option \"" + std::string(argv[i]) + "\"");
        }
    }

    if (options.adminTokenFile.empty())
        options.adminTokenFile = options.databasePath == ":memory:" ? std::string() : options.databasePath + ".admin-token";

    // Block the signals before any thread starts (gRPC's threads inherit the mask), then
    // take them synchronously below: nothing runs in a signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Coordinator coordinator(options);
    if (auto status = coordinator.start(); !status) {
        logToStderr(LogLevel::Error, status.message());
        return 1;
    }
    std::printf("%s: listening on %s\n", kProgram, coordinator.address().c_str());
    std::fflush(stdout);

    int signal = 0;
    sigwait(&signals, &signal);
    logToStderr(LogLevel::Info,
        std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
    coordinator.shutdown();
    return 0;
}
