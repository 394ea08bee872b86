#include "coordinator/jobs/train_datasets.h"

#include <algorithm>
#include <cstring>

namespace tributary::coordinator {

using engine::Status;

namespace {

constexpr std::uint64_t kFashionMnistTrain = 60000, kFashionMnistTest = 10000, kFashionMnistFeatures = 784;

bool isSha256(const std::string &text)
{
    return text.size() == 64
        && std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

Status datasetShape(const v1::DatasetSpec &spec, const std::string &field, DatasetShape *shape)
{
    switch (spec.source_case()) {
    case v1::DatasetSpec::kBuiltin:
        if (spec.builtin() == "fashion-mnist")
            *shape = { kFashionMnistTrain, kFashionMnistFeatures };
        else if (spec.builtin() == "fashion-mnist-test")
            *shape = { kFashionMnistTest, kFashionMnistFeatures };
        else
            return Status::error(field + ".builtin \"" + spec.builtin()
                + "\" is not a dataset this coordinator has (fashion-mnist, fashion-mnist-test)");
        break;
    case v1::DatasetSpec::kTensors: {
        const v1::TensorDataset &t = spec.tensors();
        if (t.examples() == 0 || t.feature_count() == 0)
            return Status::error(field + ".tensors needs examples and feature_count");
        if (!isSha256(t.features().sha256()) || !isSha256(t.labels().sha256()))
            return Status::error(field + ".tensors needs the features and labels blobs' SHA-256 (64 lower-case hex digits)");
        if (t.features().size() != std::uint64_t(t.examples()) * t.feature_count() * sizeof(float))
            return Status::error(field + ".tensors.features.size must be examples × feature_count × 4 bytes");
        if (t.labels().size() != std::uint64_t(t.examples()) * sizeof(std::int64_t))
            return Status::error(field + ".tensors.labels.size must be examples × 8 bytes");
        *shape = { t.examples(), t.feature_count() };
        break;
    }
    case v1::DatasetSpec::SOURCE_NOT_SET:
        return Status::error(field + " is missing: name a built-in dataset or uploaded tensors");
    }
    if (spec.limit() > 0)
        shape->examples = std::min<std::uint64_t>(shape->examples, spec.limit());
    return Status::ok();
}

Status datasetFromBytes(const std::string &features, const std::string &labels, std::uint64_t examples,
    std::uint64_t featureCount, engine::training::Dataset *out)
{
    if (features.size() != examples * featureCount * sizeof(float) || labels.size() != examples * sizeof(std::int64_t))
        return Status::error("dataset blobs of " + std::to_string(features.size()) + " and " + std::to_string(labels.size())
            + " bytes do not hold " + std::to_string(examples) + " examples of " + std::to_string(featureCount)
            + " features");
    out->images = engine::HostTensor::zeros(engine::DType::F32, { std::int64_t(examples), std::int64_t(featureCount) });
    out->labels = engine::HostTensor::zeros(engine::DType::I64, { std::int64_t(examples) });
    std::memcpy(out->images.f32().data(), features.data(), features.size());
    std::memcpy(out->labels.i64().data(), labels.data(), labels.size());
    return Status::ok();
}

Status loadDataset(StoreTransaction &tx, const v1::DatasetSpec &spec, const std::string &field,
    engine::training::Dataset *out)
{
    DatasetShape shape;
    if (auto status = datasetShape(spec, field, &shape); !status)
        return status;
    engine::training::Dataset full;
    if (spec.source_case() == v1::DatasetSpec::kBuiltin) {
        const char *split = spec.builtin() == "fashion-mnist" ? "train" : "t10k";
        if (auto status = engine::training::loadFashionMnist(split, &full); !status)
            return Status::error(field + ": " + status.message() + " (install Debian's dataset-fashion-mnist beside the coordinator)");
    } else {
        const v1::TensorDataset &t = spec.tensors();
        std::optional<std::string> features, labels;
        if (auto status = tx.readBlob(t.features().sha256(), &features); !status)
            return status;
        if (auto status = tx.readBlob(t.labels().sha256(), &labels); !status)
            return status;
        if (!features || !labels)
            return Status::error(field + ".tensors: upload blob " + (!features ? t.features().sha256() : t.labels().sha256())
                + " before submitting the job");
        if (auto status = datasetFromBytes(*features, *labels, t.examples(), t.feature_count(), &full); !status)
            return Status::error(field + ".tensors: " + status.message());
    }
    const std::int64_t examples = std::int64_t(shape.examples);
    if (examples == full.size()) {
        *out = std::move(full);
        return Status::ok();
    }
    return datasetFromBytes(featureBytes(full, 0, examples), labelBytes(full, 0, examples), shape.examples,
        std::uint64_t(full.features()), out);
}

std::string featureBytes(const engine::training::Dataset &data, std::int64_t first, std::int64_t count)
{
    const std::size_t row = std::size_t(data.features()) * sizeof(float);
    const char *begin = reinterpret_cast<const char *>(data.images.f32().data()) + std::size_t(first) * row;
    return std::string(begin, std::size_t(count) * row);
}

std::string labelBytes(const engine::training::Dataset &data, std::int64_t first, std::int64_t count)
{
    const char *begin = reinterpret_cast<const char *>(data.labels.i64().data()) + std::size_t(first) * sizeof(std::int64_t);
    return std::string(begin, std::size_t(count) * sizeof(std::int64_t));
}

} // namespace tributary::coordinator
