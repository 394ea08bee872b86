#include "engine/graph/executor.h"

#include "engine/ops/shape_inference.h"

#include <algorithm>
#include <set>

namespace tributary::engine {

Status Executor::create(const Graph &graph, Backend &backend, std::unique_ptr<Executor> *out)
{
    if (Status s = graph.validate(); !s)
        return s;
    std::string unsupported;
    std::set<OpKind> seen;
    for (std::size_t n = 0; n < graph.nodes().size(); ++n) {
        const OpKind kind = graph.nodes()[n].op.kind;
        if (backend.supports(kind) || !seen.insert(kind).second)
            continue;
        unsupported += (unsupported.empty() ? "" : ", ") + std::string(opName(kind)) + " ("
            + graph.nodeLabel(n) + ")";
    }
    if (!unsupported.empty())
        return Status::error(backend.device().id + ": unsupported ops: " + unsupported);

    std::unique_ptr<Executor> exec(new Executor(graph, backend));
    for (const GraphConstant &c : graph.constants()) {
        Tensor t;
        if (Status s = backend.upload(c.tensor, &t); !s)
            return Status::error("uploading constant '" + graph.value(c.value).name + "': " + s.message());
        exec->m_constants.push_back(std::move(t));
    }
    const std::size_t valueCount = graph.values().size();
    exec->m_lastUse.assign(valueCount, -1);
    exec->m_isOutput.assign(valueCount, false);
    for (std::size_t n = 0; n < graph.nodes().size(); ++n)
        for (ValueId id : graph.nodes()[n].inputs)
            if (id != kNoValue)
                exec->m_lastUse[std::size_t(id)] = int(n);
    for (ValueId id : graph.outputs())
        exec->m_isOutput[std::size_t(id)] = true;
    *out = std::move(exec);
    return Status::ok();
}

Status Executor::run(const std::vector<HostTensor> &inputs, std::vector<HostTensor> *outputs)
{
    if (inputs.size() != m_graph.inputs().size())
        return Status::error("graph has " + std::to_string(m_graph.inputs().size()) + " inputs, got "
            + std::to_string(inputs.size()));
    std::vector<Tensor> deviceInputs(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const TensorDesc &want = *m_graph.desc(m_graph.inputs()[i]);
        const std::string &name = m_graph.value(m_graph.inputs()[i]).name;
        if (inputs[i].dtype != want.dtype || inputs[i].shape != want.shape)
            return Status::error("graph input '" + name + "' is declared "
                + std::string(dtypeName(want.dtype)) + shapeText(want.shape) + " but got "
                + std::string(dtypeName(inputs[i].dtype)) + shapeText(inputs[i].shape));
        if (Status s = m_backend.upload(inputs[i], &deviceInputs[i]); !s)
            return Status::error("uploading graph input '" + name + "': " + s.message());
    }
    std::vector<Tensor> deviceOutputs;
    if (Status s = runDevice(deviceInputs, &deviceOutputs); !s)
        return s;
    outputs->assign(deviceOutputs.size(), {});
    for (std::size_t i = 0; i < deviceOutputs.size(); ++i)
        if (Status s = m_backend.download(deviceOutputs[i], &(*outputs)[i]); !s)
            return Status::error("downloading graph output '" + m_graph.value(m_graph.outputs()[i]).name
                + "': " + s.message());
    return Status::ok();
}

Status Executor::runDevice(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs)
{
    const auto &graphInputs = m_graph.inputs();
    if (inputs.size() != graphInputs.size())
        return Status::error("graph has " + std::to_string(graphInputs.size()) + " inputs, got "
            + std::to_string(inputs.size()));
    std::vector<Tensor> live(m_graph.values().size());
    std::size_t liveCount = 0;
    m_peakLive = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const TensorDesc &want = *m_graph.desc(graphInputs[i]);
        if (!inputs[i].valid() || inputs[i].dtype != want.dtype || inputs[i].shape != want.shape)
            return Status::error("graph input '" + m_graph.value(graphInputs[i]).name + "' is declared "
                + std::string(dtypeName(want.dtype)) + shapeText(want.shape) + " but got "
                + (inputs[i].valid() ? std::string(dtypeName(inputs[i].dtype)) + shapeText(inputs[i].shape)
                                     : std::string("a tensor without storage")));
        live[std::size_t(graphInputs[i])] = inputs[i];
        ++liveCount;
    }
    for (std::size_t c = 0; c < m_constants.size(); ++c) {
        live[std::size_t(m_graph.constants()[c].value)] = m_constants[c];
        ++liveCount;
    }

    std::vector<Tensor> nodeInputs;
    std::vector<Tensor> nodeOutputs;
    std::vector<TensorDesc> descs;
    for (std::size_t n = 0; n < m_graph.nodes().size(); ++n) {
        const GraphNode &node = m_graph.nodes()[n];
        nodeInputs.clear();
        for (ValueId id : node.inputs)
            nodeInputs.push_back(id == kNoValue ? Tensor {} : live[std::size_t(id)]);
        if (Status s = inferOutputs(node.op, nodeInputs, &descs); !s)
            return Status::error(m_graph.nodeLabel(n) + ": " + s.message());
        nodeOutputs.assign(descs.size(), {});
        for (std::size_t i = 0; i < descs.size(); ++i)
            if (Status s = m_backend.allocate(descs[i], &nodeOutputs[i]); !s)
                return Status::error(
                    m_graph.nodeLabel(n) + ": output " + std::to_string(i) + ": " + s.message());
        if (Status s = m_backend.run(node.op, nodeInputs, nodeOutputs); !s)
            return Status::error(m_graph.nodeLabel(n) + ": " + s.message());
        for (std::size_t i = 0; i < node.outputs.size(); ++i) {
            if (node.outputs[i] == kNoValue)
                continue;
            live[std::size_t(node.outputs[i])] = std::move(nodeOutputs[i]);
            ++liveCount;
        }
        m_peakLive = std::max(m_peakLive, liveCount + (descs.size() - node.outputs.size()));
        // Release what no later node reads; GPU backends keep buffers alive while queued
        // work still uses them, so this is safe before synchronising.
        for (ValueId id : node.inputs) {
            if (id == kNoValue || m_lastUse[std::size_t(id)] != int(n) || m_isOutput[std::size_t(id)])
                continue;
            if (live[std::size_t(id)].valid()) {
                live[std::size_t(id)] = Tensor {};
                --liveCount;
            }
        }
        for (ValueId id : node.outputs) // outputs nobody reads
            if (id != kNoValue && m_lastUse[std::size_t(id)] == -1 && !m_isOutput[std::size_t(id)]
                && live[std::size_t(id)].valid()) {
                live[std::size_t(id)] = Tensor {};
                --liveCount;
            }
    }
    outputs->clear();
    for (ValueId id : m_graph.outputs())
        outputs->push_back(live[std::size_t(id)]);
    return Status::ok();
}

} // namespace tributary::engine
