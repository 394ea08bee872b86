// Layout ops on the CPU: the strided copies of planLayoutCopies(), element by element
// as raw bytes (so any dtype and any NaN payload moves unchanged), with a memcpy for
// runs that are contiguous on both sides.

#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/ops/cpu_ops.h"
#include "engine/cpu/thread_pool.h"
#include "engine/ops/layout.h"

#include <algorithm>
#include <cstring>

namespace tributary::engine {

namespace {

// Rows below this many bytes are not worth spreading over the pool.
constexpr std::int64_t kParallelBytes = 1 << 20;

void copyRows(const LayoutCopy &copy, const std::byte *src, std::byte *dst, std::size_t elementBytes,
    std::int64_t firstRow, std::int64_t lastRow)
{
    const std::size_t rank = copy.dims.size();
    const std::int64_t inner = copy.dims[rank - 1];
    const std::int64_t srcInner = copy.srcStrides[rank - 1];
    const std::int64_t dstInner = copy.dstStrides[rank - 1];
    const bool contiguous = srcInner == 1 && dstInner == 1;
    for (std::int64_t row = firstRow; row < lastRow; ++row) {
        std::int64_t rest = row;
        std::int64_t s = copy.srcOffset;
        std::int64_t d = copy.dstOffset;
        for (std::size_t k = rank - 1; k-- > 0;) {
            const std::int64_t i = rest % copy.dims[k];
            rest /= copy.dims[k];
            s += i * copy.srcStrides[k];
            d += i * copy.dstStrides[k];
        }
        if (contiguous) {
            std::memcpy(dst + std::size_t(d) * elementBytes, src + std::size_t(s) * elementBytes,
                std::size_t(inner) * elementBytes);
            continue;
        }
        for (std::int64_t j = 0; j < inner; ++j)
            std::memcpy(dst + std::size_t(d + j * dstInner) * elementBytes,
                src + std::size_t(s + j * srcInner) * elementBytes, elementBytes);
    }
}

} // namespace

bool cpuSupportsLayout(OpKind kind)
{
    switch (kind) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Transpose:
    case OpKind::Concat:
    case OpKind::Slice:
    case OpKind::Identity:
        return true;
    default:
        return false;
    }
}

Status cpuRunLayout(
    CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (!cpuSupportsLayout(op.kind))
        return Status::error("cpu: " + std::string(opName(op.kind)) + " is not a layout op");
    if (outputs.size() != 1 || !outputs[0].valid())
        return Status::error("cpu: " + std::string(opName(op.kind)) + " needs one allocated output");
    std::vector<Shape> shapes;
    for (const Tensor &t : inputs) {
        if (!t.valid())
            return Status::error("cpu: " + std::string(opName(op.kind)) + ": an input has no storage");
        shapes.push_back(t.shape);
    }
    std::vector<LayoutCopy> copies;
    if (Status s = planLayoutCopies(op, shapes, &copies); !s)
        return s;
    const std::size_t elementBytes = dtypeSize(outputs[0].dtype);
    std::byte *dst = cpuData<std::byte>(outputs[0]);
    for (const LayoutCopy &copy : copies) {
        const std::byte *src = cpuData<std::byte>(inputs[std::size_t(copy.input)]);
        const std::int64_t inner = copy.dims.back();
        const std::int64_t rows = copy.elements() / inner;
        const std::int64_t bytes = copy.elements() * std::int64_t(elementBytes);
        const int threads = context.pool.threadCount();
        if (bytes < kParallelBytes || threads == 1 || rows < 2) {
            copyRows(copy, src, dst, elementBytes, 0, rows);
            continue;
        }
        const int tasks = int(std::min<std::int64_t>(rows, threads * 4));
        context.pool.parallelFor(tasks, [&](int task) {
            copyRows(copy, src, dst, elementBytes, rows * task / tasks, rows * (task + 1) / tasks);
        });
    }
    return Status::ok();
}

} // namespace tributary::engine
