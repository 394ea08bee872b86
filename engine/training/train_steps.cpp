#include "engine/training/train_steps.h"

#include "engine/graph/executor.h"
#include "engine/training/shuffle.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

namespace tributary::engine::training {

namespace {

Status fail(const std::string &message)
{
    return Status::error("trainSteps: " + message);
}

// "W0", "b0", "W1", …: the parameter's role, so an error says which tensor is wrong.
std::string parameterName(std::size_t index)
{
    return std::string(index % 2 == 0 ? "W" : "b") + std::to_string(index / 2);
}

Status checkTensor(const HostTensor &tensor, const HostTensor &expected, const std::string &what)
{
    if (tensor.dtype != DType::F32)
        return fail(what + " is " + std::string(dtypeName(tensor.dtype)) + " but the model needs f32");
    if (tensor.shape != expected.shape)
        return fail(what + " has shape " + shapeText(tensor.shape) + " but the model needs "
            + shapeText(expected.shape));
    if (tensor.data.size() != expected.data.size())
        return fail(what + " holds " + std::to_string(tensor.data.size()) + " bytes but its shape needs "
            + std::to_string(expected.data.size()));
    return Status::ok();
}

Status checkShard(const Dataset &shard, const MlpConfig &model, std::int64_t batch)
{
    const std::int64_t examples = shard.size();
    if (shard.labels.dtype != DType::I64 || shard.labels.shape.size() != 1)
        return fail("the shard's labels must be i64 [examples], not " + std::string(dtypeName(shard.labels.dtype))
            + " " + shapeText(shard.labels.shape));
    if (shard.images.dtype != DType::F32 || shard.images.shape.size() != 2 || shard.images.shape[0] != examples)
        return fail("the shard's features must be f32 [" + std::to_string(examples) + ", features], not "
            + std::string(dtypeName(shard.images.dtype)) + " " + shapeText(shard.images.shape));
    if (shard.images.data.size() != std::size_t(shard.images.elements()) * sizeof(float)
        || shard.labels.data.size() != std::size_t(examples) * sizeof(std::int64_t))
        return fail("the shard's tensors hold fewer bytes than their shapes need");
    if (shard.features() != model.inputs)
        return fail("the shard has " + std::to_string(shard.features()) + " features but the model takes "
            + std::to_string(model.inputs));
    if (examples <= 0)
        return fail("the shard has no examples");
    if (batch < 1 || batch > examples)
        return fail("batch size " + std::to_string(batch) + " does not fit the shard's "
            + std::to_string(examples) + " examples");
    // An out-of-range label would only show up as a NaN loss: name it instead.
    const std::span<const std::int64_t> labels = shard.labels.i64();
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0 || labels[i] >= model.classes)
            return fail("label " + std::to_string(labels[i]) + " of example " + std::to_string(i)
                + " is outside the model's " + std::to_string(model.classes) + " classes");
    return Status::ok();
}

// Copies rows `order[first .. first+batch)` of the shard into one batch (as the Trainer does).
void gatherBatch(const Dataset &shard, const std::vector<std::int64_t> &order, std::size_t first,
    HostTensor *x, HostTensor *labels)
{
    const std::size_t features = std::size_t(shard.features());
    std::span<float> xs = x->f32();
    std::span<std::int64_t> ls = labels->i64();
    for (std::size_t r = 0; r < ls.size(); ++r) {
        const std::size_t row = std::size_t(order[first + r]);
        std::memcpy(xs.data() + r * features, shard.images.f32().data() + row * features, features * sizeof(float));
        ls[r] = shard.labels.i64()[row];
    }
}

} // namespace

