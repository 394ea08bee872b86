#include "engine/training/mlp.h"

#include "engine/random_fill.h"
#include "engine/sha256.h"
#include "engine/training/shuffle.h"

#include <cmath>

namespace tributary::engine::training {

namespace {

// Adds single-output nodes and keeps the first error, so the graph builders read as a
// list of layers instead of a list of error checks.
class Builder {
public:
    explicit Builder(Graph &graph)
        : m_graph(graph)
    {
    }

    ValueId node(const std::string &name, Op op, std::vector<ValueId> inputs)
    {
        const ValueId out = m_graph.addValue(name);
        if (m_status)
            m_status = m_graph.addNode(name, std::move(op), std::move(inputs), { out });
        return out;
    }

    ValueId gemm(const std::string &name, ValueId a, ValueId b, ValueId c, bool transA, bool transB)
    {
        GemmAttributes attributes;
        attributes.transA = transA;
        attributes.transB = transB;
        return node(name, { OpKind::Gemm, attributes }, { a, b, c });
    }

    Status status() const { return m_status; }

private:
    Graph &m_graph;
    Status m_status;
};

struct Forward {
    std::vector<ValueId> preActivations; // per hidden layer, before ReLU (ReluBackward's X)
    std::vector<ValueId> activations; // layer inputs: x, then each hidden ReLU output
    ValueId logits = kNoValue;
};

Forward buildForward(Builder &b, ValueId x, const std::vector<ValueId> &params, std::size_t layerCount)
{
    Forward f;
    ValueId h = x;
    for (std::size_t l = 0; l < layerCount; ++l) {
        f.activations.push_back(h);
        const std::string n = std::to_string(l);
        const ValueId z = b.gemm("fc" + n, h, params[2 * l], params[2 * l + 1], false, false);
        if (l + 1 == layerCount) {
            f.logits = z;
            break;
        }
        f.preActivations.push_back(z);
        h = b.node("relu" + n, { OpKind::Relu, NoAttributes {} }, { z });
    }
    return f;
}

std::vector<ValueId> addParameterInputs(Graph &g, const MlpConfig &config, const std::string &prefix)
{
    std::vector<ValueId> ids;
    const auto layers = config.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string n = std::to_string(l);
        ids.push_back(g.addInput(prefix + "W" + n, { DType::F32, { layers[l].first, layers[l].second } }));
        ids.push_back(g.addInput(prefix + "b" + n, { DType::F32, { layers[l].second } }));
    }
    return ids;
}

} // namespace

std::vector<std::pair<std::int64_t, std::int64_t>> MlpConfig::layers() const
{
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    std::int64_t fanIn = inputs;
    for (std::int64_t h : hidden) {
        out.emplace_back(fanIn, h);
        fanIn = h;
    }
    out.emplace_back(fanIn, classes);
    return out;
}

Status MlpConfig::validate() const
{
    if (inputs <= 0 || classes <= 0)
        return Status::error("MLP: inputs and classes must be positive");
    if (hidden.empty() || hidden.size() > 2)
        return Status::error("MLP: 1 or 2 hidden layers supported, got " + std::to_string(hidden.size()));
    for (std::int64_t h : hidden)
        if (h <= 0)
            return Status::error("MLP: hidden layer sizes must be positive");
    return Status::ok();
}

std::vector<HostTensor> initialParameters(const MlpConfig &config)
{
    std::vector<HostTensor> params;
    const auto layers = config.layers();
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const auto [fanIn, fanOut] = layers[l];
        HostTensor w = HostTensor::zeros(DType::F32, { fanIn, fanOut });
        std::uint64_t state = config.seed ^ (0x5eedull * (l + 1));
        fillUniform(w.f32(), splitmix64(&state));
        // sqrt and the division are correctly rounded (IEEE), so the bound is the same float
        // everywhere.
        const float bound = float(std::sqrt(6.0 / double(fanIn)));
        for (float &v : w.f32())
            v *= bound;
        params.push_back(std::move(w));
        params.push_back(HostTensor::zeros(DType::F32, { fanOut }));
    }
    return params;
}

std::vector<HostTensor> zerosLike(const std::vector<HostTensor> &parameters)
{
    std::vector<HostTensor> out;
    for (const HostTensor &p : parameters)
        out.push_back(HostTensor::zeros(p.dtype, p.shape));
    return out;
}

std::size_t optimizerStateSlots(const OptimizerAttributes &optimizer)
{
    return std::holds_alternative<AdamWAttributes>(optimizer) ? 2 : 1;
}

