// CUDA kernels of the linear family (definitions in engine/ops/linear.h), the same plan
// as the Vulkan backend (vulkan/ops/vulkan_linear.cpp): one strided, batched GEMM kernel
// with an epilogue, whose batches read their element offsets from a table uploaded per
// op; im2col / col2im / an axis swap around it for the convolutions; pooling forward per
// output and backward gathered per input element. fma only as __fmaf_rn in the GEMM
// chain (the file is built with --fmad=false).

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_tensor_buffer.h"
#include "engine/cuda/ops/cuda_ops.h"
#include "engine/ops/linear.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tributary::engine {

namespace {

using Index = std::int64_t;

constexpr int kTile = 64;     // rows and columns of Y per GEMM block
constexpr int kThreadTile = 4; // rows and columns per thread
constexpr int kDepth = 16;    // p-slice staged in shared memory
constexpr int kBlockSide = kTile / kThreadTile; // 16 × 16 threads
constexpr int kThreads = 256; // elementwise-style kernels
constexpr unsigned kMaxGridZ = 65535;
constexpr unsigned kChunk = 32; // the canonical sum's chunk
static_assert(kChunk == kLinearReduceChunk);

struct GemmParams {
    unsigned m, n, k;
    unsigned aRow, aCol, bRow, bCol, yRow;
    unsigned addRow, addCol;
    float alpha, beta;
    unsigned hasAdded;
};

__global__ void gemmKernel(const float *a, const float *b, float *y, const float *added, const unsigned *offsets,
                           GemmParams p)
{
    __shared__ float tileA[kDepth * kTile]; // [p][row]
    __shared__ float tileB[kDepth * kTile]; // [p][column]
    const unsigned tx = threadIdx.x;
    const unsigned ty = threadIdx.y;
    const unsigned tid = ty * kBlockSide + tx;
    const unsigned row0 = blockIdx.y * kTile;
    const unsigned col0 = blockIdx.x * kTile;
    const unsigned batch = blockIdx.z;
    const unsigned offA = offsets[4 * batch];
    const unsigned offB = offsets[4 * batch + 1];
    const unsigned offY = offsets[4 * batch + 2];
    const unsigned offAdd = offsets[4 * batch + 3];

    float acc[kThreadTile * kThreadTile];
    for (int e = 0; e < kThreadTile * kThreadTile; ++e)
        acc[e] = 0.0f;

    for (unsigned p0 = 0; p0 < p.k; p0 += kDepth) {
        for (unsigned e = tid; e < kTile * kDepth; e += kBlockSide * kBlockSide) {
            const unsigned r = e / kDepth;
            const unsigned q = e % kDepth;
            const unsigned gr = row0 + r;
            const unsigned gp = p0 + q;
            tileA[q * kTile + r] = (gr < p.m && gp < p.k) ? a[offA + gr * p.aRow + gp * p.aCol] : 0.0f;
        }
        for (unsigned e = tid; e < kDepth * kTile; e += kBlockSide * kBlockSide) {
            const unsigned q = e / kTile;
            const unsigned col = e % kTile;
            const unsigned gp = p0 + q;
            const unsigned gc = col0 + col;
            tileB[q * kTile + col] = (gp < p.k && gc < p.n) ? b[offB + gp * p.bRow + gc * p.bCol] : 0.0f;
        }
        __syncthreads();
        const unsigned kc = min(unsigned(kDepth), p.k - p0);
        for (unsigned q = 0; q < kc; ++q) {
            float av[kThreadTile];
            float bv[kThreadTile];
            for (int i = 0; i < kThreadTile; ++i)
                av[i] = tileA[q * kTile + ty + i * kBlockSide];
            for (int j = 0; j < kThreadTile; ++j)
                bv[j] = tileB[q * kTile + tx + j * kBlockSide];
            for (int i = 0; i < kThreadTile; ++i) {
                for (int j = 0; j < kThreadTile; ++j)
                    acc[i * kThreadTile + j] = __fmaf_rn(av[i], bv[j], acc[i * kThreadTile + j]);
            }
        }
        __syncthreads();
    }

    for (int i = 0; i < kThreadTile; ++i) {
        const unsigned r = row0 + ty + i * kBlockSide;
        if (r >= p.m)
            continue;
        for (int j = 0; j < kThreadTile; ++j) {
            const unsigned col = col0 + tx + j * kBlockSide;
            if (col >= p.n)
                continue;
            float v = acc[i * kThreadTile + j];
            if (p.alpha != 1.0f)
                v = __fmul_rn(p.alpha, v);
            if (p.hasAdded) {
                float t = added[offAdd + r * p.addRow + col * p.addCol];
                if (p.beta != 1.0f)
                    t = __fmul_rn(p.beta, t);
                v = __fadd_rn(v, t);
            }
            y[offY + r * p.yRow + col] = v;
        }
    }
}

struct ConvParams {
    unsigned n, c, h, w;
    unsigned kh, kw, oh, ow;
    unsigned groups, cg;
    unsigned strideH, strideW;
    unsigned padTop, padLeft;
    unsigned dilationH, dilationW;
    unsigned total;
};

__global__ void im2colKernel(const float *x, float *cols, ConvParams p)
{
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < p.total; e += gridDim.x * blockDim.x) {
        const unsigned plane = p.oh * p.ow;
        const unsigned s = e % plane;
        const unsigned rest = e / plane;
        const unsigned n = rest % p.n;
        const unsigned kIndex = rest / p.n;
        const unsigned kernelSize = p.cg * p.kh * p.kw;
        const unsigned k = kIndex % kernelSize;
        const unsigned g = kIndex / kernelSize;
        const unsigned kw = k % p.kw;
        const unsigned kh = (k / p.kw) % p.kh;
        const unsigned c = k / (p.kw * p.kh);
        const int h = int((s / p.ow) * p.strideH + kh * p.dilationH) - int(p.padTop);
        const int w = int((s % p.ow) * p.strideW + kw * p.dilationW) - int(p.padLeft);
        float v = 0.0f;
        if (h >= 0 && h < int(p.h) && w >= 0 && w < int(p.w))
            v = x[((n * p.c + g * p.cg + c) * p.h + unsigned(h)) * p.w + unsigned(w)];
        cols[e] = v;
    }
}

