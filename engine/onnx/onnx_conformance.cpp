#include "engine/onnx/onnx_conformance.h"

#include "engine/graph/executor.h"
#include "engine/onnx/onnx_import.h"
#include "engine/sha256.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

namespace tributary::engine {

namespace fs = std::filesystem;

namespace {

struct DataSet {
    std::vector<HostTensor> inputs;
    std::vector<HostTensor> outputs;
};

// input_0.pb, input_1.pb, … in numeric order.
Status loadNumbered(
    const fs::path &dir, const std::string &prefix, std::vector<HostTensor> *out, bool *unsupportedType)
{
    out->clear();
    for (int i = 0;; ++i) {
        const fs::path file = dir / (prefix + std::to_string(i) + ".pb");
        std::error_code ec;
        if (!fs::exists(file, ec))
            return Status::ok();
        HostTensor t;
        if (Status s = loadOnnxTensor(file.string(), &t); !s) {
            if (s.message().find("not supported") != std::string::npos
                || s.message().find("not a valid ONNX tensor") != std::string::npos)
                *unsupportedType = true; // sequences, maps, strings, doubles, …
            return s;
        }
        out->push_back(std::move(t));
    }
}

double valueAt(const HostTensor &t, std::int64_t i)
{
    switch (t.dtype) {
    case DType::F32:
        return double(t.f32()[std::size_t(i)]);
    case DType::I32:
        return double(t.i32()[std::size_t(i)]);
    case DType::I64:
        return double(t.i64()[std::size_t(i)]);
    }
    return 0.0;
}

// Compares one output; returns false with `why` when it is out of tolerance.
bool compare(const HostTensor &actual, const HostTensor &expected, const ConformanceTolerance &tol,
    ConformanceBackendResult *r, std::string *why)
{
    if (actual.dtype != expected.dtype || actual.shape != expected.shape) {
        *why = "got " + std::string(dtypeName(actual.dtype)) + shapeText(actual.shape) + ", expected "
            + std::string(dtypeName(expected.dtype)) + shapeText(expected.shape);
        return false;
    }
    bool ok = true;
    for (std::int64_t i = 0; i < actual.elements(); ++i) {
        const double a = valueAt(actual, i), e = valueAt(expected, i);
        if (std::isnan(e) || std::isnan(a)) {
            if (std::isnan(e) != std::isnan(a)) {
                if (ok)
                    *why = "element " + std::to_string(i) + ": got " + std::to_string(a) + ", expected "
                        + std::to_string(e);
                ok = false;
            }
            continue;
        }
        if (std::isinf(e) || std::isinf(a)) {
            if (a != e) {
                if (ok)
                    *why = "element " + std::to_string(i) + ": got " + std::to_string(a) + ", expected "
                        + std::to_string(e);
                ok = false;
            }
            continue;
        }
        const double diff = std::fabs(a - e);
        r->maxAbsError = std::max(r->maxAbsError, diff);
        if (e != 0.0)
            r->maxRelError = std::max(r->maxRelError, diff / std::fabs(e));
        if (diff > tol.atol + tol.rtol * std::fabs(e)) {
            if (ok) {
                std::ostringstream text;
                text.precision(9);
                text << "element " << i << ": got " << a << ", expected " << e;
                *why = text.str();
            }
            ok = false;
        }
    }
    return ok;
}

std::string joined(const std::vector<std::string> &items)
{
    std::string text;
    for (const auto &item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text;
}

} // namespace

std::string_view conformanceOutcomeName(ConformanceOutcome outcome)
{
    switch (outcome) {
    case ConformanceOutcome::Pass:
        return "pass";
    case ConformanceOutcome::Fail:
        return "fail";
    case ConformanceOutcome::Unsupported:
        return "unsupported";
    case ConformanceOutcome::Error:
        return "error";
    }
    return "?";
}

void runConformanceCase(const std::string &caseDir, const std::vector<Backend *> &backends,
    const ConformanceTolerance &tolerance, ConformanceCase *out)
{
    const fs::path dir(caseDir);
    out->name = dir.filename().string();
    out->opTypes.clear();
    out->results.clear();
    auto setAll = [&](ConformanceOutcome outcome, const std::string &detail) {
        for (Backend *b : backends)
            out->results.push_back({ b->device().id, outcome, detail });
    };

    std::vector<fs::path> sets;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec))
        if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
            sets.push_back(entry.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty())
        return setAll(ConformanceOutcome::Error, "no test_data_set_* directory");

