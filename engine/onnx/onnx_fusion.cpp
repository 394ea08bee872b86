#include "engine/onnx/onnx_fusion.h"

#include "engine/onnx/onnx_tensor.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace tributary::engine {

namespace {

class Index {
public:
    explicit Index(const onnx::GraphProto &g)
    {
        for (const auto &init : g.initializer())
            m_tensors[init.name()] = &init;
        for (int i = 0; i < g.node_size(); ++i) {
            const auto &n = g.node(i);
            for (const auto &out : n.output())
                m_producer[out] = i;
            for (const auto &in : n.input())
                ++m_uses[in];
            if (n.op_type() == "Constant" && n.output_size() == 1)
                for (const auto &a : n.attribute())
                    if (a.name() == "value" && a.type() == onnx::AttributeProto_AttributeType_TENSOR)
                        m_tensors[n.output(0)] = &a.t();
        }
        for (const auto &out : g.output())
            ++m_uses[out.name()];
    }

    // The single float value of a constant scalar (or one-element tensor).
    std::optional<float> scalar(const std::string &name) const
    {
        auto it = m_tensors.find(name);
        if (it == m_tensors.end())
            return std::nullopt;
        HostTensor t;
        if (!tensorFromProto(*it->second, name, &t) || t.dtype != DType::F32 || t.elements() != 1)
            return std::nullopt;
        return t.f32()[0];
    }
    int producer(const std::string &name) const
    {
        auto it = m_producer.find(name);
        return it == m_producer.end() ? -1 : it->second;
    }
    int uses(const std::string &name) const
    {
        auto it = m_uses.find(name);
        return it == m_uses.end() ? 0 : it->second;
    }

private:
    std::map<std::string, const onnx::TensorProto *> m_tensors;
    std::map<std::string, int> m_producer;
    std::map<std::string, int> m_uses;
};

bool near(std::optional<float> v, double target)
{
    return v && std::fabs(double(*v) - target) <= 1e-6 * target;
}

bool isDefaultDomain(const onnx::NodeProto &n)
{
    return n.domain().empty() || n.domain() == "ai.onnx";
}

// For a binary node with operands {a, b}: the operand that is not `known`, or "".
std::string other(const onnx::NodeProto &n, const std::string &known)
{
    if (n.input_size() != 2)
        return {};
    if (n.input(0) == known)
        return n.input(1);
    if (n.input(1) == known)
        return n.input(0);
    return {};
}

// The one node consuming `value` (which nothing else reads), of type `type`.
int soleConsumer(const onnx::GraphProto &g, const Index &index, const std::string &value, const char *type)
{
    if (index.uses(value) != 1)
        return -1;
    for (int i = 0; i < g.node_size(); ++i) {
        const auto &n = g.node(i);
        if (!isDefaultDomain(n) || n.op_type() != type || n.output_size() != 1)
            continue;
        for (const auto &in : n.input())
            if (in == value)
                return i;
    }
    return -1;
}

} // namespace

std::vector<FusedGelu> findErfGelu(const onnx::GraphProto &g)
{
    const Index index(g);
    std::vector<FusedGelu> found;
    for (int e = 0; e < g.node_size(); ++e) {
        const auto &erf = g.node(e);
        if (!isDefaultDomain(erf) || erf.op_type() != "Erf" || erf.input_size() != 1
            || erf.output_size() != 1)
            continue;
        // d = x / √2 or x · (1/√2)
        const int di = index.producer(erf.input(0));
        if (di < 0 || index.uses(erf.input(0)) != 1)
            continue;
        const auto &d = g.node(di);
        if (!isDefaultDomain(d) || d.input_size() != 2)
            continue;
        std::string x;
        if (d.op_type() == "Div" && near(index.scalar(d.input(1)), std::sqrt(2.0)))
            x = d.input(0);
        else if (d.op_type() == "Mul" && near(index.scalar(d.input(1)), std::sqrt(0.5)))
            x = d.input(0);
        else if (d.op_type() == "Mul" && near(index.scalar(d.input(0)), std::sqrt(0.5)))
            x = d.input(1);
        if (x.empty())
            continue;
        // a = e + 1
        const int ai = soleConsumer(g, index, erf.output(0), "Add");
        if (ai < 0 || !near(index.scalar(other(g.node(ai), erf.output(0))), 1.0))
            continue;
        const std::string a = g.node(ai).output(0);
        // Either m = x · a, y = m · 0.5; or h = x · 0.5 (h consumed by the final Mul), y = h · a.
        const int mi = soleConsumer(g, index, a, "Mul");
        if (mi < 0)
            continue;
        const std::string partner = other(g.node(mi), a);
        if (partner == x) {
            const std::string m = g.node(mi).output(0);
            const int yi = soleConsumer(g, index, m, "Mul");
            if (yi < 0 || !near(index.scalar(other(g.node(yi), m)), 0.5))
                continue;
            found.push_back({ { di, e, ai, mi, yi }, x });
            continue;
        }
        const int hi = index.producer(partner);
        if (hi < 0 || index.uses(partner) != 1)
            continue;
        const auto &h = g.node(hi);
        if (!isDefaultDomain(h) || h.op_type() != "Mul" || other(h, x).empty()
            || !near(index.scalar(other(h, x)), 0.5))
            continue;
        found.push_back({ { di, hi, e, ai, mi }, x });
    }
    for (auto &f : found)
        std::sort(f.nodes.begin(), f.nodes.end());
    return found;
}

} // namespace tributary::engine