Status trainSteps(Backend &backend, const MlpConfig &model, const OptimizerAttributes &optimizer,
    std::int64_t batch, std::uint64_t shuffleSeed, const Dataset &shard, StepRange range,
    std::vector<HostTensor> *parameters, std::vector<HostTensor> *state, double *meanLoss)
{
    if (!parameters || !state)
        return fail("parameters and state must not be null");
    if (Status s = model.validate(); !s)
        return fail(s.message());
    if (range.first < 0 || range.count < 1)
        return fail("step range [" + std::to_string(range.first) + ", +" + std::to_string(range.count)
            + ") is empty or starts before step 0");
    if (Status s = checkShard(shard, model, batch); !s)
        return s;

    const std::vector<HostTensor> expected = initialParameters(model);
    const std::size_t paramCount = expected.size();
    const std::size_t slots = optimizerStateSlots(optimizer);
    if (parameters->size() != paramCount)
        return fail("got " + std::to_string(parameters->size()) + " parameters but the model has "
            + std::to_string(paramCount));
    for (std::size_t i = 0; i < paramCount; ++i)
        if (Status s = checkTensor((*parameters)[i], expected[i],
                "parameter " + std::to_string(i) + " (" + parameterName(i) + ")");
            !s)
            return s;
    const bool freshState = state->empty();
    if (!freshState) {
        if (state->size() != slots * paramCount)
            return fail("got " + std::to_string(state->size()) + " state tensors but the optimiser needs "
                + std::to_string(slots) + " × " + std::to_string(paramCount) + " = "
                + std::to_string(slots * paramCount) + " (or none for zeros)");
        for (std::size_t i = 0; i < state->size(); ++i)
            if (Status s = checkTensor((*state)[i], expected[i % paramCount],
                    "state tensor " + std::to_string(i) + " (slot " + std::to_string(i / paramCount) + ", "
                        + parameterName(i % paramCount) + ")");
                !s)
                return s;
    }

    // AdamW's step counts the optimiser's updates: from the range's start when its
    // moments come in, from 1 when they start at zero.
    const bool adamW = std::holds_alternative<AdamWAttributes>(optimizer);
    AdamWAttributes adamWStep = adamW ? std::get<AdamWAttributes>(optimizer) : AdamWAttributes {};
    const std::int64_t stepBase = freshState ? 0 : range.first;
    OptimizerAttributes buildWith = optimizer;
    if (adamW) {
        adamWStep.step = stepBase + 1;
        buildWith = adamWStep;
    }

    Graph graph;
    if (Status s = buildTrainingStep(model, batch, buildWith, &graph); !s)
        return fail(s.message());
    std::unique_ptr<Executor> exec;
    if (Status s = Executor::create(graph, backend, &exec); !s)
        return fail(s.message());
    std::vector<std::size_t> adamWNodes;
    for (std::size_t n = 0; n < graph.nodes().size(); ++n)
        if (graph.nodes()[n].op.kind == OpKind::AdamWUpdate)
            adamWNodes.push_back(n);

    // Device state in the graph's input order after x and labels: parameters, then each slot.
    std::vector<Tensor> deviceState((1 + slots) * paramCount);
    const std::vector<HostTensor> zeros = freshState ? zerosLike(expected) : std::vector<HostTensor> {};
    for (std::size_t i = 0; i < deviceState.size(); ++i) {
        const HostTensor &host = i < paramCount ? (*parameters)[i]
            : freshState                        ? zeros[i % paramCount]
                                                : (*state)[i - paramCount];
        if (Status s = backend.upload(host, &deviceState[i]); !s)
            return fail(s.message());
    }

    const std::int64_t examples = shard.size();
    const std::int64_t batchesPerEpoch = examples / batch;
    HostTensor x = HostTensor::zeros(DType::F32, { batch, model.inputs });
    HostTensor labels = HostTensor::zeros(DType::I64, { batch });
    std::vector<Tensor> inputs(2 + deviceState.size());
    std::vector<Tensor> outputs;
    std::vector<std::int64_t> order;
    std::int64_t orderEpoch = -1;
    double lossSum = 0.0;
    for (std::int64_t i = 0; i < range.count; ++i) {
        const std::int64_t step = range.first + i;
        const std::int64_t epoch = step / batchesPerEpoch;
        if (epoch != orderEpoch) {
            order = shuffledIndices(examples, shuffleSeed + std::uint64_t(epoch));
            orderEpoch = epoch;
        }
        gatherBatch(shard, order, std::size_t((step % batchesPerEpoch) * batch), &x, &labels);
        if (Status s = backend.upload(x, &inputs[0]); !s)
            return fail(s.message());
        if (Status s = backend.upload(labels, &inputs[1]); !s)
            return fail(s.message());
        std::copy(deviceState.begin(), deviceState.end(), inputs.begin() + 2);
        adamWStep.step = stepBase + i + 1;
        for (std::size_t n : adamWNodes)
            if (Status s = exec->setNodeAttributes(n, adamWStep); !s)
                return fail(s.message());
        if (Status s = exec->runDevice(inputs, &outputs); !s)
            return fail("step " + std::to_string(step) + ": " + s.message());
        deviceState.assign(outputs.begin() + 1, outputs.end());
        HostTensor loss;
        if (Status s = backend.download(outputs[0], &loss); !s)
            return fail(s.message());
        lossSum += double(loss.f32()[0]);
    }

    // Replace the caller's tensors only once everything has come back.
    std::vector<HostTensor> trained(paramCount);
    std::vector<HostTensor> trainedState(slots * paramCount);
    for (std::size_t i = 0; i < deviceState.size(); ++i)
        if (Status s = backend.download(deviceState[i], i < paramCount ? &trained[i] : &trainedState[i - paramCount]);
            !s)
            return fail(s.message());
    *parameters = std::move(trained);
    *state = std::move(trainedState);
    if (meanLoss)
        *meanLoss = lossSum / double(range.count);
    return Status::ok();
}

} // namespace tributary::engine::training