    std::vector<DataSet> data(sets.size());
    for (std::size_t i = 0; i < sets.size(); ++i) {
        bool unsupportedType = false;
        Status s = loadNumbered(sets[i], "input_", &data[i].inputs, &unsupportedType);
        if (s)
            s = loadNumbered(sets[i], "output_", &data[i].outputs, &unsupportedType);
        if (!s)
            return setAll(unsupportedType ? ConformanceOutcome::Unsupported : ConformanceOutcome::Error,
                "test data: " + s.message());
    }

    // One import per distinct set of input shapes (usually one).
    for (Backend *backend : backends) {
        ConformanceBackendResult r;
        r.backend = backend->device().id;
        r.outcome = ConformanceOutcome::Pass;
        std::string digestInput;
        for (std::size_t d = 0; d < data.size() && r.outcome == ConformanceOutcome::Pass; ++d) {
            OnnxImportOptions options;
            // Integer inputs are shape arguments (Reshape's shape, Slice's bounds, axes):
            // the engine takes those as attributes, so they are fixed at import.
            for (const HostTensor &t : data[d].inputs) {
                options.inputDescsInOrder.push_back({ t.dtype, t.shape });
                options.inputValuesInOrder.push_back(
                    t.dtype == DType::F32 ? std::nullopt : std::optional<HostTensor>(t));
            }
            OnnxModel model;
            OnnxImportReport report;
            if (Status s = importOnnxModel((dir / "model.onnx").string(), options, &model, &report); !s) {
                r.outcome = report.unsupported.empty() ? ConformanceOutcome::Error
                                                       : ConformanceOutcome::Unsupported;
                r.detail = s.message();
                break;
            }
            out->opTypes = model.opTypes;
            std::vector<HostTensor> inputs;
            for (std::size_t position : model.inputPositions) {
                if (position >= data[d].inputs.size())
                    break;
                inputs.push_back(data[d].inputs[position]);
            }
            if (inputs.size() != model.inputNames.size()) {
                r.outcome = ConformanceOutcome::Error;
                r.detail = "model has more inputs than the test data ("
                    + std::to_string(data[d].inputs.size()) + ")";
                break;
            }
            std::vector<std::string> missing;
            std::set<OpKind> seen;
            for (const GraphNode &node : model.graph.nodes())
                if (!backend->supports(node.op.kind) && seen.insert(node.op.kind).second)
                    missing.push_back(std::string(opName(node.op.kind)));
            if (!missing.empty()) {
                r.outcome = ConformanceOutcome::Unsupported;
                r.detail = "engine ops not implemented on " + r.backend + ": " + joined(missing);
                break;
            }
            std::unique_ptr<Executor> exec;
            if (Status s = Executor::create(model.graph, *backend, &exec); !s) {
                r.outcome = ConformanceOutcome::Error;
                r.detail = s.message();
                break;
            }
            std::vector<HostTensor> outputs;
            if (Status s = exec->run(inputs, &outputs); !s) {
                r.outcome = ConformanceOutcome::Error;
                r.detail = s.message();
                break;
            }
            if (outputs.size() < data[d].outputs.size()) {
                r.outcome = ConformanceOutcome::Error;
                r.detail = "model has " + std::to_string(outputs.size()) + " outputs, test data "
                    + std::to_string(data[d].outputs.size());
                break;
            }
            for (std::size_t o = 0; o < data[d].outputs.size(); ++o) {
                std::string why;
                if (!compare(outputs[o], data[d].outputs[o], tolerance, &r, &why)
                    && r.outcome == ConformanceOutcome::Pass) {
                    r.outcome = ConformanceOutcome::Fail;
                    r.detail = "output " + std::to_string(o) + " '" + model.outputNames[o] + "': " + why;
                }
                digestInput += sha256Hex(outputs[o].data);
            }
        }
        if (r.outcome == ConformanceOutcome::Pass || r.outcome == ConformanceOutcome::Fail)
            r.digest = sha256Hex(std::as_bytes(std::span(digestInput.data(), digestInput.size())));
        out->results.push_back(std::move(r));
    }
}

} // namespace tributary::engine
