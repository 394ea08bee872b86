#pragma once

// Helpers shared by the CPU kernels of the math families (cpu_elementwise.cpp,
// cpu_reduce.cpp, cpu_optimizer.cpp): the canonical summation order (engine/ops/reduce.h),
// reduction index plans and a parallel loop over index ranges. Results never depend on the
// thread count: work is split over independent outputs only, never inside one sum.

#include "engine/cpu/thread_pool.h"
#include "engine/ops/reduce.h"
#include "engine/shape.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tributary::engine::cpumath {

// Runs body(begin, end) over [0, count) in ranges of about `grain` items on the pool.
template<typename Body>
void parallelRanges(ThreadPool &pool, std::int64_t count, std::int64_t grain, const Body &body)
{
    if (count <= 0)
        return;
    grain = std::max<std::int64_t>(grain, 1);
    const std::int64_t tasks = std::min<std::int64_t>((count + grain - 1) / grain, 4096);
    if (tasks == 1 || pool.threadCount() == 1) {
        body(std::int64_t(0), count);
        return;
    }
    const std::int64_t perTask = (count + tasks - 1) / tasks;
    pool.parallelFor(int(tasks), [&](int task) {
        const std::int64_t begin = std::int64_t(task) * perTask;
        const std::int64_t end = std::min(count, begin + perTask);
        if (begin < end)
            body(begin, end);
    });
}

// The canonical sum S(value(0) … value(n-1)): chunks of kReduceChunk summed left to
// right, then the chunk sums left to right. S() of nothing is +0.
template<typename Value>
float canonicalSum(std::int64_t n, const Value &value)
{
    float total = 0.0f;
    for (std::int64_t c = 0; c < n; c += kReduceChunk) {
        const std::int64_t end = std::min(n, c + kReduceChunk);
        float s = value(c);
        for (std::int64_t i = c + 1; i < end; ++i)
            s = s + value(i);
        total = c == 0 ? s : total + s;
    }
    return total;
}

// The canonical max M(v): m = v0; m = (v > m || isnan(v)) ? v : m.
template<typename Value>
float canonicalMax(std::int64_t n, const Value &value)
{
    float m = value(0);
    for (std::int64_t i = 1; i < n; ++i) {
        const float v = value(i);
        m = (v > m || v != v) ? v : m;
    }
    return m;
}

// Offsets (in elements, row-major over `shape`) of all positions whose indices are zero
// outside the dims where `use` is true, enumerated in row-major order over those dims.
inline std::vector<std::int64_t> positionOffsets(const Shape &shape, const std::vector<bool> &use)
{
    const std::vector<std::int64_t> strides = rowMajorStrides(shape);
    std::vector<std::int64_t> offsets{0};
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (!use[d])
            continue;
        std::vector<std::int64_t> next;
        next.reserve(offsets.size() * std::size_t(shape[d]));
        for (std::int64_t base : offsets) {
            for (std::int64_t i = 0; i < shape[d]; ++i)
                next.push_back(base + i * strides[d]);
        }
        offsets.swap(next);
    }
    return offsets;
}

// A reduction of `shape` over the dims in `reduced`: outputs in row-major order of the
// kept dims (their base offsets), and the reduced positions relative to a base.
struct ReducePlan {
    std::vector<std::int64_t> outer;
    std::vector<std::int64_t> inner;
};

inline ReducePlan makeReducePlan(const Shape &shape, const std::vector<bool> &reduced)
{
    std::vector<bool> kept(reduced.size());
    for (std::size_t i = 0; i < reduced.size(); ++i)
        kept[i] = !reduced[i];
    ReducePlan plan;
    if (elementCount(shape) == 0) {
        // Outputs exist only when no kept dim is 0; then every reduction is empty.
        Shape keptShape;
        for (std::size_t i = 0; i < shape.size(); ++i) {
            if (kept[i])
                keptShape.push_back(shape[i]);
        }
        plan.outer.assign(std::size_t(elementCount(keptShape)), 0);
        return plan;
    }
    plan.outer = positionOffsets(shape, kept);
    plan.inner = positionOffsets(shape, reduced);
    return plan;
}

} // namespace tributary::engine::cpumath

#include "engine/ops/shape_inference.h"
#include "engine/tensor.h"

#include <span>
#include <string>

namespace tributary::engine::cpumath {

// Checks a run() call against shape inference: inputs valid where present, outputs
// allocated with the inferred types and shapes (an output without storage is allowed
// only where `optionalFrom` <= its index).
inline Status checkRun(const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs,
                       std::size_t optionalFrom = ~std::size_t(0))
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    const std::string name(opName(op.kind));
    if (outputs.size() != expected.size())
        return Status::error("cpu: " + name + ": expects " + std::to_string(expected.size()) + " outputs, got "
                             + std::to_string(outputs.size()));
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (!outputs[i].valid()) {
            if (i >= optionalFrom)
                continue;
            return Status::error("cpu: " + name + ": output " + std::to_string(i) + " has no storage");
        }
        if (outputs[i].dtype != expected[i].dtype || outputs[i].shape != expected[i].shape)
            return Status::error("cpu: " + name + ": output " + std::to_string(i) + " is "
                                 + std::string(dtypeName(outputs[i].dtype)) + shapeText(outputs[i].shape)
                                 + ", expected " + std::string(dtypeName(expected[i].dtype))
                                 + shapeText(expected[i].shape));
    }
    return Status::ok();
}

} // namespace tributary::engine::cpumath
