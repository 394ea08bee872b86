// tributary-onnx-conformance: runs ONNX backend test cases on every available backend.
//
//   tributary-onnx-conformance [--data DIR] [--suites node,simple,...] [--filter TEXT]
//                              [--backends cpu,vulkan,cuda] [--rtol X] [--atol X] [--verbose]
//                              [--require-identical]
//
// Prints one line per case that is not unsupported everywhere (and, with --verbose, every
// case), a summary per suite and backend, the cases that pass on every backend with
// bit-identical outputs, and those whose bits differ between backends. Exits 1 when a
// case whose ops are all supported fails or errors on any backend (or, with
// --require-identical, gives different bits on different backends), 2 on bad arguments.

#include "engine/engine.h"
#include "engine/onnx/onnx_conformance.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace tributary::engine;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string &text)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string part
            = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty())
            parts.push_back(part);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return parts;
}

int usage(const char *why)
{
    std::fprintf(stderr,
        "tributary-onnx-conformance: %s\n"
        "usage: tributary-onnx-conformance [--data DIR] [--suites a,b] [--filter TEXT]\n"
        "       [--backends cpu,vulkan,cuda] [--rtol X] [--atol X] [--verbose]\n"
        "       [--require-identical]\n",
        why);
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    std::string dataDir = "/usr/share/libonnx-testdata/data";
    std::vector<std::string> suites = { "node", "pytorch-converted", "pytorch-operator", "simple" };
    std::string filter;
    std::vector<std::string> backendKinds = { "cpu", "vulkan", "cuda" };
    ConformanceTolerance tolerance;
    bool verbose = false;
    bool requireIdentical = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        const char *value = nullptr;
        if (arg == "--verbose") {
            verbose = true;
        } else if (arg == "--require-identical") {
            requireIdentical = true;
        } else if (arg == "--data" && (value = next())) {
            dataDir = value;
        } else if (arg == "--suites" && (value = next())) {
            suites = split(value);
        } else if (arg == "--filter" && (value = next())) {
            filter = value;
        } else if (arg == "--backends" && (value = next())) {
            backendKinds = split(value);
        } else if (arg == "--rtol" && (value = next())) {
            tolerance.rtol = std::atof(value);
        } else if (arg == "--atol" && (value = next())) {
            tolerance.atol = std::atof(value);
        } else {
            return usage(("unknown or incomplete argument " + arg).c_str());
        }
    }

    Engine engine;
    std::vector<std::unique_ptr<Backend>> owned;
    std::vector<Backend *> backends;
    for (const DeviceInfo &device : engine.devices()) {
        if (std::find(backendKinds.begin(), backendKinds.end(), std::string(backendName(device.backend)))
            == backendKinds.end())
            continue;
        if (!device.available) {
            std::printf("# %s: unavailable (%s)\n", device.id.c_str(), device.unavailableReason.c_str());
            continue;
        }
        std::string error;
        auto backend = engine.open(device.id, &error);
        if (!backend) {
            std::printf("# %s: cannot open (%s)\n", device.id.c_str(), error.c_str());
            continue;
        }
        std::printf("# %s: %s\n", device.id.c_str(), device.name.c_str());
        backends.push_back(backend.get());
        owned.push_back(std::move(backend));
    }
    if (backends.empty())
        return usage("no backend to run on");
    std::printf("# tolerance: |actual - expected| <= %g + %g * |expected|\n", tolerance.atol, tolerance.rtol);

    // counts[suite][backend][outcome]
    std::map<std::string, std::map<std::string, std::map<ConformanceOutcome, int>>> counts;
    std::vector<std::string> identical, different, failures;
    for (const std::string &suite : suites) {
        const fs::path suiteDir = fs::path(dataDir) / suite;
        std::error_code ec;
        std::vector<fs::path> cases;
        for (const auto &entry : fs::directory_iterator(suiteDir, ec))
            if (fs::exists(entry.path() / "model.onnx"))
                cases.push_back(entry.path());
        if (ec) {
            std::printf("# suite %s: cannot read %s\n", suite.c_str(), suiteDir.c_str());
            failures.push_back(suite + ": missing");
            continue;
        }
        std::sort(cases.begin(), cases.end());
        for (const fs::path &dir : cases) {
            if (!filter.empty() && dir.filename().string().find(filter) == std::string::npos)
                continue;
            ConformanceCase result;
            runConformanceCase(dir.string(), backends, tolerance, &result);
            bool allUnsupported = true, anyBad = false;
            std::set<std::string> digests;
            int ran = 0, passed = 0;
            for (const auto &r : result.results) {
                passed += r.outcome == ConformanceOutcome::Pass ? 1 : 0;
                ++counts[suite][r.backend][r.outcome];
                allUnsupported = allUnsupported && r.outcome == ConformanceOutcome::Unsupported;
                anyBad = anyBad || r.outcome == ConformanceOutcome::Fail
                    || r.outcome == ConformanceOutcome::Error;
                if (!r.digest.empty()) {
                    digests.insert(r.digest);
                    ++ran;
                }
            }
            const std::string name = suite + "/" + result.name;
            // Passing everywhere with the same bits is the exact-mode promise; different
            // bits anywhere a case ran are listed whatever the outcome.
            if (passed == int(result.results.size()) && digests.size() == 1)
                identical.push_back(name);
            else if (ran > 1 && digests.size() > 1)
                different.push_back(name);
            if (anyBad)
                failures.push_back(name);
            if (!verbose && allUnsupported)
                continue;
            for (const auto &r : result.results) {
                if (!verbose && r.outcome == ConformanceOutcome::Pass) {
                    std::printf("%-60s %-10s pass (max abs %.3g, rel %.3g)\n", name.c_str(),
                        r.backend.c_str(), r.maxAbsError, r.maxRelError);
                    continue;
                }
                std::printf("%-60s %-10s %s", name.c_str(), r.backend.c_str(),
                    std::string(conformanceOutcomeName(r.outcome)).c_str());
                if (r.outcome == ConformanceOutcome::Pass || r.outcome == ConformanceOutcome::Fail)
                    std::printf(" (max abs %.3g, rel %.3g)", r.maxAbsError, r.maxRelError);
                if (!r.detail.empty())
                    std::printf(": %s", r.detail.c_str());
                std::printf("\n");
            }
            std::fflush(stdout);
        }
    }

    std::printf("\n# summary: pass / fail / error / unsupported\n");
    for (const auto &[suite, perBackend] : counts)
        for (const auto &[backend, c] : perBackend) {
            auto get = [&](ConformanceOutcome o) {
                auto it = c.find(o);
                return it == c.end() ? 0 : it->second;
            };
            std::printf("%-20s %-10s %4d / %4d / %4d / %4d\n", suite.c_str(), backend.c_str(),
                get(ConformanceOutcome::Pass), get(ConformanceOutcome::Fail), get(ConformanceOutcome::Error),
                get(ConformanceOutcome::Unsupported));
        }
    std::printf("\n# %zu cases pass on all %zu backends with bit-identical outputs", identical.size(),
        backends.size());
    std::printf(identical.empty() ? "\n" : ":");
    for (const auto &name : identical)
        std::printf(" %s", name.c_str());
    if (!identical.empty())
        std::printf("\n");
    if (!different.empty()) {
        std::printf("# %zu cases gave different bits on different backends:", different.size());
        for (const auto &name : different)
            std::printf(" %s", name.c_str());
        std::printf("\n");
    }
    if (requireIdentical)
        failures.insert(failures.end(), different.begin(), different.end());
    if (!failures.empty()) {
        std::printf("# FAILED (supported ops, wrong, missing or backend-dependent result): %zu cases:",
            failures.size());
        for (const auto &name : failures)
            std::printf(" %s", name.c_str());
        std::printf("\n");
        return 1;
    }
    std::printf("# no failures\n");
    return 0;
}
