// CUDA kernels of the reduce family, bit for bit the CPU reference (engine/ops/reduce.h).
// One thread per output (row, slice, column) keeps the canonical order sequentially; no
// warp shuffles or atomics, so the result does not depend on block sizes.

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"
#include "engine/kernels/exact_math.h"
#include "engine/kernels/index_plan.h"
#include "engine/ops/reduce.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace tributary::engine {

namespace {

constexpr int kThreads = 128;
constexpr long long kChunk = 32; // kReduceChunk

struct GenericParams {
    long long outCount;
    long long n;
    int mode; // 0 sum, 1 sum * scale, 2 max, 3 plain left-to-right sum, 4 the same * scale
    int keptRank;
    int reducedRank;
    float scale;
    long long keptDims[8], keptStrides[8], reducedDims[8], reducedStrides[8];
};

__device__ __forceinline__ float canonicalMaxStep(float m, float v)
{
    return (v > m || em_isnan(v)) ? v : m;
}

__device__ long long reducedOffset(const GenericParams &p, long long index)
{
    long long off = 0;
    for (int d = p.reducedRank - 1; d >= 0; --d) {
        off += (index % p.reducedDims[d]) * p.reducedStrides[d];
        index /= p.reducedDims[d];
    }
    return off;
}

__global__ void genericKernel(const float *x, float *y, GenericParams p)
{
    for (long long o = blockIdx.x * (long long)blockDim.x + threadIdx.x; o < p.outCount;
         o += (long long)gridDim.x * blockDim.x) {
        long long rest = o, base = 0;
        for (int d = p.keptRank - 1; d >= 0; --d) {
            base += (rest % p.keptDims[d]) * p.keptStrides[d];
            rest /= p.keptDims[d];
        }
        float r;
        if (p.mode == 2) {
            r = p.n == 0 ? em_u2f(0xff800000u) : x[base + reducedOffset(p, 0)];
            for (long long i = 1; i < p.n; ++i)
                r = canonicalMaxStep(r, x[base + reducedOffset(p, i)]);
        } else if (p.mode >= 3) {
            float total = p.n == 0 ? 0.0f : x[base + reducedOffset(p, 0)];
            for (long long i = 1; i < p.n; ++i)
                total = total + x[base + reducedOffset(p, i)];
            r = p.mode == 4 ? total * p.scale : total;
        } else {
            float total = 0.0f;
            for (long long c = 0; c < p.n; c += kChunk) {
                const long long end = c + kChunk < p.n ? c + kChunk : p.n;
                float s = x[base + reducedOffset(p, c)];
                for (long long i = c + 1; i < end; ++i)
                    s = s + x[base + reducedOffset(p, i)];
                total = c == 0 ? s : total + s;
            }
            r = p.mode == 1 ? total * p.scale : total;
        }
        y[o] = r;
    }
}

// First pass of a large reduction: thread t = o·chunks + c writes the left-to-right sum
// (or canonical max) of chunk c of output o; genericKernel (mode 2, 3 or 4) combines them.
__global__ void chunkKernel(const float *x, float *partial, GenericParams p, long long chunks)
{
    for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < p.outCount * chunks;
         t += (long long)gridDim.x * blockDim.x) {
        const long long o = t / chunks;
        const long long c = (t % chunks) * kChunk;
        long long rest = o, base = 0;
        for (int d = p.keptRank - 1; d >= 0; --d) {
            base += (rest % p.keptDims[d]) * p.keptStrides[d];
            rest /= p.keptDims[d];
        }
        const long long end = c + kChunk < p.n ? c + kChunk : p.n;
        float s = x[base + reducedOffset(p, c)];
        for (long long i = c + 1; i < end; ++i)
            s = p.mode == 2 ? canonicalMaxStep(s, x[base + reducedOffset(p, i)]) : s + x[base + reducedOffset(p, i)];
        partial[t] = s;
    }
}

__global__ void argMaxKernel(const float *x, long long *y, long long slices, long long length, long long inner,
                             bool selectLast)
{
    for (long long s = blockIdx.x * (long long)blockDim.x + threadIdx.x; s < slices;
         s += (long long)gridDim.x * blockDim.x) {
        const float *p = x + (s / inner) * length * inner + s % inner;
        float m = p[0];
        long long best = 0;
        for (long long k = 1; k < length; ++k) {
            const float v = p[k * inner];
            const bool take = selectLast ? (v >= m || em_isnan(v)) : (v > m || (em_isnan(v) && !em_isnan(m)));
            if (take) {
                m = v;
                best = k;
            }
        }
        y[s] = best;
    }
}

