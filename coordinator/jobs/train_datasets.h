#pragma once

// The datasets a training or inference job names (tributary.v1.DatasetSpec), read into
// engine tensors: a built-in one from the coordinator's disk, or tensors the client
// uploaded as blobs. Errors name the field and the problem.

#include "coordinator/store/store.h"
#include "engine/status.h"
#include "engine/training/idx_dataset.h"

#include "tributary/v1/training.pb.h"

#include <cstdint>
#include <string>

namespace tributary::coordinator {

// Examples and features a dataset spec describes, without reading it (for validation).
struct DatasetShape {
    std::uint64_t examples = 0;
    std::uint64_t features = 0;
};
engine::Status datasetShape(const v1::DatasetSpec &spec, const std::string &field, DatasetShape *shape);

engine::Status loadDataset(StoreTransaction &tx, const v1::DatasetSpec &spec, const std::string &field,
    engine::training::Dataset *out);

// Rows [first, first + count) of a dataset, as the two blobs' bytes.
std::string featureBytes(const engine::training::Dataset &data, std::int64_t first, std::int64_t count);
std::string labelBytes(const engine::training::Dataset &data, std::int64_t first, std::int64_t count);

// A dataset from the bytes of its two blobs; fails when they do not match `examples` ×
// `features`.
engine::Status datasetFromBytes(const std::string &features, const std::string &labels, std::uint64_t examples,
    std::uint64_t featureCount, engine::training::Dataset *out);

} // namespace tributary::coordinator
