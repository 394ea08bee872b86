#include "engine/ops/shape_inference.h"

#include "engine/ops/elementwise.h"
#include "engine/ops/layout.h"
#include "engine/ops/linear.h"
#include "engine/ops/optimizer.h"
#include "engine/ops/reduce.h"

#include <cstdio>
#include <limits>
#include <memory>

namespace tributary::engine {

Status inferOutputs(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    outputs->clear();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs.has(i))
            continue;
        if (Status s = checkShape(inputs[i].shape); !s)
            return Status::error(std::string(opName(op.kind)) + ": input " + std::to_string(i) + ": "
                                 + s.message());
    }
    switch (opFamily(op.kind)) {
    case OpFamily::Elementwise: return inferElementwise(op, inputs, outputs);
    case OpFamily::Linear: return inferLinear(op, inputs, outputs);
    case OpFamily::Reduce: return inferReduce(op, inputs, outputs);
    case OpFamily::Layout: return inferLayout(op, inputs, outputs);
    case OpFamily::Optimizer: return inferOptimizer(op, inputs, outputs);
    }
    return Status::error(std::string(opName(op.kind)) + ": unknown op family");
}

Status inferOutputs(const Op &op, std::span<const Tensor> inputs, std::vector<TensorDesc> *outputs)
{
    std::vector<TensorDesc> descs;
    std::unique_ptr<bool[]> present(new bool[inputs.size()]);
    descs.reserve(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        descs.push_back({inputs[i].dtype, inputs[i].shape});
        present[i] = inputs[i].valid();
    }
    return inferOutputs(op, OpInputs{descs, std::span<const bool>(present.get(), inputs.size())}, outputs);
}

namespace {

std::string tensorText(const TensorDesc &desc)
{
    return "tensor " + std::string(dtypeName(desc.dtype)) + shapeText(desc.shape);
}

} // namespace

std::string byteSizeText(double bytes)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB" };
    std::size_t unit = 0;
    while (bytes >= 1024.0 && unit + 1 < std::size(units)) {
        bytes /= 1024.0;
        ++unit;
    }
    char text[48];
    if (unit == 0)
        std::snprintf(text, sizeof text, "%.0f B", bytes);
    else
        std::snprintf(text, sizeof text, "%.1f %s", bytes, units[unit]);
    return text;
}

Status tensorBytes(const TensorDesc &desc, std::size_t *bytes)
{
    // checkShape's limit: kernels index with int64 and byte sizes stay far from overflow.
    constexpr std::int64_t kMaxElements = std::int64_t(1) << 47;
    const std::size_t elementBytes = dtypeSize(desc.dtype);
    std::int64_t count = 1;
    bool tooMany = false;
    double approximateBytes = double(elementBytes); // for the message only: never overflows
    for (std::int64_t dim : desc.shape) {
        if (dim < 0)
            return Status::error(tensorText(desc) + " has a negative dimension");
        approximateBytes *= double(dim);
        if (dim != 0 && count > kMaxElements / dim)
            tooMany = true;
        else
            count *= dim;
    }
    if (tooMany && approximateBytes > 0.0)
        return Status::error("out of memory: " + tensorText(desc) + " is too large: it needs "
            + byteSizeText(approximateBytes) + ", more than the 2^47 elements a tensor may have");
    if (std::uint64_t(count) > std::numeric_limits<std::size_t>::max() / elementBytes)
        return Status::error("out of memory: " + tensorText(desc) + " is too large: its byte size overflows");
    *bytes = std::size_t(count) * elementBytes;
    return Status::ok();
}

Status outOfMemory(const TensorDesc &desc, std::uint64_t bytes, const std::string &device,
    std::uint64_t availableBytes, const std::string &detail)
{
    return Status::error("out of memory: " + tensorText(desc) + " needs " + byteSizeText(double(bytes)) + ", "
        + device + " has " + byteSizeText(double(availableBytes))
        + (detail.empty() ? std::string() : " (" + detail + ")"));
}

} // namespace tributary::engine
