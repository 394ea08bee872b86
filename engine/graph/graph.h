#pragma once

// Graph: a dataflow graph of engine ops (engine/ops/op.h), the form in which whole models
// (an imported ONNX model, a training step) are handed to an Executor.
//
// Values are numbered (ValueId) and each is defined exactly once: as a graph input (its
// type and shape declared), as a constant (a HostTensor: weights, initializers), or as an
// output of one node. Nodes are added in topological order: a node's inputs must be
// defined before it, so the order of addition is an order in which the graph can run.
// addNode() infers the node's output types and shapes at once (shape_inference.h) and
// fails with the node's name in the message, so a builder (the ONNX importer) can look
// at shapes while it builds.
//
//   Graph g;
//   ValueId x = g.addInput("x", {DType::F32, {8, 784}});
//   ValueId w = g.addConstant("w1", weights);             // HostTensor [784, 128]
//   ValueId h = g.addValue("h");
//   if (Status s = g.addNode("fc1", {OpKind::MatMul, {}}, {x, w}, {h}); !s) ...
//   ValueId y = g.addValue("y");
//   g.addNode("act1", {OpKind::Relu, {}}, {h}, {y});
//   g.addOutput(y);
//
// An optional input is kNoValue; an op's optional outputs that nobody uses may be left
// out (a node may list fewer outputs than its op produces, or kNoValue for a middle one).

#include "engine/host_tensor.h"
#include "engine/ops/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace tributary::engine {

using ValueId = int;
constexpr ValueId kNoValue = -1;

struct GraphValue {
    std::string name;
    std::optional<TensorDesc> desc; // known once the value is defined
    enum class Source { Undefined = 0, Input, Constant, Node } source = Source::Undefined;
    int definer = -1; // Input: input index; Constant: constant index; Node: node index
};

struct GraphNode {
    std::string name; // for errors ("node fc1 (MatMul): ...")
    Op op;
    std::vector<ValueId> inputs; // kNoValue for an absent optional input
    std::vector<ValueId> outputs; // kNoValue for an unused optional output
};

struct GraphConstant {
    ValueId value = kNoValue;
    HostTensor tensor;
};

class Graph {
public:
    // A new, not yet defined value (to be defined by a node).
    ValueId addValue(std::string name);
    // A value defined as a graph input of this type and shape.
    ValueId addInput(std::string name, TensorDesc desc);
    // A value defined as a constant: uploaded once by the executor.
    ValueId addConstant(std::string name, HostTensor tensor);
    // Appends a node; defines its outputs. Fails, naming the node, when an input is not
    // defined yet, an output is defined already, or shape inference rejects the inputs.
    Status addNode(std::string name, Op op, std::vector<ValueId> inputs, std::vector<ValueId> outputs);
    // Marks a value as a graph output (what Executor::run returns, in this order).
    Status addOutput(ValueId value);

    // Replaces node `index`'s attributes, keeping its op kind, inputs and outputs: for a
    // setting that changes between runs of one graph, such as AdamW's step. Fails, leaving
    // the graph unchanged, when the index is out of range or shape inference rejects the
    // new attributes or infers other output types or shapes.
    Status setAttributes(std::size_t index, OpAttributes attributes);
    // Re-checks the whole graph: every value defined once, nodes in topological order,
    // shapes consistent, outputs defined. Useful after editing a graph by hand.
    Status validate() const;

    const std::vector<GraphValue> &values() const { return m_values; }
    const std::vector<GraphNode> &nodes() const { return m_nodes; }
    const std::vector<ValueId> &inputs() const { return m_inputs; }
    const std::vector<ValueId> &outputs() const { return m_outputs; }
    const std::vector<GraphConstant> &constants() const { return m_constants; }

    const GraphValue &value(ValueId id) const { return m_values[std::size_t(id)]; }
    bool isValid(ValueId id) const { return id >= 0 && std::size_t(id) < m_values.size(); }
    // The type and shape of a defined value (null when undefined or out of range).
    const TensorDesc *desc(ValueId id) const;
    // The constant's data when `id` is a constant, else null.
    const HostTensor *constantData(ValueId id) const;

    // "node fc1 (MatMul)": how errors name a node.
    std::string nodeLabel(std::size_t index) const;

private:
    Status checkNode(std::size_t index, const GraphNode &node, const std::vector<bool> &defined,
        std::vector<TensorDesc> *outputs) const;

    std::vector<GraphValue> m_values;
    std::vector<GraphNode> m_nodes;
    std::vector<ValueId> m_inputs;
    std::vector<ValueId> m_outputs;
    std::vector<GraphConstant> m_constants;
};

} // namespace tributary::engine