// Softmax (mode 0), LogSoftmax (mode 1) along strided slices.
__global__ void softmaxKernel(const float *x, float *y, long long slices, long long length, long long inner, int mode)
{
    for (long long s = blockIdx.x * (long long)blockDim.x + threadIdx.x; s < slices;
         s += (long long)gridDim.x * blockDim.x) {
        const long long base = (s / inner) * length * inner + s % inner;
        const float *p = x + base;
        float *q = y + base;
        float m = p[0];
        for (long long k = 1; k < length; ++k)
            m = canonicalMaxStep(m, p[k * inner]);
        float total = 0.0f;
        for (long long c = 0; c < length; c += kChunk) {
            const long long end = c + kChunk < length ? c + kChunk : length;
            float part = exact_exp(p[c * inner] - m);
            for (long long k = c + 1; k < end; ++k)
                part = part + exact_exp(p[k * inner] - m);
            total = c == 0 ? part : total + part;
        }
        if (mode == 1) {
            const float logSum = exact_log(total);
            for (long long k = 0; k < length; ++k)
                q[k * inner] = (p[k * inner] - m) - logSum;
        } else {
            for (long long k = 0; k < length; ++k)
                q[k * inner] = exact_div(exact_exp(p[k * inner] - m), total);
        }
    }
}

__global__ void layerNormKernel(const float *x, const float *scale, const float *bias, float *y, float *meanOut,
                                float *invOut, long long rows, long long n, float invN, float epsilon)
{
    for (long long r = blockIdx.x * (long long)blockDim.x + threadIdx.x; r < rows;
         r += (long long)gridDim.x * blockDim.x) {
        const float *p = x + r * n;
        float total = 0.0f;
        for (long long c = 0; c < n; c += kChunk) {
            const long long end = c + kChunk < n ? c + kChunk : n;
            float part = p[c];
            for (long long i = c + 1; i < end; ++i)
                part = part + p[i];
            total = c == 0 ? part : total + part;
        }
        const float mean = total * invN;
        float sq = 0.0f;
        for (long long c = 0; c < n; c += kChunk) {
            const long long end = c + kChunk < n ? c + kChunk : n;
            const float d0 = p[c] - mean;
            float part = d0 * d0;
            for (long long i = c + 1; i < end; ++i) {
                const float d = p[i] - mean;
                part = part + d * d;
            }
            sq = c == 0 ? part : sq + part;
        }
        const float inv = exact_rsqrt(sq * invN + epsilon);
        for (long long i = 0; i < n; ++i) {
            const float t = ((p[i] - mean) * inv) * scale[i];
            y[r * n + i] = bias ? t + bias[i] : t;
        }
        if (meanOut)
            meanOut[r] = mean;
        if (invOut)
            invOut[r] = inv;
    }
}

__global__ void layerNormBackwardRows(const float *dy, const float *x, const float *scale, const float *mean,
                                      const float *inv, float *dx, long long rows, long long n, float invN)
{
    for (long long r = blockIdx.x * (long long)blockDim.x + threadIdx.x; r < rows;
         r += (long long)gridDim.x * blockDim.x) {
        float sa = 0.0f, sb = 0.0f;
        for (long long c = 0; c < n; c += kChunk) {
            const long long end = c + kChunk < n ? c + kChunk : n;
            float pa = dy[r * n + c] * scale[c];
            float pb = pa * ((x[r * n + c] - mean[r]) * inv[r]);
            for (long long i = c + 1; i < end; ++i) {
                const float g = dy[r * n + i] * scale[i];
                pa = pa + g;
                pb = pb + g * ((x[r * n + i] - mean[r]) * inv[r]);
            }
            sa = c == 0 ? pa : sa + pa;
            sb = c == 0 ? pb : sb + pb;
        }
        const float a = sa * invN;
        const float b = sb * invN;
        for (long long i = 0; i < n; ++i) {
            const float g = dy[r * n + i] * scale[i];
            const float xhat = (x[r * n + i] - mean[r]) * inv[r];
            dx[r * n + i] = inv[r] * ((g - a) - xhat * b);
        }
    }
}

