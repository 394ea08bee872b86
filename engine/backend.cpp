#include "engine/backend.h"

#include "engine/ops/shape_inference.h"

#include <cstdint>
#include <limits>
#include <string>

namespace tributary::engine {

namespace {

// rows × cols as an element count, or false when it does not fit in size_t.
bool elementCount(int rows, int cols, std::size_t *count)
{
    const auto r = static_cast<std::uint64_t>(rows);
    const auto c = static_cast<std::uint64_t>(cols);
    if (c != 0 && r > std::numeric_limits<std::size_t>::max() / c)
        return false;
    // The byte size must fit too, since backends allocate count * sizeof(float).
    if (r * c > std::numeric_limits<std::size_t>::max() / sizeof(float))
        return false;
    *count = static_cast<std::size_t>(r * c);
    return true;
}

std::string shapeText(GemmShape shape)
{
    return "m=" + std::to_string(shape.m) + " n=" + std::to_string(shape.n) + " k=" + std::to_string(shape.k);
}

Status checkOperand(const char *name, int rows, int cols, std::size_t size, GemmShape shape)
{
    std::size_t needed = 0;
    if (!elementCount(rows, cols, &needed))
        return Status::error(std::string("gemm: ") + name + " size overflows (" + shapeText(shape) + ")");
    if (size < needed)
        return Status::error(std::string("gemm: ") + name + " has " + std::to_string(size) + " elements, needs "
                             + std::to_string(needed) + " (" + std::to_string(rows) + "×" + std::to_string(cols)
                             + ")");
    return Status::ok();
}

} // namespace

std::string_view executionModeName(ExecutionMode mode)
{
    switch (mode) {
    case ExecutionMode::Exact: return "exact";
    case ExecutionMode::Fast: return "fast";
    }
    return "unknown";
}

bool parseExecutionMode(std::string_view name, ExecutionMode *mode)
{
    for (const ExecutionMode candidate : {ExecutionMode::Exact, ExecutionMode::Fast}) {
        if (name == executionModeName(candidate)) {
            if (mode)
                *mode = candidate;
            return true;
        }
    }
    return false;
}

Status checkGemmArguments(std::size_t aSize, std::size_t bSize, std::size_t cSize, GemmShape shape)
{
    if (shape.m <= 0 || shape.n <= 0 || shape.k <= 0)
        return Status::error("gemm: dimensions must be positive (" + shapeText(shape) + ")");
    if (Status s = checkOperand("A", shape.m, shape.k, aSize, shape); !s)
        return s;
    if (Status s = checkOperand("B", shape.k, shape.n, bSize, shape); !s)
        return s;
    return checkOperand("C", shape.m, shape.n, cSize, shape);
}

Status runOp(Backend &backend, const Op &op, std::span<const Tensor> inputs, std::vector<Tensor> *outputs)
{
    std::vector<TensorDesc> descs;
    if (Status s = inferOutputs(op, inputs, &descs); !s)
        return s;
    outputs->clear();
    outputs->resize(descs.size());
    for (std::size_t i = 0; i < descs.size(); ++i) {
        if (Status s = backend.allocate(descs[i], &(*outputs)[i]); !s)
            return s;
    }
    return backend.run(op, inputs, *outputs);
}

} // namespace tributary::engine
