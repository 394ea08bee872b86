#include "engine/training/trainer.h"

#include "engine/graph/executor.h"
#include "engine/training/shuffle.h"

#include <chrono>
#include <cstring>

namespace tributary::engine::training {

namespace {

// Copies rows `indices[first .. first+count)` of a dataset into one batch.
void gatherBatch(const Dataset &data, const std::vector<std::int64_t> &indices, std::size_t first,
    std::int64_t count, HostTensor *x, HostTensor *labels)
{
    const std::size_t features = std::size_t(data.features());
    std::span<float> xs = x->f32();
    std::span<std::int64_t> ls = labels->i64();
    for (std::int64_t r = 0; r < count; ++r) {
        const std::size_t row = std::size_t(indices[first + std::size_t(r)]);
        std::memcpy(xs.data() + std::size_t(r) * features, data.images.f32().data() + row * features,
            features * sizeof(float));
        ls[std::size_t(r)] = data.labels.i64()[row];
    }
}

Status checkDataset(const Dataset &data, const MlpConfig &model, const char *which)
{
    if (data.size() <= 0 || data.features() != model.inputs)
        return Status::error(std::string("training: ") + which + " set has " + std::to_string(data.size())
            + " examples of " + std::to_string(data.features()) + " features; the model takes "
            + std::to_string(model.inputs));
    return Status::ok();
}

} // namespace

Status Trainer::evaluate(const MlpConfig &model, const std::vector<Tensor> &parameters, const Dataset &data,
    std::int64_t batchSize, double *accuracy)
{
    if (Status s = checkDataset(data, model, "evaluation"); !s)
        return s;
    std::vector<std::int64_t> order(std::size_t(data.size()));
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = std::int64_t(i);
    std::int64_t correct = 0;
    // One executor per distinct batch size: the full one and the remainder.
    std::int64_t builtFor = 0;
    std::unique_ptr<Executor> exec;
    for (std::int64_t first = 0; first < data.size(); first += batchSize) {
        const std::int64_t count = std::min(batchSize, data.size() - first);
        if (count != builtFor) {
            Graph graph;
            if (Status s = buildEvaluation(model, count, &graph); !s)
                return s;
            if (Status s = Executor::create(graph, m_backend, &exec); !s)
                return s;
            builtFor = count;
        }
        HostTensor x = HostTensor::zeros(DType::F32, { count, model.inputs });
        HostTensor labels = HostTensor::zeros(DType::I64, { count });
        gatherBatch(data, order, std::size_t(first), count, &x, &labels);
        std::vector<Tensor> inputs(1);
        if (Status s = m_backend.upload(x, &inputs[0]); !s)
            return s;
        inputs.insert(inputs.end(), parameters.begin(), parameters.end());
        std::vector<Tensor> outputs;
        if (Status s = exec->runDevice(inputs, &outputs); !s)
            return s;
        HostTensor predicted;
        if (Status s = m_backend.download(outputs[0], &predicted); !s)
            return s;
        for (std::int64_t i = 0; i < count; ++i)
            correct += predicted.i64()[std::size_t(i)] == labels.i64()[std::size_t(i)] ? 1 : 0;
    }
    *accuracy = double(correct) / double(data.size());
    return Status::ok();
}

Status Trainer::train(const Dataset &train, const Dataset *test, const TrainConfig &config, TrainResult *out)
{
    const MlpConfig &model = config.model;
    if (Status s = model.validate(); !s)
        return s;
    if (Status s = checkDataset(train, model, "training"); !s)
        return s;
    if (test)
        if (Status s = checkDataset(*test, model, "test"); !s)
            return s;
    const std::int64_t examples
        = config.trainLimit > 0 ? std::min(config.trainLimit, train.size()) : train.size();
    const std::int64_t batch = config.batchSize;
    if (batch <= 0 || batch > examples)
        return Status::error("training: batch size " + std::to_string(batch) + " does not fit "
            + std::to_string(examples) + " examples");

    const bool adamW = config.optimizer == Optimizer::AdamW;
    AdamWAttributes adamWStep = config.adamW;
    adamWStep.step = 1;
    const OptimizerAttributes optimizer
        = adamW ? OptimizerAttributes(adamWStep) : OptimizerAttributes(config.sgd);
    Graph graph;
    if (Status s = buildTrainingStep(model, batch, optimizer, &graph); !s)
        return s;
    std::unique_ptr<Executor> exec;
    if (Status s = Executor::create(graph, m_backend, &exec); !s)
        return s;
    std::vector<std::size_t> adamWNodes; // their step advances before every run
    for (std::size_t n = 0; n < graph.nodes().size(); ++n)
        if (graph.nodes()[n].op.kind == OpKind::AdamWUpdate)
            adamWNodes.push_back(n);

    // State on the device: parameters, then each optimiser slot's tensors, all zero at first
    // (the graph's input order after x, labels).
    const std::vector<HostTensor> initial = initialParameters(model);
    const std::size_t paramCount = initial.size();
    const std::size_t slots = optimizerStateSlots(optimizer);
    std::vector<Tensor> state((1 + slots) * paramCount);
    const std::vector<HostTensor> zeros = zerosLike(initial);
    for (std::size_t i = 0; i < paramCount; ++i) {
        if (Status s = m_backend.upload(initial[i], &state[i]); !s)
            return s;
        for (std::size_t slot = 1; slot <= slots; ++slot)
            if (Status s = m_backend.upload(zeros[i], &state[slot * paramCount + i]); !s)
                return s;
    }

    TrainResult result;
    HostTensor x = HostTensor::zeros(DType::F32, { batch, model.inputs });
    HostTensor labels = HostTensor::zeros(DType::I64, { batch });
    std::vector<Tensor> inputs(2 + state.size());
    std::vector<Tensor> outputs;
    bool done = false;
    for (int epoch = 0; epoch < config.epochs && !done; ++epoch) {
        if (config.maxSteps > 0 && result.steps >= config.maxSteps)
            break;
        const auto start = std::chrono::steady_clock::now();
        const std::vector<std::int64_t> order
            = shuffledIndices(examples, config.shuffleSeed + std::uint64_t(epoch));
        EpochStats stats;
        stats.epoch = epoch + 1;
        double lossSum = 0.0;
        for (std::int64_t first = 0; first + batch <= examples; first += batch) {
            if (config.maxSteps > 0 && result.steps >= config.maxSteps) {
                done = true;
                break;
            }
            gatherBatch(train, order, std::size_t(first), batch, &x, &labels);
            if (Status s = m_backend.upload(x, &inputs[0]); !s)
                return s;
            if (Status s = m_backend.upload(labels, &inputs[1]); !s)
                return s;
            std::copy(state.begin(), state.end(), inputs.begin() + 2);
            adamWStep.step = result.steps + 1;
            for (std::size_t n : adamWNodes)
                if (Status s = exec->setNodeAttributes(n, adamWStep); !s)
                    return s;
            if (Status s = exec->runDevice(inputs, &outputs); !s)
                return Status::error("training step " + std::to_string(result.steps) + ": " + s.message());
            state.assign(outputs.begin() + 1, outputs.end());
            HostTensor loss;
            if (Status s = m_backend.download(outputs[0], &loss); !s)
                return s;
            lossSum += double(loss.f32()[0]);
            ++stats.steps;
            ++result.steps;
        }
        stats.meanLoss = stats.steps > 0 ? lossSum / double(stats.steps) : 0.0;
        stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (test) {
            const std::vector<Tensor> params(state.begin(), state.begin() + std::ptrdiff_t(paramCount));
            if (Status s = evaluate(model, params, *test, config.evalBatchSize, &stats.testAccuracy); !s)
                return s;
        }
        if (m_onEpoch)
            m_onEpoch(stats);
        result.epochs.push_back(stats);
    }

    result.parameters.resize(paramCount);
    for (std::size_t i = 0; i < paramCount; ++i)
        if (Status s = m_backend.download(state[i], &result.parameters[i]); !s)
            return s;
    result.digest = parameterDigest(result.parameters);
    *out = std::move(result);
    return Status::ok();
}

} // namespace tributary::engine::training