__global__ void layerNormBackwardColumns(const float *dy, const float *x, const float *mean, const float *inv,
                                         float *dScale, float *dBias, long long rows, long long n)
{
    for (long long j = blockIdx.x * (long long)blockDim.x + threadIdx.x; j < n;
         j += (long long)gridDim.x * blockDim.x) {
        float ss = 0.0f, sb = 0.0f;
        for (long long c = 0; c < rows; c += kChunk) {
            const long long end = c + kChunk < rows ? c + kChunk : rows;
            float ps = dy[c * n + j] * ((x[c * n + j] - mean[c]) * inv[c]);
            float pb = dy[c * n + j];
            for (long long r = c + 1; r < end; ++r) {
                ps = ps + dy[r * n + j] * ((x[r * n + j] - mean[r]) * inv[r]);
                pb = pb + dy[r * n + j];
            }
            ss = c == 0 ? ps : ss + ps;
            sb = c == 0 ? pb : sb + pb;
        }
        if (dScale)
            dScale[j] = ss;
        if (dBias)
            dBias[j] = sb;
    }
}

__global__ void batchNormKernel(const float *x, const float *scale, const float *bias, const float *mean,
                                const float *var, float *y, long long count, long long channels, long long spatial,
                                float epsilon)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < count;
         i += (long long)gridDim.x * blockDim.x) {
        const long long c = (i / spatial) % channels;
        const float factor = scale[c] * exact_rsqrt(var[c] + epsilon);
        y[i] = (x[i] - mean[c]) * factor + bias[c];
    }
}

__global__ void crossEntropyKernel(const float *x, const void *labels, bool labels64, float *result, long long rows,
                                   long long classes, bool backward, float invN)
{
    for (long long r = blockIdx.x * (long long)blockDim.x + threadIdx.x; r < rows;
         r += (long long)gridDim.x * blockDim.x) {
        const long long label = labels64 ? static_cast<const long long *>(labels)[r]
                                         : static_cast<long long>(static_cast<const int *>(labels)[r]);
        const bool valid = label >= 0 && label < classes;
        const float *p = x + r * classes;
        float m = p[0];
        for (long long k = 1; k < classes; ++k)
            m = canonicalMaxStep(m, p[k]);
        float total = 0.0f;
        for (long long c = 0; c < classes; c += kChunk) {
            const long long end = c + kChunk < classes ? c + kChunk : classes;
            float part = exact_exp(p[c] - m);
            for (long long k = c + 1; k < end; ++k)
                part = part + exact_exp(p[k] - m);
            total = c == 0 ? part : total + part;
        }
        if (backward) {
            for (long long k = 0; k < classes; ++k) {
                const float softmax = exact_div(exact_exp(p[k] - m), total);
                const float d = valid ? softmax - (k == label ? 1.0f : 0.0f) : em_nan();
                result[r * classes + k] = d * invN;
            }
        } else {
            result[r] = valid ? exact_log(total) - (p[label] - m) : em_nan();
        }
    }
}

std::string prefix(const Op &op)
{
    return "cuda: " + std::string(opName(op.kind)) + ": ";
}

unsigned blocksFor(long long total)
{
    return static_cast<unsigned>(std::clamp<long long>((total + kThreads - 1) / kThreads, 1, 65535));
}

Status launched(const char *kernel)
{
    const cudaError_t error = cudaGetLastError();
    if (error != cudaSuccess)
        return Status::error(std::string("cuda: launching ") + kernel + ": " + cudaGetErrorString(error));
    return Status::ok();
}

// axisSlices() as the kernels' arguments.
struct Slices {
    long long slices = 0, length = 0, inner = 0;
};

Slices slicesAround(const Shape &shape, std::int64_t axis)
{
    const AxisSlices v = axisSlices(shape, axis);
    return { v.slices(), v.length, v.inner };
}

float *optionalData(std::span<Tensor> outputs, std::size_t i)
{
    return i < outputs.size() && outputs[i].valid() ? cudaData<float>(outputs[i]) : nullptr;
}

} // namespace