__global__ void col2imKernel(const float *cols, float *dx, ConvParams p)
{
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < p.total; e += gridDim.x * blockDim.x) {
        const unsigned wi = e % p.w;
        const unsigned hi = (e / p.w) % p.h;
        const unsigned channel = (e / (p.w * p.h)) % p.c;
        const unsigned n = e / (p.w * p.h * p.c);
        const unsigned g = channel / p.cg;
        const unsigned c = channel % p.cg;
        const unsigned plane = p.oh * p.ow;
        const unsigned base = (n * p.groups + g) * p.cg * p.kh * p.kw * plane;
        float s = 0.0f;
        for (unsigned kh = 0; kh < p.kh; ++kh) {
            const int th = int(hi + p.padTop) - int(kh * p.dilationH);
            if (th < 0 || unsigned(th) % p.strideH != 0u || unsigned(th) / p.strideH >= p.oh)
                continue;
            const unsigned oh = unsigned(th) / p.strideH;
            for (unsigned kw = 0; kw < p.kw; ++kw) {
                const int tw = int(wi + p.padLeft) - int(kw * p.dilationW);
                if (tw < 0 || unsigned(tw) % p.strideW != 0u || unsigned(tw) / p.strideW >= p.ow)
                    continue;
                const unsigned ow = unsigned(tw) / p.strideW;
                s = __fadd_rn(s, cols[base + ((c * p.kh + kh) * p.kw + kw) * plane + oh * p.ow + ow]);
            }
        }
        dx[e] = s;
    }
}

__global__ void swap01Kernel(const float *x, float *y, unsigned a, unsigned b, unsigned c, unsigned total)
{
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < total; e += gridDim.x * blockDim.x) {
        const unsigned ci = e % c;
        const unsigned bi = (e / c) % b;
        const unsigned ai = e / (c * b);
        y[(bi * a + ai) * c + ci] = x[e];
    }
}

struct PoolParams {
    unsigned h, w, kh, kw;
    unsigned oh, ow, strideH, strideW;
    unsigned padTop, padLeft;
    unsigned mode; // 0 max, 1 average
    unsigned total;
};

