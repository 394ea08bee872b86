// CPU kernels of the linear family (definitions in engine/ops/linear.h). Gemm, MatMul and
// the convolutions reduce to the backend's packed, multi-threaded exact GEMM (one fma
// chain per output in increasing p), so their bits do not depend on the thread count;
// the GEMM is only ever called from this thread, never from inside a pool task.

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/cpu_buffer.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/ops/cpu_ops.h"
#include "engine/ops/linear.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

namespace tributary::engine {

namespace {

using Index = std::int64_t;

// A scratch vector, or an error instead of an exception when memory runs out.
Status scratch(std::vector<float> *v, Index count, const char *what)
{
    try {
        v->assign(static_cast<std::size_t>(count), 0.0f);
    } catch (const std::bad_alloc &) {
        return Status::error("cpu: out of memory allocating " + std::to_string((count * 4) >> 20) + " MiB for "
                             + what);
    }
    return Status::ok();
}

// C[m×n] = A[m×k]·B[k×n] with the exact chain; handles the empty cases the backend GEMM
// rejects (k == 0 gives +0.0f).
Status exactGemm(CpuOpContext &context, const float *a, const float *b, float *c, Index m, Index n, Index k)
{
    if (m == 0 || n == 0)
        return Status::ok();
    if (k == 0) {
        std::fill(c, c + m * n, 0.0f);
        return Status::ok();
    }
    if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
        return Status::error("cpu: GEMM of " + std::to_string(m) + "x" + std::to_string(k) + " by "
                             + std::to_string(k) + "x" + std::to_string(n) + " is too large");
    return context.backend.gemm(std::span<const float>(a, static_cast<std::size_t>(m * k)),
                                std::span<const float>(b, static_cast<std::size_t>(k * n)),
                                std::span<float>(c, static_cast<std::size_t>(m * n)),
                                GemmShape{static_cast<int>(m), static_cast<int>(n), static_cast<int>(k)});
}

// out[cols×rows] = in[rows×cols]ᵀ, in cache-sized blocks.
void transpose(const float *in, float *out, Index rows, Index cols)
{
    constexpr Index kBlock = 32;
    for (Index r0 = 0; r0 < rows; r0 += kBlock) {
        for (Index c0 = 0; c0 < cols; c0 += kBlock) {
            const Index r1 = std::min(rows, r0 + kBlock);
            const Index c1 = std::min(cols, c0 + kBlock);
            for (Index r = r0; r < r1; ++r) {
                for (Index c = c0; c < c1; ++c)
                    out[c * rows + r] = in[r * cols + c];
            }
        }
    }
}

// Runs body(i) for i in [0, count), on the pool when there is enough work.
template<typename Body>
void parallelRange(CpuOpContext &context, Index count, Index workPerItem, const Body &body)
{
    constexpr Index kInlineWork = 1 << 15;
    if (count <= 1 || count * workPerItem < kInlineWork) {
        for (Index i = 0; i < count; ++i)
            body(i);
        return;
    }
    const Index tasks = std::min<Index>(count, Index(context.pool.threadCount()) * 8);
    context.pool.parallelFor(static_cast<int>(tasks), [&](int task) {
        const Index begin = count * task / tasks;
        const Index end = count * (task + 1) / tasks;
        for (Index i = begin; i < end; ++i)
            body(i);
    });
}

// --- Gemm, MatMul

Status runGemm(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<GemmAttributes>();
    const Tensor &ta = inputs[0];
    const Tensor &tb = inputs[1];
    Tensor &ty = outputs[0];
    const Index m = ty.shape[0];
    const Index n = ty.shape[1];
    const Index k = attrs.transA ? ta.shape[0] : ta.shape[1];
    const float *a = cpuData<float>(ta);
    const float *b = cpuData<float>(tb);
    float *y = cpuData<float>(ty);

    std::vector<float> packedA;
    std::vector<float> packedB;
    if (attrs.transA) {
        if (Status s = scratch(&packedA, m * k, "transposed A"); !s)
            return s;
        transpose(a, packedA.data(), k, m);
        a = packedA.data();
    }
    if (attrs.transB) {
        if (Status s = scratch(&packedB, k * n, "transposed B"); !s)
            return s;
        transpose(b, packedB.data(), n, k);
        b = packedB.data();
    }
    if (Status s = exactGemm(context, a, b, y, m, n, k); !s)
        return s;

    const bool hasC = inputs.size() > 2 && inputs[2].valid();
    if (attrs.alpha == 1.0f && !hasC)
        return Status::ok();
    const float alpha = attrs.alpha;
    const float beta = attrs.beta;
    const float *c = hasC ? cpuData<float>(inputs[2]) : nullptr;
    Index cRows = 1;
    Index cCols = 1;
    if (hasC) {
        const Shape &cs = inputs[2].shape;
        if (cs.size() >= 1)
            cCols = cs[cs.size() - 1];
        if (cs.size() == 2)
            cRows = cs[0];
    }
    parallelRange(context, m, n, [&](Index i) {
        float *row = y + i * n;
        for (Index j = 0; j < n; ++j) {
            float r = alpha == 1.0f ? row[j] : alpha * row[j];
            if (c) {
                const float cv = c[(cRows == 1 ? 0 : i) * cCols + (cCols == 1 ? 0 : j)];
                r = r + (beta == 1.0f ? cv : beta * cv);
            }
            row[j] = r;
        }
    });
    return Status::ok();
}

Status runMatMul(CpuOpContext &context, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    MatMulPlan plan;
    if (Status s = planMatMul(inputs[0].shape, inputs[1].shape, &plan); !s)
        return s;
    const float *a = cpuData<float>(inputs[0]);
    const float *b = cpuData<float>(inputs[1]);
    float *y = cpuData<float>(outputs[0]);
    const Index m = plan.m, n = plan.n, k = plan.k;

    // B shared by every batch and A not broadcast: one GEMM with the batches stacked as rows.
    if (plan.batchesB == 1 && plan.batchesA == plan.batches())
        return exactGemm(context, a, b, y, plan.batches() * m, n, k);

    for (Index index = 0; index < plan.batches(); ++index) {
        if (Status s = exactGemm(context, a + plan.offsetA[std::size_t(index)], b + plan.offsetB[std::size_t(index)],
                                 y + index * m * n, m, n, k);
            !s)
            return s;
    }
    return Status::ok();
}

// --- convolutions

// The range [begin, end) of output positions o in [0, count) whose input position
// o·stride + offset lies inside [0, size).
void insideRange(Index offset, Index stride, Index size, Index count, Index *begin, Index *end)
{
    const Index first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    const Index last = size - 1 - offset < 0 ? -1 : (size - 1 - offset) / stride; // inclusive
    *begin = std::min(first, count);
    *end = std::max(*begin, std::min(count, last + 1));
}

// cols[(c, kh, kw)][(oh, ow)] of image plane group `x` (cg channels of h×w), +0.0f at
// padding; row r of cols starts at cols + r·ld.
void im2col(CpuOpContext &context, const Conv2dGeometry &g, const float *x, float *cols, Index ld)
{
    const Index plane = g.oh * g.ow;
    parallelRange(context, g.kernelSize(), plane, [&](Index row) {
        const Index kw = row % g.kw;
        const Index kh = (row / g.kw) % g.kh;
        const Index c = row / (g.kw * g.kh);
        const float *xc = x + c * g.h * g.w;
        float *out = cols + row * ld;
        Index begin = 0;
        Index end = 0;
        insideRange(kw * g.dilationW - g.padLeft, g.strideW, g.w, g.ow, &begin, &end);
        for (Index oh = 0; oh < g.oh; ++oh) {
            const Index h = oh * g.strideH - g.padTop + kh * g.dilationH;
            float *o = out + oh * g.ow;
            if (h < 0 || h >= g.h) {
                std::fill(o, o + g.ow, 0.0f);
                continue;
            }
            const Index offset = kw * g.dilationW - g.padLeft;
            const float *xr = xc + h * g.w;
            std::fill(o, o + begin, 0.0f);
            if (g.strideW == 1 && end > begin) {
                std::memcpy(o + begin, xr + begin + offset, static_cast<std::size_t>(end - begin) * sizeof(float));
            } else {
                for (Index ow = begin; ow < end; ++ow)
                    o[ow] = xr[ow * g.strideW + offset];
            }
            std::fill(o + end, o + g.ow, 0.0f);
        }
    });
}

Status runConv2d(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    Conv2dGeometry g;
    if (Status s = conv2dGeometry("Conv2d", inputs[0].shape, inputs[1].shape, op.attr<Conv2dAttributes>(), &g); !s)
        return s;
    const float *x = cpuData<float>(inputs[0]);
    const float *w = cpuData<float>(inputs[1]);
    const float *bias = inputs.size() > 2 && inputs[2].valid() ? cpuData<float>(inputs[2]) : nullptr;
    float *y = cpuData<float>(outputs[0]);
    const Index plane = g.outputPlane();
    const Index k = g.kernelSize();
    // Several images per GEMM (their columns side by side) when planes are small, so the
    // GEMM has enough columns to keep every thread busy; the im2col matrix stays below
    // kMaxColumnFloats. Each output's chain is unchanged: batching only adds columns.
    constexpr Index kTargetColumns = 1024;
    constexpr Index kMaxColumnFloats = Index(1) << 22;
    Index batch = std::clamp<Index>((kTargetColumns + plane - 1) / plane, 1, g.n);
    batch = std::max<Index>(1, std::min(batch, kMaxColumnFloats / std::max<Index>(1, k * plane)));
    std::vector<float> cols;
    std::vector<float> staged; // the GEMM's [mg, batch·plane] result when batch > 1
    if (Status s = scratch(&cols, k * batch * plane, "im2col"); !s)
        return s;
    if (batch > 1) {
        if (Status s = scratch(&staged, g.mg * batch * plane, "staged output"); !s)
            return s;
    }
    for (Index n0 = 0; n0 < g.n; n0 += batch) {
        const Index images = std::min(batch, g.n - n0);
        const Index columns = images * plane;
        for (Index group = 0; group < g.groups; ++group) {
            for (Index i = 0; i < images; ++i)
                im2col(context, g, x + ((n0 + i) * g.c + group * g.cg) * g.h * g.w, cols.data() + i * plane, columns);
            if (batch == 1) {
                if (Status s = exactGemm(context, w + group * g.mg * k, cols.data(),
                                         y + (n0 * g.m + group * g.mg) * plane, g.mg, plane, k);
                    !s)
                    return s;
                continue;
            }
            if (Status s = exactGemm(context, w + group * g.mg * k, cols.data(), staged.data(), g.mg, columns, k); !s)
                return s;
            parallelRange(context, g.mg * images, plane, [&](Index mi) {
                const Index m = mi / images;
                const Index i = mi % images;
                const float *in = staged.data() + m * columns + i * plane;
                float *out = y + ((n0 + i) * g.m + group * g.mg + m) * plane;
                if (bias) {
                    const float b = bias[group * g.mg + m];
                    for (Index e = 0; e < plane; ++e)
                        out[e] = in[e] + b;
                } else {
                    std::memcpy(out, in, static_cast<std::size_t>(plane) * sizeof(float));
                }
            });
        }
    }
    if (bias && batch == 1) {
        parallelRange(context, g.n * g.m, plane, [&](Index nm) {
            const float b = bias[nm % g.m];
            float *out = y + nm * plane;
            for (Index i = 0; i < plane; ++i)
                out[i] = out[i] + b;
        });
    }
    return Status::ok();
}

Status runConv2dBackwardInput(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                              std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<Conv2dAttributes>();
    Conv2dGeometry g;
    if (Status s = conv2dGeometry("Conv2dBackwardInput", attrs.inputShape, inputs[1].shape, attrs, &g); !s)
        return s;
    const float *dy = cpuData<float>(inputs[0]);
    const float *w = cpuData<float>(inputs[1]);
    float *dx = cpuData<float>(outputs[0]);
    const Index plane = g.outputPlane();
    const Index k = g.kernelSize();
    std::vector<float> wt;
    std::vector<float> cols;
    if (Status s = scratch(&wt, g.m * k, "transposed W"); !s)
        return s;
    if (Status s = scratch(&cols, k * plane, "columns"); !s)
        return s;
    for (Index group = 0; group < g.groups; ++group)
        transpose(w + group * g.mg * k, wt.data() + group * g.mg * k, g.mg, k);
    for (Index n = 0; n < g.n; ++n) {
        for (Index group = 0; group < g.groups; ++group) {
            if (Status s = exactGemm(context, wt.data() + group * g.mg * k, dy + (n * g.m + group * g.mg) * plane,
                                     cols.data(), k, plane, g.mg);
                !s)
                return s;
            // col2im as a scatter over cols' rows in (kh, kw) order: each dX element still
            // receives its terms in increasing (kh, kw) (at most one per row), starting
            // from +0.0f, while cols is read sequentially.
            float *dxg = dx + (n * g.c + group * g.cg) * g.h * g.w;
            parallelRange(context, g.cg, g.kh * g.kw * plane, [&](Index c) {
                float *out = dxg + c * g.h * g.w;
                std::fill(out, out + g.h * g.w, 0.0f);
                for (Index kh = 0; kh < g.kh; ++kh) {
                    for (Index kw = 0; kw < g.kw; ++kw) {
                        const float *row = cols.data() + ((c * g.kh + kh) * g.kw + kw) * plane;
                        Index begin = 0;
                        Index end = 0;
                        insideRange(kw * g.dilationW - g.padLeft, g.strideW, g.w, g.ow, &begin, &end);
                        for (Index oh = 0; oh < g.oh; ++oh) {
                            const Index h = oh * g.strideH - g.padTop + kh * g.dilationH;
                            if (h < 0 || h >= g.h)
                                continue;
                            float *outRow = out + h * g.w;
                            const float *in = row + oh * g.ow;
                            const Index offset = kw * g.dilationW - g.padLeft;
                            for (Index ow = begin; ow < end; ++ow) {
                                float &target = outRow[ow * g.strideW + offset];
                                target = target + in[ow];
                            }
                        }
                    }
                }
            });
        }
    }
    return Status::ok();
}

// dW is computed transposed, dWᵀ[k][m] = im2col(X)[k][(n, oh, ow)] · dYᵀ[(n, oh, ow)][m],
// image by image: the micro-kernel continues each output's chain (accumulate) from one
// image's columns to the next, so the chain runs over (n, oh, ow) in order without ever
// holding the whole batch's im2col matrix.
Status runConv2dBackwardWeight(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs,
                               std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<Conv2dAttributes>();
    Conv2dGeometry g;
    if (Status s = conv2dGeometry("Conv2dBackwardWeight", inputs[1].shape, attrs.weightShape, attrs, &g); !s)
        return s;
    const float *dy = cpuData<float>(inputs[0]);
    const float *x = cpuData<float>(inputs[1]);
    float *dw = cpuData<float>(outputs[0]);
    if (g.n == 0) {
        std::fill(dw, dw + elementCount(attrs.weightShape), 0.0f);
        return Status::ok();
    }
    constexpr Index kDepthBlock = 256;
    const GemmKernel kernel = selectGemmKernel();
    const Index plane = g.outputPlane();
    const Index k = g.kernelSize();
    const Index panels = (g.mg + kPanelWidth - 1) / kPanelWidth;
    const Index ldc = panels * kPanelWidth;
    const Index rowTiles = (k + kernel.maxRows - 1) / kernel.maxRows;
    std::vector<float> cols;   // one image's im2col, [k, plane]
    std::vector<float> packed; // one image's dYᵀ in kernel panels: [panel][p][kPanelWidth]
    std::vector<float> dwT;    // [k, ldc]
    if (Status s = scratch(&cols, k * plane, "im2col"); !s)
        return s;
    if (Status s = scratch(&packed, panels * kPanelWidth * plane, "packed dY"); !s)
        return s;
    if (Status s = scratch(&dwT, k * ldc, "transposed dW"); !s)
        return s;
    for (Index group = 0; group < g.groups; ++group) {
        for (Index n = 0; n < g.n; ++n) {
            im2col(context, g, x + (n * g.c + group * g.cg) * g.h * g.w, cols.data(), plane);
            parallelRange(context, panels, kPanelWidth * plane, [&](Index q) {
                float *out = packed.data() + q * plane * kPanelWidth;
                for (Index j = 0; j < kPanelWidth; ++j) {
                    const Index m = q * kPanelWidth + j;
                    if (m >= g.mg) {
                        for (Index p = 0; p < plane; ++p)
                            out[p * kPanelWidth + j] = 0.0f;
                        continue;
                    }
                    const float *src = dy + (n * g.m + group * g.mg + m) * plane;
                    for (Index p = 0; p < plane; ++p)
                        out[p * kPanelWidth + j] = src[p];
                }
            });
            parallelRange(context, rowTiles, ldc * plane * kernel.maxRows, [&](Index t) {
                const Index i0 = t * kernel.maxRows;
                for (Index q = 0; q < panels; ++q) {
                    for (Index p0 = 0; p0 < plane; p0 += kDepthBlock) {
                        GemmTile tile;
                        tile.rows = static_cast<int>(std::min<Index>(kernel.maxRows, k - i0));
                        tile.a = cols.data() + i0 * plane + p0;
                        tile.lda = static_cast<std::size_t>(plane);
                        tile.b = packed.data() + (q * plane + p0) * kPanelWidth;
                        tile.c = dwT.data() + i0 * ldc + q * kPanelWidth;
                        tile.ldc = static_cast<std::size_t>(ldc);
                        tile.kc = static_cast<int>(std::min<Index>(kDepthBlock, plane - p0));
                        tile.accumulate = n > 0 || p0 > 0;
                        kernel.run(tile);
                    }
                }
            });
        }
        float *dwg = dw + group * g.mg * k;
        parallelRange(context, g.mg, k, [&](Index m) {
            for (Index kk = 0; kk < k; ++kk)
                dwg[m * k + kk] = dwT[static_cast<std::size_t>(kk * ldc + m)];
        });
    }
    return Status::ok();
}

// --- pooling

// The MaxPool2d argmax of window (oh, ow) in a plane, as an offset h·W + w.
Index maxPoolArgmax(const Pool2dGeometry &g, const float *x, Index oh, Index ow, float *value)
{
    const Index h0 = oh * g.strideH - g.padTop;
    const Index w0 = ow * g.strideW - g.padLeft;
    const Index hBegin = std::max<Index>(h0, 0);
    const Index hEnd = std::min(h0 + g.kh, g.h);
    const Index wBegin = std::max<Index>(w0, 0);
    const Index wEnd = std::min(w0 + g.kw, g.w);
    Index best = hBegin * g.w + wBegin;
    float m = x[best];
    for (Index h = hBegin; h < hEnd; ++h) {
        for (Index w = wBegin; w < wEnd; ++w) {
            const float v = x[h * g.w + w];
            if (v > m || std::isnan(v)) {
                m = v;
                best = h * g.w + w;
            }
        }
    }
    *value = m;
    return best;
}

Status runPool(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const auto &attrs = op.attr<Pool2dAttributes>();
    const Shape &xShape = op.kind == OpKind::AvgPool2dBackward   ? attrs.inputShape
                          : op.kind == OpKind::MaxPool2dBackward ? inputs[1].shape
                                                                 : inputs[0].shape;
    Pool2dGeometry g;
    if (Status s = pool2dGeometry(opName(op.kind), xShape, attrs, &g); !s)
        return s;
    const Index inPlane = g.h * g.w;
    const Index outPlane = g.oh * g.ow;
    const Index window = g.kh * g.kw;
    float *out = cpuData<float>(outputs[0]);
    const std::vector<float> reciprocal = op.kind == OpKind::AvgPool2d || op.kind == OpKind::AvgPool2dBackward
                                              ? avgPoolReciprocals(g, attrs.countIncludePad)
                                              : std::vector<float>();

    switch (op.kind) {
    case OpKind::MaxPool2d: {
        const float *x = cpuData<float>(inputs[0]);
        parallelRange(context, g.n * g.c, outPlane * window, [&](Index nc) {
            for (Index oh = 0; oh < g.oh; ++oh) {
                for (Index ow = 0; ow < g.ow; ++ow)
                    maxPoolArgmax(g, x + nc * inPlane, oh, ow, &out[nc * outPlane + oh * g.ow + ow]);
            }
        });
        break;
    }
    case OpKind::AvgPool2d: {
        const float *x = cpuData<float>(inputs[0]);
        parallelRange(context, g.n * g.c, outPlane * window, [&](Index nc) {
            const float *xp = x + nc * inPlane;
            for (Index oh = 0; oh < g.oh; ++oh) {
                const Index h0 = oh * g.strideH - g.padTop;
                const Index hBegin = std::max<Index>(h0, 0);
                const Index hEnd = std::min(h0 + g.kh, g.h);
                for (Index ow = 0; ow < g.ow; ++ow) {
                    const Index w0 = ow * g.strideW - g.padLeft;
                    const Index wBegin = std::max<Index>(w0, 0);
                    const Index wEnd = std::min(w0 + g.kw, g.w);
                    float s = xp[hBegin * g.w + wBegin];
                    bool first = true;
                    for (Index h = hBegin; h < hEnd; ++h) {
                        for (Index w = wBegin; w < wEnd; ++w) {
                            if (first) {
                                first = false;
                                continue;
                            }
                            s = s + xp[h * g.w + w];
                        }
                    }
                    out[nc * outPlane + oh * g.ow + ow] = s * reciprocal[static_cast<std::size_t>(oh * g.ow + ow)];
                }
            }
        });
        break;
    }
    case OpKind::MaxPool2dBackward: {
        const float *dy = cpuData<float>(inputs[0]);
        const float *x = cpuData<float>(inputs[1]);
        parallelRange(context, g.n * g.c, outPlane * window, [&](Index nc) {
            float *dx = out + nc * inPlane;
            std::fill(dx, dx + inPlane, 0.0f);
            for (Index oh = 0; oh < g.oh; ++oh) {
                for (Index ow = 0; ow < g.ow; ++ow) {
                    float unused = 0.0f;
                    const Index at = maxPoolArgmax(g, x + nc * inPlane, oh, ow, &unused);
                    dx[at] = dx[at] + dy[nc * outPlane + oh * g.ow + ow];
                }
            }
        });
        break;
    }
    case OpKind::AvgPool2dBackward: {
        const float *dy = cpuData<float>(inputs[0]);
        parallelRange(context, g.n * g.c, outPlane * window, [&](Index nc) {
            float *dx = out + nc * inPlane;
            std::fill(dx, dx + inPlane, 0.0f);
            for (Index oh = 0; oh < g.oh; ++oh) {
                const Index h0 = oh * g.strideH - g.padTop;
                for (Index ow = 0; ow < g.ow; ++ow) {
                    const Index w0 = ow * g.strideW - g.padLeft;
                    const float v = dy[nc * outPlane + oh * g.ow + ow]
                                    * reciprocal[static_cast<std::size_t>(oh * g.ow + ow)];
                    for (Index h = std::max<Index>(h0, 0); h < std::min(h0 + g.kh, g.h); ++h) {
                        for (Index w = std::max<Index>(w0, 0); w < std::min(w0 + g.kw, g.w); ++w)
                            dx[h * g.w + w] = dx[h * g.w + w] + v;
                    }
                }
            }
        });
        break;
    }
    default: break;
    }
    return Status::ok();
}

Status runGlobalAvgPool(CpuOpContext &context, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    const Shape &s = inputs[0].shape;
    const Index planes = s[0] * s[1];
    const Index plane = s[2] * s[3];
    const float r = static_cast<float>(1.0 / static_cast<double>(plane));
    const float *x = cpuData<float>(inputs[0]);
    float *y = cpuData<float>(outputs[0]);
    parallelRange(context, planes, plane, [&](Index p) {
        const float *v = x + p * plane;
        float total = 0.0f;
        for (Index c0 = 0; c0 < plane; c0 += kLinearReduceChunk) {
            const Index c1 = std::min(plane, c0 + kLinearReduceChunk);
            float chunk = v[c0];
            for (Index i = c0 + 1; i < c1; ++i)
                chunk = chunk + v[i];
            total = c0 == 0 ? chunk : total + chunk;
        }
        y[p] = total * r;
    });
    return Status::ok();
}

} // namespace

bool cpuSupportsLinear(OpKind kind)
{
    return opFamily(kind) == OpFamily::Linear;
}

Status cpuRunLinear(CpuOpContext &context, const Op &op, std::span<const Tensor> inputs, std::span<Tensor> outputs)
{
    if (outputs.empty() || elementCount(outputs[0].shape) == 0)
        return Status::ok();
    switch (op.kind) {
    case OpKind::Gemm: return runGemm(context, op, inputs, outputs);
    case OpKind::MatMul: return runMatMul(context, inputs, outputs);
    case OpKind::Conv2d: return runConv2d(context, op, inputs, outputs);
    case OpKind::Conv2dBackwardInput: return runConv2dBackwardInput(context, op, inputs, outputs);
    case OpKind::Conv2dBackwardWeight: return runConv2dBackwardWeight(context, op, inputs, outputs);
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
    case OpKind::MaxPool2dBackward:
    case OpKind::AvgPool2dBackward: return runPool(context, op, inputs, outputs);
    case OpKind::GlobalAvgPool: return runGlobalAvgPool(context, inputs, outputs);
    default: break;
    }
    return Status::error("cpu: " + std::string(opName(op.kind)) + " is not a linear op");
}

} // namespace tributary::engine