Status cudaReduceGeneric(CudaBackend &backend, const Tensor &x, const std::vector<bool> &reduced, unsigned mode,
                         float scale, const Tensor &y)
{
    const ReduceDims plan = makeReduceDims(x.shape, reduced);
    if (plan.keptDims.size() > 8 || plan.reducedDims.size() > 8)
        return Status::error("cuda: reduction of " + shapeText(x.shape) + " needs more than 8 dims of a kind");
    GenericParams p{};
    long long n = 1;
    for (std::int64_t d : plan.reducedDims)
        n *= d;
    if (x.elements() == 0)
        n = 0;
    p.outCount = y.elements();
    p.n = n;
    p.mode = int(mode);
    p.keptRank = int(plan.keptDims.size());
    p.reducedRank = int(plan.reducedDims.size());
    p.scale = scale;
    for (std::size_t d = 0; d < plan.keptDims.size(); ++d) {
        p.keptDims[d] = plan.keptDims[d];
        p.keptStrides[d] = plan.keptStrides[d];
    }
    for (std::size_t d = 0; d < plan.reducedDims.size(); ++d) {
        p.reducedDims[d] = plan.reducedDims[d];
        p.reducedStrides[d] = plan.reducedStrides[d];
    }
    if (p.outCount == 0)
        return Status::ok();
    const long long chunks = (n + kChunk - 1) / kChunk;
    if (n >= 1024 && p.outCount <= 4096) {
        // Few outputs over many values: chunks in parallel, then each output adds its chunk
        // results left to right (the same order as one pass).
        Tensor partial;
        if (Status s = backend.allocate({DType::F32, {p.outCount * chunks}}, &partial); !s)
            return s;
        chunkKernel<<<blocksFor(p.outCount * chunks), kThreads, 0, backend.stream()>>>(
            cudaData<const float>(x), cudaData<float>(partial), p, chunks);
        if (Status s = launched("chunkKernel"); !s)
            return s;
        GenericParams second{};
        second.outCount = p.outCount;
        second.n = chunks;
        second.mode = p.mode == 2 ? 2 : p.mode + 3;
        second.keptRank = 1;
        second.reducedRank = 1;
        second.scale = scale;
        second.keptDims[0] = p.outCount;
        second.keptStrides[0] = chunks;
        second.reducedDims[0] = chunks;
        second.reducedStrides[0] = 1;
        genericKernel<<<blocksFor(p.outCount), kThreads, 0, backend.stream()>>>(cudaData<const float>(partial),
                                                                              cudaData<float>(y), second);
        return launched("genericKernel");
    }
    genericKernel<<<blocksFor(p.outCount), kThreads, 0, backend.stream()>>>(
        n == 0 ? nullptr : cudaData<const float>(x), cudaData<float>(y), p);
    return launched("genericKernel");
}

bool cudaSupportsReduce(OpKind kind)
{
    return opFamily(kind) == OpFamily::Reduce;
}

