#include "engine/graph/graph.h"

#include "engine/ops/shape_inference.h"

#include <memory>

namespace tributary::engine {

namespace {

std::string valueLabel(const Graph &graph, ValueId id)
{
    if (!graph.isValid(id))
        return "value #" + std::to_string(id);
    const std::string &name = graph.value(id).name;
    return name.empty() ? "value #" + std::to_string(id) : "'" + name + "'";
}

} // namespace

ValueId Graph::addValue(std::string name)
{
    m_values.push_back({ std::move(name), std::nullopt, GraphValue::Source::Undefined, -1 });
    return ValueId(m_values.size() - 1);
}

ValueId Graph::addInput(std::string name, TensorDesc desc)
{
    const ValueId id = addValue(std::move(name));
    GraphValue &v = m_values.back();
    v.desc = std::move(desc);
    v.source = GraphValue::Source::Input;
    v.definer = int(m_inputs.size());
    m_inputs.push_back(id);
    return id;
}

ValueId Graph::addConstant(std::string name, HostTensor tensor)
{
    const ValueId id = addValue(std::move(name));
    GraphValue &v = m_values.back();
    v.desc = TensorDesc { tensor.dtype, tensor.shape };
    v.source = GraphValue::Source::Constant;
    v.definer = int(m_constants.size());
    m_constants.push_back({ id, std::move(tensor) });
    return id;
}

const TensorDesc *Graph::desc(ValueId id) const
{
    if (!isValid(id) || !m_values[std::size_t(id)].desc)
        return nullptr;
    return &*m_values[std::size_t(id)].desc;
}

const HostTensor *Graph::constantData(ValueId id) const
{
    if (!isValid(id) || m_values[std::size_t(id)].source != GraphValue::Source::Constant)
        return nullptr;
    return &m_constants[std::size_t(m_values[std::size_t(id)].definer)].tensor;
}

std::string Graph::nodeLabel(std::size_t index) const
{
    const GraphNode &node = m_nodes[index];
    const std::string name = node.name.empty() ? "#" + std::to_string(index) : node.name;
    return "node " + name + " (" + std::string(opName(node.op.kind)) + ")";
}

Status Graph::checkNode(std::size_t index, const GraphNode &node, const std::vector<bool> &defined,
    std::vector<TensorDesc> *outputs) const
{
    auto fail = [&](const std::string &why) {
        const std::string name = node.name.empty() ? "#" + std::to_string(index) : node.name;
        return Status::error("node " + name + " (" + std::string(opName(node.op.kind)) + "): " + why);
    };
    std::vector<TensorDesc> descs;
    std::unique_ptr<bool[]> present(new bool[node.inputs.size() + 1]);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
        const ValueId id = node.inputs[i];
        present[i] = id != kNoValue;
        if (id == kNoValue) {
            descs.push_back({});
            continue;
        }
        if (!isValid(id))
            return fail("input " + std::to_string(i) + " refers to " + valueLabel(*this, id)
                + ", which does not exist");
        if (!defined[std::size_t(id)])
            return fail("input " + std::to_string(i) + " " + valueLabel(*this, id)
                + " is not defined before this node (inputs must come from graph inputs, "
                  "constants or earlier nodes)");
        descs.push_back(*m_values[std::size_t(id)].desc);
    }
    if (Status s = inferOutputs(
            node.op, OpInputs { descs, std::span<const bool>(present.get(), descs.size()) }, outputs);
        !s)
        return fail(s.message());
    if (node.outputs.size() > outputs->size())
        return fail("lists " + std::to_string(node.outputs.size()) + " outputs but the op produces "
            + std::to_string(outputs->size()));
    if (node.outputs.empty() || node.outputs[0] == kNoValue)
        return fail("its first output is not used");
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
        const ValueId id = node.outputs[i];
        if (id == kNoValue)
            continue;
        if (!isValid(id))
            return fail("output " + std::to_string(i) + " refers to " + valueLabel(*this, id)
                + ", which does not exist");
        if (defined[std::size_t(id)])
            return fail("output " + std::to_string(i) + " " + valueLabel(*this, id) + " is already defined");
        for (std::size_t j = 0; j < i; ++j)
            if (node.outputs[j] == id)
                return fail("lists " + valueLabel(*this, id) + " as two outputs");
    }
    return Status::ok();
}

Status Graph::addNode(std::string name, Op op, std::vector<ValueId> inputs, std::vector<ValueId> outputs)
{
    GraphNode node { std::move(name), std::move(op), std::move(inputs), std::move(outputs) };
    std::vector<bool> defined(m_values.size());
    for (std::size_t i = 0; i < m_values.size(); ++i)
        defined[i] = m_values[i].source != GraphValue::Source::Undefined;
    std::vector<TensorDesc> descs;
    if (Status s = checkNode(m_nodes.size(), node, defined, &descs); !s)
        return s;
    const int index = int(m_nodes.size());
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
        if (node.outputs[i] == kNoValue)
            continue;
        GraphValue &v = m_values[std::size_t(node.outputs[i])];
        v.desc = descs[i];
        v.source = GraphValue::Source::Node;
        v.definer = index;
    }
    m_nodes.push_back(std::move(node));
    return Status::ok();
}

