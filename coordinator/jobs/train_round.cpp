#include "coordinator/jobs/train_round.h"

#include "coordinator/jobs/train_datasets.h"
#include "coordinator/jobs/train_layout.h"
#include "engine/training/train_steps.h"

#include <cstring>

namespace tributary::coordinator {

using engine::Status;
namespace training = engine::training;

std::string tensorsBytes(const std::vector<engine::HostTensor> &tensors)
{
    std::string bytes;
    for (const engine::HostTensor &t : tensors)
        bytes.append(reinterpret_cast<const char *>(t.f32().data()), t.f32().size_bytes());
    return bytes;
}

Status tensorsFromBytes(const training::MlpConfig &model, std::size_t slots, std::string_view bytes,
    std::vector<engine::HostTensor> *out)
{
    // Layer order, as mlp.h lays the parameters out: W [rows, columns], then b [columns].
    std::vector<engine::Shape> shapes;
    for (const auto &[rows, columns] : model.layers()) {
        shapes.push_back({ rows, columns });
        shapes.push_back({ columns });
    }
    out->clear();
    std::size_t offset = 0;
    for (std::size_t slot = 0; slot < slots; ++slot)
        for (const engine::Shape &shape : shapes) {
            engine::HostTensor t = engine::HostTensor::zeros(engine::DType::F32, shape);
            if (offset + t.f32().size_bytes() > bytes.size())
                return Status::error("too few bytes for the model's parameters");
            std::memcpy(t.f32().data(), bytes.data() + offset, t.f32().size_bytes());
            offset += t.f32().size_bytes();
            out->push_back(std::move(t));
        }
    if (offset != bytes.size())
        return Status::error("more bytes than the model's parameters");
    return Status::ok();
}

Status runTrainRound(engine::Backend &backend, const v1::TrainRoundTask &payload, const std::string &parameters,
    const std::string &state, const std::string &features, const std::string &labels, std::string *output)
{
    const training::MlpConfig model = mlpConfigOf(payload.model());
    const training::OptimizerAttributes optimizer = optimizerOf(payload.optimizer());
    training::Dataset shard;
    if (auto status = datasetFromBytes(features, labels, payload.shard().examples(), payload.shard().feature_count(), &shard);
        !status)
        return status;
    std::vector<engine::HostTensor> params, stateTensors;
    if (auto status = tensorsFromBytes(model, 1, parameters, &params); !status)
        return status;
    if (!state.empty())
        if (auto status = tensorsFromBytes(model, training::optimizerStateSlots(optimizer), state, &stateTensors); !status)
            return status;
    double meanLoss = 0;
    if (auto status = training::trainSteps(backend, model, optimizer, payload.batch_size(), payload.shuffle_seed(), shard,
            training::StepRange { std::int64_t(payload.first_step()), std::int64_t(payload.steps()) }, &params,
            &stateTensors, &meanLoss);
        !status)
        return status;
    *output = tensorsBytes(params);
    if (payload.return_state())
        output->append(tensorsBytes(stateTensors));
    const float loss = float(meanLoss);
    output->append(reinterpret_cast<const char *>(&loss), sizeof loss);
    return Status::ok();
}

} // namespace tributary::coordinator