Status buildTrainingStep(
    const MlpConfig &config, std::int64_t batch, const OptimizerAttributes &optimizer, Graph *out)
{
    if (Status s = config.validate(); !s)
        return s;
    const bool adamW = std::holds_alternative<AdamWAttributes>(optimizer);
    Graph g;
    Builder b(g);
    const ValueId x = g.addInput("x", { DType::F32, { batch, config.inputs } });
    const ValueId labels = g.addInput("labels", { DType::I64, { batch } });
    const std::vector<ValueId> params = addParameterInputs(g, config, "");
    // State slots, in the optimiser op's input order after Param and Grad.
    std::vector<std::vector<ValueId>> state;
    const std::vector<std::string> prefixes = adamW ? std::vector<std::string> { "m_", "v_" }
                                                    : std::vector<std::string> { "v_" };
    for (const std::string &prefix : prefixes)
        state.push_back(addParameterInputs(g, config, prefix));
    const std::size_t layerCount = config.layers().size();

    const Forward f = buildForward(b, x, params, layerCount);
    const ValueId loss
        = b.node("loss", { OpKind::SoftmaxCrossEntropy, NoAttributes {} }, { f.logits, labels });

    // Backward, last layer first. dZ is the gradient of the current layer's output.
    std::vector<ValueId> grads(params.size(), kNoValue);
    ValueId dZ
        = b.node("dlogits", { OpKind::SoftmaxCrossEntropyBackward, NoAttributes {} }, { f.logits, labels });
    for (std::size_t l = layerCount; l-- > 0;) {
        const std::string n = std::to_string(l);
        // dW = Xᵀ · dZ; db = dZ summed over the batch.
        grads[2 * l] = b.gemm("dW" + n, f.activations[l], dZ, kNoValue, true, false);
        grads[2 * l + 1] = b.node(
            "db" + n, { OpKind::SumToShape, ShapeAttributes { { config.layers()[l].second } } }, { dZ });
        if (l == 0)
            break; // no gradient for the data
        const ValueId dH = b.gemm("dH" + n, dZ, params[2 * l], kNoValue, false, true); // dZ · Wᵀ
        dZ = b.node("dZ" + std::to_string(l - 1), { OpKind::ReluBackward, NoAttributes {} },
            { dH, f.preActivations[l - 1] });
    }

    if (!b.status())
        return b.status();
    if (Status s = g.addOutput(loss); !s)
        return s;
    const OpKind kind = adamW ? OpKind::AdamWUpdate : OpKind::SgdUpdate;
    const OpAttributes attributes = adamW ? OpAttributes(std::get<AdamWAttributes>(optimizer))
                                          : OpAttributes(std::get<SgdAttributes>(optimizer));
    std::vector<std::vector<ValueId>> newState(state.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        const std::string name = g.value(params[i]).name;
        std::vector<ValueId> nodeInputs { params[i], grads[i] };
        std::vector<ValueId> nodeOutputs { g.addValue(name + "'") };
        for (std::size_t slot = 0; slot < state.size(); ++slot) {
            nodeInputs.push_back(state[slot][i]);
            nodeOutputs.push_back(g.addValue(g.value(state[slot][i]).name + "'"));
            newState[slot].push_back(nodeOutputs.back());
        }
        const std::string nodeName = (adamW ? "adamw_" : "sgd_") + name;
        if (Status s = g.addNode(nodeName, { kind, attributes }, std::move(nodeInputs), nodeOutputs); !s)
            return s;
        if (Status s = g.addOutput(nodeOutputs[0]); !s)
            return s;
    }
    for (const std::vector<ValueId> &slot : newState)
        for (ValueId v : slot)
            if (Status s = g.addOutput(v); !s)
                return s;
    *out = std::move(g);
    return Status::ok();
}

Status buildEvaluation(const MlpConfig &config, std::int64_t batch, Graph *out)
{
    if (Status s = config.validate(); !s)
        return s;
    Graph g;
    Builder b(g);
    const ValueId x = g.addInput("x", { DType::F32, { batch, config.inputs } });
    const std::vector<ValueId> params = addParameterInputs(g, config, "");
    const Forward f = buildForward(b, x, params, config.layers().size());
    ArgMaxAttributes argMax;
    argMax.axis = 1;
    argMax.keepDims = false;
    const ValueId predicted = b.node("predicted", { OpKind::ArgMax, argMax }, { f.logits });
    if (!b.status())
        return b.status();
    if (Status s = g.addOutput(predicted); !s)
        return s;
    *out = std::move(g);
    return Status::ok();
}

std::uint64_t forwardFlops(const MlpConfig &config, std::int64_t examples)
{
    std::uint64_t multiplyAdds = 0;
    for (const auto &[rows, columns] : config.layers())
        multiplyAdds += std::uint64_t(rows) * std::uint64_t(columns);
    return 2 * std::uint64_t(examples) * multiplyAdds;
}

std::uint64_t trainingStepFlops(const MlpConfig &config, std::int64_t batch)
{
    return 3 * forwardFlops(config, batch);
}

std::uint64_t parameterCount(const MlpConfig &config)
{
    std::uint64_t count = 0;
    for (const auto &[rows, columns] : config.layers())
        count += std::uint64_t(rows) * std::uint64_t(columns) + std::uint64_t(columns);
    return count;
}

std::string parameterDigest(const std::vector<HostTensor> &parameters)
{
    std::vector<std::byte> bytes;
    for (const HostTensor &p : parameters)
        bytes.insert(bytes.end(), p.data.begin(), p.data.end());
    return sha256Hex(bytes);
}

} // namespace tributary::engine::training