Status Graph::setAttributes(std::size_t index, OpAttributes attributes)
{
    if (index >= m_nodes.size())
        return Status::error("node #" + std::to_string(index) + " does not exist (the graph has "
            + std::to_string(m_nodes.size()) + " nodes)");
    GraphNode node = m_nodes[index];
    node.op.attributes = std::move(attributes);
    // Everything but this node's outputs counts as defined: enough for checkNode, which
    // only looks at the node's own inputs and outputs.
    std::vector<bool> defined(m_values.size());
    for (std::size_t i = 0; i < m_values.size(); ++i)
        defined[i] = m_values[i].source != GraphValue::Source::Undefined;
    for (ValueId id : node.outputs)
        if (id != kNoValue)
            defined[std::size_t(id)] = false;
    std::vector<TensorDesc> descs;
    if (Status s = checkNode(index, node, defined, &descs); !s)
        return s;
    for (std::size_t i = 0; i < node.outputs.size(); ++i) {
        const ValueId id = node.outputs[i];
        if (id != kNoValue && !(*m_values[std::size_t(id)].desc == descs[i]))
            return Status::error(nodeLabel(index) + ": the new attributes change output " + std::to_string(i)
                + " from " + std::string(dtypeName(m_values[std::size_t(id)].desc->dtype))
                + shapeText(m_values[std::size_t(id)].desc->shape) + " to "
                + std::string(dtypeName(descs[i].dtype)) + shapeText(descs[i].shape));
    }
    m_nodes[index].op = std::move(node.op);
    return Status::ok();
}

Status Graph::addOutput(ValueId value)
{
    if (!isValid(value))
        return Status::error("graph output " + valueLabel(*this, value) + " does not exist");
    if (m_values[std::size_t(value)].source == GraphValue::Source::Undefined)
        return Status::error(
            "graph output " + valueLabel(*this, value) + " is not defined by any input, constant or node");
    m_outputs.push_back(value);
    return Status::ok();
}

Status Graph::validate() const
{
    std::vector<bool> defined(m_values.size(), false);
    auto define = [&](ValueId id, const std::string &what) -> Status {
        if (!isValid(id))
            return Status::error(what + " refers to " + valueLabel(*this, id) + ", which does not exist");
        if (defined[std::size_t(id)])
            return Status::error(what + ": " + valueLabel(*this, id) + " is defined more than once");
        defined[std::size_t(id)] = true;
        return Status::ok();
    };
    for (std::size_t i = 0; i < m_inputs.size(); ++i)
        if (Status s = define(m_inputs[i], "graph input " + std::to_string(i)); !s)
            return s;
    for (std::size_t i = 0; i < m_constants.size(); ++i) {
        const GraphConstant &c = m_constants[i];
        if (Status s = define(c.value, "constant " + std::to_string(i)); !s)
            return s;
        if (c.tensor.data.size() != std::size_t(elementCount(c.tensor.shape)) * dtypeSize(c.tensor.dtype))
            return Status::error("constant " + valueLabel(*this, c.value) + " has "
                + std::to_string(c.tensor.data.size()) + " bytes, its shape " + shapeText(c.tensor.shape)
                + " needs "
                + std::to_string(elementCount(c.tensor.shape) * std::int64_t(dtypeSize(c.tensor.dtype))));
    }
    for (std::size_t n = 0; n < m_nodes.size(); ++n) {
        const GraphNode &node = m_nodes[n];
        std::vector<TensorDesc> descs;
        if (Status s = checkNode(n, node, defined, &descs); !s)
            return s;
        for (std::size_t i = 0; i < node.outputs.size(); ++i) {
            const ValueId id = node.outputs[i];
            if (id == kNoValue)
                continue;
            const GraphValue &v = m_values[std::size_t(id)];
            if (v.source != GraphValue::Source::Node || v.definer != int(n))
                return Status::error(
                    nodeLabel(n) + ": output " + valueLabel(*this, id) + " is recorded as defined elsewhere");
            if (!v.desc || !(*v.desc == descs[i]))
                return Status::error(nodeLabel(n) + ": output " + valueLabel(*this, id)
                    + " has a recorded shape that differs from the inferred " + shapeText(descs[i].shape));
            defined[std::size_t(id)] = true;
        }
    }
    for (ValueId id : m_outputs)
        if (!isValid(id) || !defined[std::size_t(id)])
            return Status::error("graph output " + valueLabel(*this, id) + " is not defined");
    return Status::ok();
}

} // namespace tributary::engine