__device__ unsigned poolArgmax(const float *x, unsigned base, unsigned oh, unsigned ow, const PoolParams &p,
                               float *value)
{
    const int h0 = int(oh * p.strideH) - int(p.padTop);
    const int w0 = int(ow * p.strideW) - int(p.padLeft);
    const int hBegin = max(h0, 0);
    const int hEnd = min(h0 + int(p.kh), int(p.h));
    const int wBegin = max(w0, 0);
    const int wEnd = min(w0 + int(p.kw), int(p.w));
    unsigned best = unsigned(hBegin) * p.w + unsigned(wBegin);
    float m = x[base + best];
    for (int hh = hBegin; hh < hEnd; ++hh) {
        for (int ww = wBegin; ww < wEnd; ++ww) {
            const unsigned at = unsigned(hh) * p.w + unsigned(ww);
            const float v = x[base + at];
            if (v > m || isnan(v)) {
                m = v;
                best = at;
            }
        }
    }
    *value = m;
    return best;
}

__global__ void poolKernel(const float *x, float *y, const float *reciprocals, PoolParams p)
{
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < p.total; e += gridDim.x * blockDim.x) {
        const unsigned ow = e % p.ow;
        const unsigned oh = (e / p.ow) % p.oh;
        const unsigned plane = e / (p.ow * p.oh);
        const unsigned base = plane * p.h * p.w;
        if (p.mode == 0u) {
            float m = 0.0f;
            poolArgmax(x, base, oh, ow, p, &m);
            y[e] = m;
            continue;
        }
        const int h0 = int(oh * p.strideH) - int(p.padTop);
        const int w0 = int(ow * p.strideW) - int(p.padLeft);
        const int hBegin = max(h0, 0);
        const int hEnd = min(h0 + int(p.kh), int(p.h));
        const int wBegin = max(w0, 0);
        const int wEnd = min(w0 + int(p.kw), int(p.w));
        float s = x[base + unsigned(hBegin) * p.w + unsigned(wBegin)];
        bool first = true;
        for (int hh = hBegin; hh < hEnd; ++hh) {
            for (int ww = wBegin; ww < wEnd; ++ww) {
                if (first) {
                    first = false;
                    continue;
                }
                s = __fadd_rn(s, x[base + unsigned(hh) * p.w + unsigned(ww)]);
            }
        }
        y[e] = __fmul_rn(s, reciprocals[oh * p.ow + ow]);
    }
}

__global__ void poolBackwardKernel(const float *dy, const float *x, float *dx, const float *reciprocals, PoolParams p)
{
    for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < p.total; e += gridDim.x * blockDim.x) {
        const unsigned wi = e % p.w;
        const unsigned hi = (e / p.w) % p.h;
        const unsigned plane = e / (p.w * p.h);
        const unsigned base = plane * p.h * p.w;
        const unsigned here = hi * p.w + wi;
        const int top = int(hi + p.padTop);
        const int left = int(wi + p.padLeft);
        const int ohFirst = max(0, (top - int(p.kh) + int(p.strideH)) / int(p.strideH));
        const int ohLast = min(int(p.oh) - 1, top / int(p.strideH));
        const int owFirst = max(0, (left - int(p.kw) + int(p.strideW)) / int(p.strideW));
        const int owLast = min(int(p.ow) - 1, left / int(p.strideW));
        float s = 0.0f;
        for (int oh = ohFirst; oh <= ohLast; ++oh) {
            for (int ow = owFirst; ow <= owLast; ++ow) {
                const unsigned o = unsigned(oh) * p.ow + unsigned(ow);
                const float g = dy[plane * p.oh * p.ow + o];
                if (p.mode == 0u) {
                    float unused = 0.0f;
                    if (poolArgmax(x, base, unsigned(oh), unsigned(ow), p, &unused) == here)
                        s = __fadd_rn(s, g);
                } else {
                    s = __fadd_rn(s, __fmul_rn(g, reciprocals[o]));
                }
            }
        }
        dx[e] = s;
    }
}

__global__ void globalAvgPoolKernel(const float *x, float *y, unsigned planes, unsigned count, float reciprocal)
{
    for (unsigned plane = blockIdx.x * blockDim.x + threadIdx.x; plane < planes; plane += gridDim.x * blockDim.x) {
        const float *v = x + std::size_t(plane) * count;
        float total = 0.0f;
        for (unsigned c0 = 0; c0 < count; c0 += kChunk) {
            const unsigned c1 = min(count, c0 + kChunk);
            float chunk = v[c0];
            for (unsigned i = c0 + 1; i < c1; ++i)
                chunk = __fadd_rn(chunk, v[i]);
            total = c0 == 0 ? chunk : __fadd_rn(total, chunk);
        }
        y[plane] = __fmul_rn(total, reciprocal);
    }
}

