#pragma once

// ONNX conformance: runs the cases of ONNX's backend test data (Debian's
// libonnx-testdata: <suite>/<case>/model.onnx and test_data_set_*/input_*.pb,
// output_*.pb) on engine backends, and compares with the expected outputs using the
// ONNX backend-test tolerance |actual - expected| <= atol + rtol·|expected|.
//
//   ConformanceCase result;
//   runConformanceCase(dir, backends, {}, &result);
//   for (auto &r : result.results) ... r.outcome, r.detail, r.maxAbsError, r.digest
//
// tributary-onnx-conformance (onnx_conformance_main.cpp) runs whole suites and prints a
// summary; tests/engine/onnx runs it under ctest.

#include "engine/backend.h"

#include <string>
#include <vector>

namespace tributary::engine {

struct ConformanceTolerance {
    double rtol = 1e-3;
    double atol = 1e-7;
};

enum class ConformanceOutcome {
    Pass = 1,
    Fail, // ran, outputs outside the tolerance (or wrong shape/type)
    Unsupported, // the importer or the backend does not support an op/feature it uses
    Error, // the model or its data could not be read, or a supported op failed to run
};

std::string_view conformanceOutcomeName(ConformanceOutcome outcome);

struct ConformanceBackendResult {
    std::string backend; // device id
    ConformanceOutcome outcome = ConformanceOutcome::Error;
    std::string detail; // why it failed, or the unsupported ops
    double maxAbsError = 0.0;
    double maxRelError = 0.0;
    std::string digest; // sha256 of every output's bytes (when it ran)
};

struct ConformanceCase {
    std::string name; // the case directory's name
    std::vector<std::string> opTypes;
    std::vector<ConformanceBackendResult> results; // one per backend
};

// Runs one case directory on each backend. Never fails: problems become outcomes.
void runConformanceCase(const std::string &caseDir, const std::vector<Backend *> &backends,
    const ConformanceTolerance &tolerance, ConformanceCase *out);

} // namespace tributary::engine
