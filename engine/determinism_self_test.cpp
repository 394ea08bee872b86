#include "engine/determinism_self_test.h"

#include "engine/random_fill.h"
#include "engine/sha256.h"

#include <cmath>
#include <limits>
#include <vector>

namespace tributary::engine {

namespace {

HostTensor uniform(const Shape &shape, std::uint64_t seed, float scale)
{
    HostTensor tensor = HostTensor::zeros(DType::F32, shape);
    fillUniform(tensor.f32(), seed);
    for (float &v : tensor.f32())
        v *= scale;
    return tensor;
}

// Values where implementations disagree first: signed zeros, subnormals, the edges of
// exp's range, huge and tiny magnitudes.
HostTensor edgeValues()
{
    std::vector<float> values = {0.0f,   -0.0f,  1e-45f, -1e-45f, 1e-39f, -3e-39f, 1e-30f, 0.5f,
                                 -0.5f,  1.0f,   -1.0f,  2.0f,    88.0f,  -87.0f,  -103.0f, 89.0f,
                                 1e30f,  -1e30f, 3.4e38f, 7.0f,   -7.0f,  0.1f,    -0.1f,  1e-7f};
    std::vector<float> random(1000);
    fillUniform(random, 7);
    for (float &v : random)
        values.push_back(v * 12.0f);
    return HostTensor::fromF32({std::int64_t(values.size())}, values);
}

struct Case {
    Op op;
    std::vector<HostTensor> inputs;
};

std::vector<Case> battery()
{
    std::vector<Case> cases;
    cases.push_back({{OpKind::Gemm, GemmAttributes{false, true, 1.0f, 1.0f}},
                     {uniform({37, 53}, 1, 1.0f), uniform({29, 53}, 2, 1.0f), uniform({29}, 3, 1.0f)}});
    Conv2dAttributes conv;
    conv.pads = {1, 1, 1, 1};
    conv.strides = {2, 1};
    cases.push_back({{OpKind::Conv2d, conv},
                     {uniform({2, 3, 9, 7}, 4, 1.0f), uniform({5, 3, 3, 3}, 5, 0.5f), uniform({5}, 6, 0.1f)}});
    for (OpKind kind : {OpKind::Exp, OpKind::Tanh, OpKind::Gelu, OpKind::Sigmoid, OpKind::Log, OpKind::Sqrt})
        cases.push_back({{kind, NoAttributes{}}, {edgeValues()}});
    const HostTensor edges = edgeValues();
    cases.push_back({{OpKind::Div, NoAttributes{}}, {edges, uniform(edges.shape, 8, 3.0f)}});
    cases.push_back({{OpKind::Softmax, AxisAttributes{-1}}, {uniform({7, 131}, 9, 20.0f)}});
    cases.push_back({{OpKind::LayerNorm, NormAttributes{-1, 1e-5f}},
                     {uniform({6, 97}, 10, 4.0f), uniform({97}, 11, 1.0f), uniform({97}, 12, 1.0f)}});
    cases.push_back({{OpKind::ReduceSum, ReduceAttributes{{}, false}}, {uniform({3, 1000}, 13, 1.0f)}});
    HostTensor secondMoment = uniform({300}, 17, 1e-6f);
    for (float &v : secondMoment.f32())
        v = std::fabs(v); // a second moment is never negative
    cases.push_back({{OpKind::AdamWUpdate, AdamWAttributes{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 3}},
                     {uniform({300}, 14, 1.0f), uniform({300}, 15, 1e-3f), uniform({300}, 16, 1e-4f),
                      secondMoment}});
    return cases;
}

} // namespace

// Measured on the CPU reference; tests/engine/determinism_test.cpp checks it stays so.
// Changing any op of the battery, its inputs or an op's exact definition changes it.
const std::string_view kDeterminismDigest = "76d5b6d8735fe8a803eb1f882abec4caacc8001ed99d9a7545eaeaf7ff82bb5b";

Status runDeterminismSelfTest(Backend &backend, std::string *digest)
{
    Sha256 hash;
    for (const Case &c : battery()) {
        std::vector<Tensor> inputs(c.inputs.size());
        for (std::size_t i = 0; i < c.inputs.size(); ++i) {
            if (Status s = backend.upload(c.inputs[i], &inputs[i]); !s)
                return Status::error("self-test " + std::string(opName(c.op.kind)) + ": " + s.message());
        }
        std::vector<Tensor> outputs;
        if (Status s = runOp(backend, c.op, inputs, &outputs); !s)
            return Status::error("self-test " + std::string(opName(c.op.kind)) + ": " + s.message());
        for (const Tensor &output : outputs) {
            HostTensor host;
            if (Status s = backend.download(output, &host); !s)
                return Status::error("self-test " + std::string(opName(c.op.kind)) + ": " + s.message());
            // NaN payloads are outside the exact-mode contract: hash one canonical NaN.
            if (host.dtype == DType::F32) {
                for (float &v : host.f32()) {
                    if (std::isnan(v))
                        v = std::numeric_limits<float>::quiet_NaN();
                }
            }
            hash.update(host.data);
        }
    }
    static constexpr char kHex[] = "0123456789abcdef";
    digest->clear();
    for (std::uint8_t byte : hash.finish()) {
        digest->push_back(kHex[byte >> 4]);
        digest->push_back(kHex[byte & 15]);
    }
    return Status::ok();
}

} // namespace tributary::engine