// --- host side

std::string prefix(const Op &op)
{
    return "cuda: " + std::string(opName(op.kind)) + ": ";
}

Status checkIndexable(const Op &op, Index elements, const char *what)
{
    if (elements > Index(std::numeric_limits<unsigned>::max()))
        return Status::error(prefix(op) + what + " has " + std::to_string(elements)
                             + " elements, more than 32-bit indexing allows");
    return Status::ok();
}

unsigned blocksFor(Index total)
{
    return static_cast<unsigned>(std::clamp<Index>((total + kThreads - 1) / kThreads, 1, 65535));
}

Status launched(const Op &op, const char *kernel)
{
    const cudaError_t error = cudaGetLastError();
    if (error != cudaSuccess)
        return Status::error(prefix(op) + "launching " + kernel + ": " + cudaGetErrorString(error));
    return Status::ok();
}

Status uploadTable(CudaBackend &backend, const std::vector<unsigned> &values, Tensor *out)
{
    std::vector<std::int32_t> words(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        words[i] = static_cast<std::int32_t>(values[i]);
    return backend.upload(HostTensor::fromI32({Index(words.size())}, words), out);
}

// The kernel arguments of a planned GEMM.
GemmParams gemmParams(const StridedGemmPlan &plan, float alpha, float beta, bool hasAdded)
{
    GemmParams p {};
    p.m = unsigned(plan.m);
    p.n = unsigned(plan.n);
    p.k = unsigned(plan.k);
    p.aRow = unsigned(plan.aRow);
    p.aCol = unsigned(plan.aCol);
    p.bRow = unsigned(plan.bRow);
    p.bCol = unsigned(plan.bCol);
    p.yRow = unsigned(plan.yRow);
    p.addRow = unsigned(plan.addRow);
    p.addCol = unsigned(plan.addCol);
    p.alpha = alpha;
    p.beta = beta;
    p.hasAdded = hasAdded ? 1 : 0;
    return p;
}

// The plan's offset table as the kernel reads it.
std::vector<unsigned> offsetTable(const StridedGemmPlan &plan)
{
    std::vector<unsigned> offsets(plan.offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i)
        offsets[i] = unsigned(plan.offsets[i]);
    return offsets;
}

Status launchGemm(CudaBackend &backend, const Op &op, const GemmParams &params, const float *a, const float *b,
                  float *y, const float *added, const std::vector<unsigned> &offsets)
{
    const std::size_t batches = offsets.size() / 4;
    if (batches > kMaxGridZ)
        return Status::error(prefix(op) + std::to_string(batches) + " GEMM batches, at most "
                             + std::to_string(kMaxGridZ));
    Tensor table;
    if (Status s = uploadTable(backend, offsets, &table); !s)
        return s;
    const dim3 grid((params.n + kTile - 1) / kTile, (params.m + kTile - 1) / kTile, unsigned(batches));
    const dim3 block(kBlockSide, kBlockSide);
    gemmKernel<<<grid, block, 0, backend.stream()>>>(a, b, y, added, cudaData<const unsigned>(table), params);
    return launched(op, "gemm");
}

Status runGemm(CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<GemmAttributes>();
    const Tensor &y = outputs[0];
    const bool hasC = inputs.size() > 2 && inputs[2].valid();
    const StridedGemmPlan plan
        = planGemmStrides(attrs, inputs[0].shape, hasC ? &inputs[2].shape : nullptr, y.shape);
    return launchGemm(backend, op, gemmParams(plan, attrs.alpha, attrs.beta, hasC),
        cudaData<const float>(inputs[0]), cudaData<const float>(inputs[1]), cudaData<float>(y),
        hasC ? cudaData<const float>(inputs[2]) : nullptr, offsetTable(plan));
}

Status runMatMul(
    CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    StridedGemmPlan plan;
    if (Status s = planMatMulStrides(inputs[0].shape, inputs[1].shape, &plan); !s)
        return s;
    return launchGemm(backend, op, gemmParams(plan, 1.0f, 1.0f, false), cudaData<const float>(inputs[0]),
        cudaData<const float>(inputs[1]), cudaData<float>(outputs[0]), nullptr, offsetTable(plan));
}

ConvParams convParams(const Conv2dGeometry &g, Index total)
{
    return {unsigned(g.n),      unsigned(g.c),       unsigned(g.h),         unsigned(g.w),
            unsigned(g.kh),     unsigned(g.kw),      unsigned(g.oh),        unsigned(g.ow),
            unsigned(g.groups), unsigned(g.cg),      unsigned(g.strideH),   unsigned(g.strideW),
            unsigned(g.padTop), unsigned(g.padLeft), unsigned(g.dilationH), unsigned(g.dilationW),
            unsigned(total)};
}

// cols[g][(c, kh, kw)][(n, oh, ow)] for all groups: a new tensor of plan.colsElements.
Status im2col(CudaBackend &backend, const Op &op, const ConvGpuPlan &plan, const Tensor &x, Tensor *cols)
{
    const Index total = plan.colsElements;
    if (Status s = checkIndexable(op, total, "the im2col matrix"); !s)
        return s;
    if (Status s = backend.allocate({ DType::F32, { total } }, cols); !s)
        return s;
    if (total == 0)
        return Status::ok();
    im2colKernel<<<blocksFor(total), kThreads, 0, backend.stream()>>>(
        cudaData<const float>(x), cudaData<float>(*cols), convParams(plan.geometry, total));
    return launched(op, "im2col");
}

Status planConv(const Op &op, std::span<const Tensor> inputs, ConvGpuPlan *plan)
{
    const Shape shapes[] = { inputs[0].shape, inputs[1].shape };
    return planConvGpu(op, shapes, plan);
}

Status runConv2d(
    CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const bool hasBias = inputs.size() > 2 && inputs[2].valid();
    Tensor cols;
    if (Status s = im2col(backend, op, plan, inputs[0], &cols); !s)
        return s;
    return launchGemm(backend, op, gemmParams(plan.gemm, 1.0f, 1.0f, hasBias),
        cudaData<const float>(inputs[1]), cudaData<const float>(cols), cudaData<float>(outputs[0]),
        hasBias ? cudaData<const float>(inputs[2]) : nullptr, offsetTable(plan.gemm));
}

Status runConv2dBackwardInput(
    CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const Index colsTotal = plan.colsElements;
    if (Status s = checkIndexable(op, colsTotal, "the column matrix"); !s)
        return s;
    Tensor cols;
    if (Status s = backend.allocate({ DType::F32, { colsTotal } }, &cols); !s)
        return s;
    if (colsTotal > 0) {
        if (Status s = launchGemm(backend, op, gemmParams(plan.gemm, 1.0f, 1.0f, false),
                cudaData<const float>(inputs[1]), cudaData<const float>(inputs[0]), cudaData<float>(cols),
                nullptr, offsetTable(plan.gemm));
            !s)
            return s;
    }
    const Index total = elementCount(outputs[0].shape);
    col2imKernel<<<blocksFor(total), kThreads, 0, backend.stream()>>>(
        cudaData<const float>(cols), cudaData<float>(outputs[0]), convParams(plan.geometry, total));
    return launched(op, "col2im");
}

Status runConv2dBackwardWeight(
    CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    ConvGpuPlan plan;
    if (Status s = planConv(op, inputs, &plan); !s)
        return s;
    const Conv2dGeometry &g = plan.geometry;
    // dY [N, M, plane] -> [M, N, plane], so each output channel's (n, oh, ow) run is contiguous.
    const Index dyTotal = plan.swappedElements;
    Tensor dyT;
    if (Status s = backend.allocate({ DType::F32, inputs[0].shape }, &dyT); !s)
        return s;
    if (dyTotal > 0) {
        swap01Kernel<<<blocksFor(dyTotal), kThreads, 0, backend.stream()>>>(cudaData<const float>(inputs[0]),
            cudaData<float>(dyT), unsigned(g.n), unsigned(g.m), unsigned(g.outputPlane()), unsigned(dyTotal));
        if (Status s = launched(op, "swap01"); !s)
            return s;
    }
    Tensor cols;
    if (Status s = im2col(backend, op, plan, inputs[1], &cols); !s)
        return s;
    return launchGemm(backend, op, gemmParams(plan.gemm, 1.0f, 1.0f, false), cudaData<const float>(dyT),
        cudaData<const float>(cols), cudaData<float>(outputs[0]), nullptr, offsetTable(plan.gemm));
}

Status runPool(CudaBackend &backend, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<Pool2dAttributes>();
    const Shape &xShape = op.kind == OpKind::AvgPool2dBackward   ? attrs.inputShape
                          : op.kind == OpKind::MaxPool2dBackward ? inputs[1].shape
                                                                 : inputs[0].shape;
    Pool2dGeometry g;
    if (Status s = pool2dGeometry(opName(op.kind), xShape, attrs, &g); !s)
        return s;
    const bool average = op.kind == OpKind::AvgPool2d || op.kind == OpKind::AvgPool2dBackward;
    const Index total = elementCount(outputs[0].shape);
    const PoolParams p{unsigned(g.h),       unsigned(g.w),       unsigned(g.kh),     unsigned(g.kw),
                       unsigned(g.oh),      unsigned(g.ow),      unsigned(g.strideH), unsigned(g.strideW),
                       unsigned(g.padTop),  unsigned(g.padLeft), average ? 1u : 0u,   unsigned(total)};
    Tensor reciprocals;
    const float *r = nullptr;
    if (average) {
        const std::vector<float> values = avgPoolReciprocals(g, attrs.countIncludePad);
        if (Status s = backend.upload(HostTensor::fromF32({Index(values.size())}, values), &reciprocals); !s)
            return s;
        r = cudaData<const float>(reciprocals);
    }
    if (op.kind == OpKind::MaxPool2d || op.kind == OpKind::AvgPool2d) {
        poolKernel<<<blocksFor(total), kThreads, 0, backend.stream()>>>(cudaData<const float>(inputs[0]),
                                                                         cudaData<float>(outputs[0]), r, p);
        return launched(op, "pool");
    }
    const float *x = op.kind == OpKind::MaxPool2dBackward ? cudaData<const float>(inputs[1]) : nullptr;
    poolBackwardKernel<<<blocksFor(total), kThreads, 0, backend.stream()>>>(cudaData<const float>(inputs[0]), x,
                                                                             cudaData<float>(outputs[0]), r, p);
    return launched(op, "pool backward");
}

Status runGlobalAvgPool(CudaBackend &backend, const Op &op, std::span<const Tensor> inputs,
                        std::span<Tensor> outputs)
{
    const Shape &s = inputs[0].shape;
    const Index planes = s[0] * s[1];
    const Index count = s[2] * s[3];
    const float reciprocal = static_cast<float>(1.0 / static_cast<double>(count));
    globalAvgPoolKernel<<<blocksFor(planes), kThreads, 0, backend.stream()>>>(
        cudaData<const float>(inputs[0]), cudaData<float>(outputs[0]), unsigned(planes), unsigned(count), reciprocal);
    return launched(op, "global average pool");
}

} // namespace