Status cudaRunReduce(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    std::vector<TensorDesc> expected;
    if (Status s = inferOutputs(op, inputs, &expected); !s)
        return s;
    const bool optionalOutputs = op.kind == OpKind::LayerNorm || op.kind == OpKind::LayerNormBackward;
    if (outputs.size() != expected.size())
        return Status::error(prefix(op) + "expects " + std::to_string(expected.size()) + " outputs");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const bool mayBeAbsent = optionalOutputs && !(op.kind == OpKind::LayerNorm && i == 0);
        if (!outputs[i].valid() && mayBeAbsent)
            continue;
        if (!outputs[i].valid() || outputs[i].shape != expected[i].shape || outputs[i].dtype != expected[i].dtype)
            return Status::error(prefix(op) + "output " + std::to_string(i) + " is not allocated as "
                                 + shapeText(expected[i].shape));
    }
    CudaBackend &backend = context.backend;
    cudaStream_t stream = backend.stream();
    switch (op.kind) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax: {
        std::vector<bool> mask;
        if (Status s = reducedAxes(op, inputs[0].shape.size(), &mask); !s)
            return s;
        long long n = 1;
        for (std::size_t d = 0; d < mask.size(); ++d) {
            if (mask[d])
                n *= inputs[0].shape[d];
        }
        const unsigned mode = op.kind == OpKind::ReduceSum ? 0 : op.kind == OpKind::ReduceMean ? 1 : 2;
        return cudaReduceGeneric(backend, inputs[0], mask, mode, float(1.0 / double(n)), outputs[0]);
    }
    case OpKind::ArgMax: {
        const ArgMaxAttributes &a = op.attr<ArgMaxAttributes>();
        const Slices s = slicesAround(inputs[0].shape, a.axis);
        if (s.slices == 0)
            return Status::ok();
        argMaxKernel<<<blocksFor(s.slices), kThreads, 0, stream>>>(cudaData<const float>(inputs[0]),
                                                                   cudaData<long long>(outputs[0]), s.slices, s.length,
                                                                   s.inner, a.selectLastIndex);
        return launched("argMaxKernel");
    }
    case OpKind::Softmax:
    case OpKind::LogSoftmax: {
        const Slices s = slicesAround(inputs[0].shape, op.attr<AxisAttributes>().axis);
        if (s.slices == 0 || s.length == 0)
            return Status::ok();
        softmaxKernel<<<blocksFor(s.slices), kThreads, 0, stream>>>(cudaData<const float>(inputs[0]),
                                                                    cudaData<float>(outputs[0]), s.slices, s.length,
                                                                    s.inner, op.kind == OpKind::LogSoftmax ? 1 : 0);
        return launched("softmaxKernel");
    }
    case OpKind::LayerNorm: {
        const NormRows view = layerNormRows(inputs[0].shape, op.attr<NormAttributes>().axis);
        const long long rows = view.rows, n = view.n;
        if (rows == 0 || n == 0)
            return Status::ok();
        const float *bias = inputs.size() > 2 && inputs[2].valid() ? cudaData<const float>(inputs[2]) : nullptr;
        layerNormKernel<<<blocksFor(rows), kThreads, 0, stream>>>(
            cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]), bias, cudaData<float>(outputs[0]),
            optionalData(outputs, 1), optionalData(outputs, 2), rows, n, float(1.0 / double(n)),
            op.attr<NormAttributes>().epsilon);
        return launched("layerNormKernel");
    }
    case OpKind::LayerNormBackward: {
        const NormRows view = layerNormRows(inputs[1].shape, op.attr<NormAttributes>().axis);
        const long long rows = view.rows, n = view.n;
        if (rows == 0 || n == 0)
            return Status::ok();
        const float *dy = cudaData<const float>(inputs[0]);
        const float *xs = cudaData<const float>(inputs[1]);
        const float *mean = cudaData<const float>(inputs[3]);
        const float *inv = cudaData<const float>(inputs[4]);
        if (float *dx = optionalData(outputs, 0)) {
            layerNormBackwardRows<<<blocksFor(rows), kThreads, 0, stream>>>(
                dy, xs, cudaData<const float>(inputs[2]), mean, inv, dx, rows, n, float(1.0 / double(n)));
            if (Status s = launched("layerNormBackwardRows"); !s)
                return s;
        }
        float *dScale = optionalData(outputs, 1);
        float *dBias = optionalData(outputs, 2);
        if (!dScale && !dBias)
            return Status::ok();
        layerNormBackwardColumns<<<blocksFor(n), kThreads, 0, stream>>>(dy, xs, mean, inv, dScale, dBias, rows, n);
        return launched("layerNormBackwardColumns");
    }
    case OpKind::BatchNorm: {
        const Shape &x = inputs[0].shape;
        long long spatial = 1;
        for (std::size_t d = 2; d < x.size(); ++d)
            spatial *= x[d];
        const long long count = inputs[0].elements();
        if (count == 0)
            return Status::ok();
        batchNormKernel<<<blocksFor(count), kThreads, 0, stream>>>(
            cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]), cudaData<const float>(inputs[2]),
            cudaData<const float>(inputs[3]), cudaData<const float>(inputs[4]), cudaData<float>(outputs[0]), count, x[1],
            spatial, op.attr<NormAttributes>().epsilon);
        return launched("batchNormKernel");
    }
    case OpKind::SoftmaxCrossEntropy:
    case OpKind::SoftmaxCrossEntropyBackward: {
        const long long rows = inputs[0].shape[0];
        const long long classes = inputs[0].shape[1];
        const bool backward = op.kind == OpKind::SoftmaxCrossEntropyBackward;
        const float invN = float(1.0 / double(rows));
        Tensor result = outputs[0];
        if (!backward) {
            if (Status s = backend.allocate({DType::F32, {rows}}, &result); !s)
                return s;
        }
        if (rows > 0) {
            crossEntropyKernel<<<blocksFor(rows), kThreads, 0, stream>>>(
                cudaData<const float>(inputs[0]), cudaData<const void>(inputs[1]), inputs[1].dtype == DType::I64,
                cudaData<float>(result), rows, classes, backward, invN);
            if (Status s = launched("crossEntropyKernel"); !s)
                return s;
        }
        if (backward)
            return Status::ok();
        // `result` (the per-row losses) is freed after this returns; cudaFree waits for the device.
        return cudaReduceGeneric(backend, result, {true}, 1, invN, outputs[0]);
    }
    default: break;
    }
    return Status::error(prefix(op) + "not a reduce op");
}

} // namespace tributary::engine
