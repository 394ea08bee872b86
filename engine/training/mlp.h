#pragma once

// Mlp: a multi-layer perceptron (inputs → hidden ReLU layers → classes) expressed as
// engine graphs, so that one training step runs as one graph on any backend with the
// same bits (exact mode).
//
//   MlpConfig model;                                  // 784 → 256 → 10
//   std::vector<HostTensor> params = initialParameters(model);
//   Graph step;
//   buildTrainingStep(model, 100, sgd, &step);       // or an AdamWAttributes
//   //   inputs:  x f32[B, in], labels i64[B], parameters…, state…
//   //   outputs: loss f32[], parameters'…, state'…
//   Graph eval;
//   buildEvaluation(model, 1000, &eval);
//   //   inputs: x f32[B, in], parameters…   outputs: predicted class i64[B]
//
// Parameters are ordered layer by layer: W0 [in, h0], b0 [h0], W1 [h0, h1], b1 [h1], …
// The optimiser state has the parameters' shapes, in the same order, one run of tensors
// per slot (optimizerStateSlots): SGD's velocities; AdamW's first moments (M), then its
// second moments (V).

#include "engine/graph/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tributary::engine::training {

struct MlpConfig {
    std::int64_t inputs = 784;
    std::vector<std::int64_t> hidden { 256 }; // 1 or 2 hidden layers
    std::int64_t classes = 10;
    std::uint64_t seed = 1; // initial weights

    // Rows and columns of each layer's weight: (inputs, h0), (h0, h1), …, (hLast, classes).
    std::vector<std::pair<std::int64_t, std::int64_t>> layers() const;
    Status validate() const;
};

// Deterministic initial parameters: each weight W[fanIn, fanOut] is fillUniform([-1, 1))
// times bound = float(sqrt(6 / fanIn)) (Kaiming-uniform for ReLU), computed once on the
// host; biases are zero. Layer l's weight uses the seed mixed with l.
std::vector<HostTensor> initialParameters(const MlpConfig &config);

// Zero tensors shaped like `parameters` (the initial optimiser state).
std::vector<HostTensor> zerosLike(const std::vector<HostTensor> &parameters);

// The update rule of a training step: SGD (with momentum) or AdamW.
using OptimizerAttributes = std::variant<SgdAttributes, AdamWAttributes>;

// State tensors per parameter: 1 for SGD (velocity), 2 for AdamW (M, V).
std::size_t optimizerStateSlots(const OptimizerAttributes &optimizer);

// The training step: forward, mean softmax cross-entropy, backward (Gemm with transA/transB
// for weight and input gradients, SumToShape for bias gradients, ReluBackward), then one
// SgdUpdate or AdamWUpdate per parameter. AdamW's step is the attributes' step; a trainer
// advances it between runs with Executor::setNodeAttributes on the AdamWUpdate nodes.
Status buildTrainingStep(
    const MlpConfig &config, std::int64_t batch, const OptimizerAttributes &optimizer, Graph *out);

// The forward pass and ArgMax over the classes.
Status buildEvaluation(const MlpConfig &config, std::int64_t batch, Graph *out);

// Counted work, the unit Tributary prices by: 2 FLOPs per multiply-add of the layers'
// matrix products. A training step is the forward pass plus the backward pass's two
// products per layer (input and weight gradients), 6 · batch · Σ rows · columns; an
// evaluation of `examples` rows is the forward pass alone. Element-wise work is not counted.
std::uint64_t trainingStepFlops(const MlpConfig &config, std::int64_t batch);
std::uint64_t forwardFlops(const MlpConfig &config, std::int64_t examples);

// The number of parameter values (weights and biases) of the model.
std::uint64_t parameterCount(const MlpConfig &config);

// Lower-case hex SHA-256 over the bytes of every tensor, in order: the value compared
// across backends.
std::string parameterDigest(const std::vector<HostTensor> &parameters);

} // namespace tributary::engine::training