bool cudaSupportsLinear(OpKind kind)
{
    return opFamily(kind) == OpFamily::Linear;
}

Status cudaRunLinear(CudaOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (outputs.empty() || elementCount(outputs[0].shape) == 0)
        return Status::ok();
    for (const Tensor &t : inputs) {
        if (Status s = checkIndexable(op, t.valid() ? t.elements() : 0, "an input"); !s)
            return s;
    }
    if (Status s = checkIndexable(op, outputs[0].elements(), "the output"); !s)
        return s;
    CudaBackend &backend = context.backend;
    switch (op.kind) {
    case OpKind::Gemm: return runGemm(backend, op, inputs, outputs);
    case OpKind::MatMul: return runMatMul(backend, op, inputs, outputs);
    case OpKind::Conv2d: return runConv2d(backend, op, inputs, outputs);
    case OpKind::Conv2dBackwardInput: return runConv2dBackwardInput(backend, op, inputs, outputs);
    case OpKind::Conv2dBackwardWeight: return runConv2dBackwardWeight(backend, op, inputs, outputs);
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
    case OpKind::MaxPool2dBackward:
    case OpKind::AvgPool2dBackward: return runPool(backend, op, inputs, outputs);
    case OpKind::GlobalAvgPool: return runGlobalAvgPool(backend, op, inputs, outputs);
    default: break;
    }
    return Status::error(prefix(op) + "not a linear op");
}

} // namespace tributary::engine
