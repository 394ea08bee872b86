#pragma once

// OnnxBuilder: the state of one import while ONNX nodes are turned into engine ops
// (onnx_ops.cpp). Internal to engine/onnx.

#include "engine/graph/graph.h"
#include "engine/onnx/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

namespace tributary::engine {

class OnnxBuilder {
public:
    OnnxBuilder(Graph &graph, std::int64_t opset, OnnxImportReport &report)
        : m_graph(graph)
        , m_opset(opset)
        , m_report(report)
    {
    }

    Graph &graph() { return m_graph; }
    std::int64_t opset() const { return m_opset; }

    // Values known by ONNX name.
    void defineValue(const std::string &name, ValueId id) { m_values[name] = id; }
    // A tensor whose contents are known at import time (initializer, Constant output);
    // it becomes a graph constant only when an op reads it as data.
    void defineConstant(const std::string &name, HostTensor tensor) { m_constants[name] = std::move(tensor); }
    bool isDefined(const std::string &name) const { return m_values.count(name) || m_constants.count(name); }
    const HostTensor *constant(const std::string &name) const;
    // The graph value of an ONNX name, materialising a constant on first use.
    Status value(const std::string &name, ValueId *out);
    const TensorDesc *desc(const std::string &name);

    // --- the node being converted
    void beginNode(const onnx::NodeProto &node, int index);
    const onnx::NodeProto &node() const { return *m_node; }
    std::string label() const; // "node conv1 (Conv)"
    // Input i's name, or "" when absent (out of range or empty).
    std::string input(int i) const;
    std::string output(int i) const;
    // An error naming the node.
    Status fail(const std::string &why) const;
    // Records an unsupported op or feature and returns the error.
    Status unsupported(const std::string &why);
    // Fails (unsupported) unless every present input listed is f32.
    Status requireF32(std::initializer_list<int> inputs);
    // Adds one engine op: inputs by ONNX name ("" = absent), outputs as graph values.
    Status emit(const Op &op, const std::vector<std::string> &inputs, const std::vector<ValueId> &outputs);
    // The same with graph values as inputs (temporaries of a multi-op conversion).
    Status emitIds(const Op &op, const std::vector<ValueId> &inputs, const std::vector<ValueId> &outputs);
    // A fresh graph value for ONNX output i (named after it), or for an internal temporary.
    ValueId outputValue(int i);
    ValueId tempValue(const std::string &suffix);

    // --- attributes of the node being converted
    const onnx::AttributeProto *attribute(const std::string &name) const;
    Status intAttr(const std::string &name, std::int64_t fallback, std::int64_t *out) const;
    Status floatAttr(const std::string &name, float fallback, float *out) const;
    Status stringAttr(const std::string &name, const std::string &fallback, std::string *out) const;
    // Returns whether it was present.
    Status intsAttr(const std::string &name, std::vector<std::int64_t> *out, bool *present = nullptr) const;

    // A constant integer list from input i (i32 or i64, rank 0 or 1). `required` fails
    // when absent; a non-constant input is unsupported.
    Status constantInts(int i, const char *what, std::vector<std::int64_t> *out, bool *present);

private:
    Graph &m_graph;
    std::int64_t m_opset;
    OnnxImportReport &m_report;
    std::map<std::string, ValueId> m_values;
    std::map<std::string, HostTensor> m_constants;
    const onnx::NodeProto *m_node = nullptr;
    int m_nodeIndex = 0;
    int m_emitted = 0;
};

// Converts the current node of `builder` (onnx_ops.cpp).
Status convertOnnxNode(OnnxBuilder &builder);
// Whether convertOnnxNode knows this op type of the default domain.
bool isSupportedOnnxOp(const std::string &opType);

} // namespace tributary::engine
