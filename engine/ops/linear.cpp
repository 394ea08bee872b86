#include "engine/ops/linear.h"

#include <algorithm>
#include <string>

namespace tributary::engine {

namespace {

std::string prefix(std::string_view op)
{
    return std::string(op) + ": ";
}

// "[a, b, …]", built with += (GCC 12 warns falsely on "[" + std::string under -Wrestrict).
template<std::size_t N>
std::string listText(const std::array<std::int64_t, N> &v)
{
    std::string text = "[";
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(v[i]);
    }
    text += "]";
    return text;
}

std::string pairText(const std::array<std::int64_t, 2> &v)
{
    return listText(v);
}

std::string padsText(const std::array<std::int64_t, 4> &v)
{
    return listText(v);
}

Status checkCount(const Op &op, const OpInputs &inputs, std::size_t required, std::size_t total)
{
    if (inputs.size() < required || inputs.size() > total) {
        const std::string expected = required == total ? std::to_string(required)
                                                       : std::to_string(required) + " or " + std::to_string(total);
        return Status::error(prefix(opName(op.kind)) + "expected " + expected + " inputs, got "
                             + std::to_string(inputs.size()));
    }
    for (std::size_t i = 0; i < required; ++i) {
        if (!inputs.has(i))
            return Status::error(prefix(opName(op.kind)) + "required input " + std::to_string(i) + " is missing");
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (inputs.has(i) && inputs[i].dtype != DType::F32)
            return Status::error(prefix(opName(op.kind)) + "input " + std::to_string(i) + " is "
                                 + std::string(dtypeName(inputs[i].dtype)) + ", expected f32");
    }
    return Status::ok();
}

Status checkRank(const Op &op, const OpInputs &inputs, std::size_t index, const char *name, std::size_t rank)
{
    if (inputs[index].shape.size() != rank)
        return Status::error(prefix(opName(op.kind)) + "input " + std::to_string(index) + " (" + name + ") is "
                             + shapeText(inputs[index].shape) + ", expected rank " + std::to_string(rank));
    return Status::ok();
}

template<typename T>
Status attributes(const Op &op, const T **out)
{
    *out = std::get_if<T>(&op.attributes);
    if (!*out)
        return Status::error(prefix(opName(op.kind)) + "wrong attribute type");
    return Status::ok();
}

Status inferGemm(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    const GemmAttributes *attrs = nullptr;
    if (Status s = attributes(op, &attrs); !s)
        return s;
    if (Status s = checkCount(op, inputs, 2, 3); !s)
        return s;
    if (Status s = checkRank(op, inputs, 0, "A", 2); !s)
        return s;
    if (Status s = checkRank(op, inputs, 1, "B", 2); !s)
        return s;
    const Shape &a = inputs[0].shape;
    const Shape &b = inputs[1].shape;
    const std::int64_t m = attrs->transA ? a[1] : a[0];
    const std::int64_t ka = attrs->transA ? a[0] : a[1];
    const std::int64_t kb = attrs->transB ? b[1] : b[0];
    const std::int64_t n = attrs->transB ? b[0] : b[1];
    if (ka != kb)
        return Status::error(prefix("Gemm") + "A is " + shapeText(a) + (attrs->transA ? " (transposed)" : "")
                             + " but B is " + shapeText(b) + (attrs->transB ? " (transposed)" : "")
                             + ": inner dimensions " + std::to_string(ka) + " and " + std::to_string(kb) + " differ");
    if (inputs.has(2)) {
        const Shape &c = inputs[2].shape;
        const Shape target{m, n};
        bool fits = c.size() <= 2;
        for (std::size_t i = 0; fits && i < c.size(); ++i) {
            const std::int64_t dim = c[c.size() - 1 - i];
            fits = dim == 1 || dim == target[1 - i];
        }
        if (!fits)
            return Status::error(prefix("Gemm") + "C is " + shapeText(c) + ", which does not broadcast to the output "
                                 + shapeText(target));
    }
    outputs->push_back({DType::F32, {m, n}});
    return Status::ok();
}

Status inferMatMul(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    if (Status s = checkCount(op, inputs, 2, 2); !s)
        return s;
    Shape out;
    if (Status s = matMulShape(inputs[0].shape, inputs[1].shape, &out); !s)
        return s;
    outputs->push_back({DType::F32, out});
    return Status::ok();
}

Status inferConv(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    const Conv2dAttributes *attrs = nullptr;
    if (Status s = attributes(op, &attrs); !s)
        return s;
    const std::string_view name = opName(op.kind);
    Conv2dGeometry g;
    switch (op.kind) {
    case OpKind::Conv2d: {
        if (Status s = checkCount(op, inputs, 2, 3); !s)
            return s;
        if (Status s = conv2dGeometry(name, inputs[0].shape, inputs[1].shape, *attrs, &g); !s)
            return s;
        if (inputs.has(2) && inputs[2].shape != Shape{g.m})
            return Status::error(prefix(name) + "bias (input 2) is " + shapeText(inputs[2].shape) + ", expected ["
                                 + std::to_string(g.m) + "] (one per output channel of W "
                                 + shapeText(inputs[1].shape) + ")");
        outputs->push_back({DType::F32, {g.n, g.m, g.oh, g.ow}});
        return Status::ok();
    }
    case OpKind::Conv2dBackwardInput: {
        if (Status s = checkCount(op, inputs, 2, 2); !s)
            return s;
        if (Status s = conv2dGeometry(name, attrs->inputShape, inputs[1].shape, *attrs, &g); !s)
            return Status::error(s.message() + " (X is attribute inputShape)");
        const Shape expected{g.n, g.m, g.oh, g.ow};
        if (inputs[0].shape != expected)
            return Status::error(prefix(name) + "dY (input 0) is " + shapeText(inputs[0].shape) + ", but X "
                                 + shapeText(attrs->inputShape) + " and W " + shapeText(inputs[1].shape) + " give "
                                 + shapeText(expected));
        outputs->push_back({DType::F32, attrs->inputShape});
        return Status::ok();
    }
    default: {
        if (Status s = checkCount(op, inputs, 2, 2); !s)
            return s;
        if (Status s = conv2dGeometry(name, inputs[1].shape, attrs->weightShape, *attrs, &g); !s)
            return Status::error(s.message() + " (W is attribute weightShape)");
        const Shape expected{g.n, g.m, g.oh, g.ow};
        if (inputs[0].shape != expected)
            return Status::error(prefix(name) + "dY (input 0) is " + shapeText(inputs[0].shape) + ", but X "
                                 + shapeText(inputs[1].shape) + " and W " + shapeText(attrs->weightShape)
                                 + " give " + shapeText(expected));
        outputs->push_back({DType::F32, attrs->weightShape});
        return Status::ok();
    }
    }
}

Status inferPool(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    const std::string_view name = opName(op.kind);
    if (op.kind == OpKind::GlobalAvgPool) {
        if (Status s = checkCount(op, inputs, 1, 1); !s)
            return s;
        if (Status s = checkRank(op, inputs, 0, "X", 4); !s)
            return s;
        const Shape &x = inputs[0].shape;
        if (x[2] * x[3] == 0)
            return Status::error(prefix(name) + "X is " + shapeText(x) + ": cannot average an empty plane");
        outputs->push_back({DType::F32, {x[0], x[1], 1, 1}});
        return Status::ok();
    }
    const Pool2dAttributes *attrs = nullptr;
    if (Status s = attributes(op, &attrs); !s)
        return s;
    Pool2dGeometry g;
    switch (op.kind) {
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
        if (Status s = checkCount(op, inputs, 1, 1); !s)
            return s;
        if (Status s = pool2dGeometry(name, inputs[0].shape, *attrs, &g); !s)
            return s;
        outputs->push_back({DType::F32, {g.n, g.c, g.oh, g.ow}});
        return Status::ok();
    case OpKind::MaxPool2dBackward: {
        if (Status s = checkCount(op, inputs, 2, 2); !s)
            return s;
        if (Status s = pool2dGeometry(name, inputs[1].shape, *attrs, &g); !s)
            return s;
        const Shape expected{g.n, g.c, g.oh, g.ow};
        if (inputs[0].shape != expected)
            return Status::error(prefix(name) + "dY (input 0) is " + shapeText(inputs[0].shape) + ", but X "
                                 + shapeText(inputs[1].shape) + " pools to " + shapeText(expected));
        outputs->push_back({DType::F32, inputs[1].shape});
        return Status::ok();
    }
    default: {
        if (Status s = checkCount(op, inputs, 1, 1); !s)
            return s;
        if (Status s = pool2dGeometry(name, attrs->inputShape, *attrs, &g); !s)
            return Status::error(s.message() + " (X is attribute inputShape)");
        const Shape expected{g.n, g.c, g.oh, g.ow};
        if (inputs[0].shape != expected)
            return Status::error(prefix(name) + "dY (input 0) is " + shapeText(inputs[0].shape) + ", but X "
                                 + shapeText(attrs->inputShape) + " pools to " + shapeText(expected));
        outputs->push_back({DType::F32, attrs->inputShape});
        return Status::ok();
    }
    }
}

} // namespace

Status conv2dGeometry(std::string_view opName, const Shape &x, const Shape &w, const Conv2dAttributes &attrs,
                      Conv2dGeometry *out)
{
    const std::string p = prefix(opName);
    if (x.size() != 4)
        return Status::error(p + "X is " + shapeText(x) + ", expected rank 4 [N, C, H, W]");
    if (w.size() != 4)
        return Status::error(p + "W is " + shapeText(w) + ", expected rank 4 [M, C/groups, kH, kW]");
    for (std::int64_t s : attrs.strides) {
        if (s < 1)
            return Status::error(p + "strides " + pairText(attrs.strides) + " must be positive");
    }
    for (std::int64_t d : attrs.dilations) {
        if (d < 1)
            return Status::error(p + "dilations " + pairText(attrs.dilations) + " must be positive");
    }
    for (std::int64_t pad : attrs.pads) {
        if (pad < 0)
            return Status::error(p + "pads " + padsText(attrs.pads) + " must not be negative");
    }
    if (attrs.groups < 1)
        return Status::error(p + "groups is " + std::to_string(attrs.groups) + ", must be positive");
    Conv2dGeometry g;
    g.n = x[0];
    g.c = x[1];
    g.h = x[2];
    g.w = x[3];
    g.m = w[0];
    g.kh = w[2];
    g.kw = w[3];
    g.groups = attrs.groups;
    if (g.c % g.groups != 0)
        return Status::error(p + "groups " + std::to_string(g.groups) + " does not divide the " + std::to_string(g.c)
                             + " input channels of X " + shapeText(x));
    if (g.m % g.groups != 0)
        return Status::error(p + "groups " + std::to_string(g.groups) + " does not divide the " + std::to_string(g.m)
                             + " output channels of W " + shapeText(w));
    g.cg = g.c / g.groups;
    g.mg = g.m / g.groups;
    if (w[1] != g.cg)
        return Status::error(p + "channel mismatch: X " + shapeText(x) + " has " + std::to_string(g.c)
                             + " channels, so W with groups " + std::to_string(g.groups) + " needs "
                             + std::to_string(g.cg) + " input channels, but W is " + shapeText(w));
    if (g.kh < 1 || g.kw < 1)
        return Status::error(p + "W " + shapeText(w) + " has an empty kernel");
    g.strideH = attrs.strides[0];
    g.strideW = attrs.strides[1];
    g.padTop = attrs.pads[0];
    g.padLeft = attrs.pads[1];
    g.padBottom = attrs.pads[2];
    g.padRight = attrs.pads[3];
    g.dilationH = attrs.dilations[0];
    g.dilationW = attrs.dilations[1];
    const std::int64_t spanH = g.dilationH * (g.kh - 1) + 1;
    const std::int64_t spanW = g.dilationW * (g.kw - 1) + 1;
    const std::int64_t paddedH = g.h + g.padTop + g.padBottom;
    const std::int64_t paddedW = g.w + g.padLeft + g.padRight;
    if (spanH > paddedH || spanW > paddedW)
        return Status::error(p + "kernel larger than the padded input: W " + shapeText(w) + " with dilations "
                             + pairText(attrs.dilations) + " spans " + std::to_string(spanH) + "x"
                             + std::to_string(spanW) + ", X " + shapeText(x) + " with pads " + padsText(attrs.pads)
                             + " is " + std::to_string(paddedH) + "x" + std::to_string(paddedW));
    g.oh = (paddedH - spanH) / g.strideH + 1;
    g.ow = (paddedW - spanW) / g.strideW + 1;
    *out = g;
    return Status::ok();
}

Status pool2dGeometry(std::string_view opName, const Shape &x, const Pool2dAttributes &attrs, Pool2dGeometry *out)
{
    const std::string p = prefix(opName);
    if (x.size() != 4)
        return Status::error(p + "X is " + shapeText(x) + ", expected rank 4 [N, C, H, W]");
    for (std::int64_t k : attrs.kernel) {
        if (k < 1)
            return Status::error(p + "kernel " + pairText(attrs.kernel) + " must be positive");
    }
    for (std::int64_t s : attrs.strides) {
        if (s < 1)
            return Status::error(p + "strides " + pairText(attrs.strides) + " must be positive");
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (attrs.pads[i] < 0)
            return Status::error(p + "pads " + padsText(attrs.pads) + " must not be negative");
        if (attrs.pads[i] >= attrs.kernel[i % 2])
            return Status::error(p + "pads " + padsText(attrs.pads) + " must be smaller than the kernel "
                                 + pairText(attrs.kernel));
    }
    Pool2dGeometry g;
    g.n = x[0];
    g.c = x[1];
    g.h = x[2];
    g.w = x[3];
    g.kh = attrs.kernel[0];
    g.kw = attrs.kernel[1];
    g.strideH = attrs.strides[0];
    g.strideW = attrs.strides[1];
    g.padTop = attrs.pads[0];
    g.padLeft = attrs.pads[1];
    g.padBottom = attrs.pads[2];
    g.padRight = attrs.pads[3];
    if (g.h < 1 || g.w < 1)
        return Status::error(p + "X is " + shapeText(x) + ": cannot pool an empty plane");
    const std::int64_t paddedH = g.h + g.padTop + g.padBottom;
    const std::int64_t paddedW = g.w + g.padLeft + g.padRight;
    if (g.kh > paddedH || g.kw > paddedW)
        return Status::error(p + "kernel " + pairText(attrs.kernel) + " larger than the padded input: X "
                             + shapeText(x) + " with pads " + padsText(attrs.pads) + " is " + std::to_string(paddedH)
                             + "x" + std::to_string(paddedW));
    auto outputSize = [&](std::int64_t padded, std::int64_t k, std::int64_t stride, std::int64_t size,
                          std::int64_t padBegin) {
        std::int64_t o = attrs.ceilMode ? (padded - k + stride - 1) / stride + 1 : (padded - k) / stride + 1;
        if (attrs.ceilMode && (o - 1) * stride >= size + padBegin)
            --o;
        return o;
    };
    g.oh = outputSize(paddedH, g.kh, g.strideH, g.h, g.padTop);
    g.ow = outputSize(paddedW, g.kw, g.strideW, g.w, g.padLeft);
    *out = g;
    return Status::ok();
}

float avgPoolReciprocal(const Pool2dGeometry &g, bool countIncludePad, std::int64_t oh, std::int64_t ow)
{
    const std::int64_t h0 = oh * g.strideH - g.padTop;
    const std::int64_t w0 = ow * g.strideW - g.padLeft;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    if (countIncludePad) {
        rows = std::min(h0 + g.kh, g.h + g.padBottom) - h0;
        cols = std::min(w0 + g.kw, g.w + g.padRight) - w0;
    } else {
        rows = std::min(h0 + g.kh, g.h) - std::max<std::int64_t>(h0, 0);
        cols = std::min(w0 + g.kw, g.w) - std::max<std::int64_t>(w0, 0);
    }
    return static_cast<float>(1.0 / static_cast<double>(rows * cols));
}

std::vector<float> avgPoolReciprocals(const Pool2dGeometry &g, bool countIncludePad)
{
    std::vector<float> r(static_cast<std::size_t>(g.oh * g.ow));
    for (std::int64_t oh = 0; oh < g.oh; ++oh) {
        for (std::int64_t ow = 0; ow < g.ow; ++ow)
            r[static_cast<std::size_t>(oh * g.ow + ow)] = avgPoolReciprocal(g, countIncludePad, oh, ow);
    }
    return r;
}

Status matMulShape(const Shape &a, const Shape &b, Shape *out)
{
    if (a.empty() || b.empty())
        return Status::error("MatMul: A is " + shapeText(a) + " and B is " + shapeText(b)
                             + ": both must have rank 1 or more");
    const Shape a2 = a.size() == 1 ? Shape{1, a[0]} : a;
    const Shape b2 = b.size() == 1 ? Shape{b[0], 1} : b;
    const std::int64_t ka = a2[a2.size() - 1];
    const std::int64_t kb = b2[b2.size() - 2];
    if (ka != kb)
        return Status::error("MatMul: A is " + shapeText(a) + " but B is " + shapeText(b) + ": inner dimensions "
                             + std::to_string(ka) + " and " + std::to_string(kb) + " differ");
    Shape batch;
    const Shape batchA(a2.begin(), a2.end() - 2);
    const Shape batchB(b2.begin(), b2.end() - 2);
    if (Status s = broadcastShapes(batchA, batchB, &batch); !s)
        return Status::error("MatMul: batch dimensions of A " + shapeText(a) + " and B " + shapeText(b)
                             + " do not broadcast: " + s.message());
    Shape y = batch;
    if (a.size() > 1)
        y.push_back(a2[a2.size() - 2]);
    if (b.size() > 1)
        y.push_back(b2[b2.size() - 1]);
    *out = y;
    return Status::ok();
}

Status inferLinear(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    switch (op.kind) {
    case OpKind::Gemm: return inferGemm(op, inputs, outputs);
    case OpKind::MatMul: return inferMatMul(op, inputs, outputs);
    case OpKind::Conv2d:
    case OpKind::Conv2dBackwardInput:
    case OpKind::Conv2dBackwardWeight: return inferConv(op, inputs, outputs);
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d:
    case OpKind::GlobalAvgPool:
    case OpKind::MaxPool2dBackward:
    case OpKind::AvgPool2dBackward: return inferPool(op, inputs, outputs);
    default: break;
    }
    return Status::error(prefix(opName(op.kind)) + "not a linear op");
}

Status planMatMul(const Shape &sa, const Shape &sb, MatMulPlan *out)
{
    if (sa.empty() || sb.empty())
        return Status::error("MatMul: operands must have at least one dimension");
    const Shape a2 = sa.size() == 1 ? Shape{1, sa[0]} : sa;
    const Shape b2 = sb.size() == 1 ? Shape{sb[0], 1} : sb;
    MatMulPlan plan;
    plan.m = a2[a2.size() - 2];
    plan.k = a2.back();
    plan.n = b2.back();
    const Shape batchA(a2.begin(), a2.end() - 2);
    const Shape batchB(b2.begin(), b2.end() - 2);
    Shape batch;
    if (Status s = broadcastShapes(batchA, batchB, &batch); !s)
        return s;
    plan.batchesA = elementCount(batchA);
    plan.batchesB = elementCount(batchB);
    const std::size_t rank = batch.size();
    auto batchStrides = [&](const Shape &s, std::int64_t matrix) {
        std::vector<std::int64_t> strides(rank, 0);
        std::int64_t stride = matrix;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const std::size_t dim = s.size() - 1 - i;
            if (s[dim] != 1)
                strides[rank - 1 - i] = stride;
            stride *= s[dim];
        }
        return strides;
    };
    const std::vector<std::int64_t> strideA = batchStrides(batchA, plan.m * plan.k);
    const std::vector<std::int64_t> strideB = batchStrides(batchB, plan.k * plan.n);
    const std::int64_t batches = elementCount(batch);
    plan.offsetA.reserve(std::size_t(batches));
    plan.offsetB.reserve(std::size_t(batches));
    std::vector<std::int64_t> position(rank, 0);
    for (std::int64_t index = 0; index < batches; ++index) {
        std::int64_t offsetA = 0;
        std::int64_t offsetB = 0;
        for (std::size_t d = 0; d < rank; ++d) {
            offsetA += position[d] * strideA[d];
            offsetB += position[d] * strideB[d];
        }
        plan.offsetA.push_back(offsetA);
        plan.offsetB.push_back(offsetB);
        for (std::size_t d = rank; d-- > 0;) {
            if (++position[d] < batch[d])
                break;
            position[d] = 0;
        }
    }
    *out = std::move(plan);
    return Status::ok();
}

StridedGemmPlan planGemmStrides(const GemmAttributes &attrs, const Shape &a, const Shape *c, const Shape &y)
{
    StridedGemmPlan p;
    p.m = y[0];
    p.n = y[1];
    p.k = attrs.transA ? a[0] : a[1];
    p.aRow = attrs.transA ? 1 : p.k;
    p.aCol = attrs.transA ? p.m : 1;
    p.bRow = attrs.transB ? 1 : p.n;
    p.bCol = attrs.transB ? p.k : 1;
    p.yRow = p.n;
    if (c) {
        // C broadcasts unidirectionally: a size-1 (or missing) dimension has stride 0.
        const std::int64_t cCols = c->empty() ? 1 : c->back();
        const std::int64_t cRows = c->size() == 2 ? (*c)[0] : 1;
        p.addRow = cRows == 1 ? 0 : cCols;
        p.addCol = cCols == 1 ? 0 : 1;
    }
    p.offsets = { 0, 0, 0, 0 };
    return p;
}

Status planMatMulStrides(const Shape &a, const Shape &b, StridedGemmPlan *out)
{
    MatMulPlan plan;
    if (Status s = planMatMul(a, b, &plan); !s)
        return s;
    StridedGemmPlan p;
    p.m = plan.m;
    p.n = plan.n;
    p.k = plan.k;
    p.aRow = plan.k;
    p.aCol = 1;
    p.bRow = plan.n;
    p.bCol = 1;
    p.yRow = plan.n;
    p.offsets.reserve(std::size_t(plan.batches()) * 4);
    for (std::int64_t index = 0; index < plan.batches(); ++index)
        p.offsets.insert(p.offsets.end(),
            { plan.offsetA[std::size_t(index)], plan.offsetB[std::size_t(index)], index * plan.m * plan.n,
                0 });
    *out = std::move(p);
    return Status::ok();
}

Status planConvGpu(const Op &op, std::span<const Shape> inputs, ConvGpuPlan *out)
{
    const auto &attrs = op.attr<Conv2dAttributes>();
    ConvGpuPlan plan;
    Conv2dGeometry &g = plan.geometry;
    StridedGemmPlan &p = plan.gemm;
    Status s;
    switch (op.kind) {
    case OpKind::Conv2d:
        s = conv2dGeometry("Conv2d", inputs[0], inputs[1], attrs, &g);
        break;
    case OpKind::Conv2dBackwardInput:
        s = conv2dGeometry("Conv2dBackwardInput", attrs.inputShape, inputs[1], attrs, &g);
        break;
    case OpKind::Conv2dBackwardWeight:
        s = conv2dGeometry("Conv2dBackwardWeight", inputs[1], attrs.weightShape, attrs, &g);
        break;
    default:
        return Status::error(std::string(opName(op.kind)) + ": not a convolution");
    }
    if (!s)
        return s;
    const std::int64_t k = g.kernelSize();
    const std::int64_t plane = g.outputPlane();
    plan.colsElements = g.groups * k * g.n * plane;
    if (op.kind == OpKind::Conv2d) {
        // Per group and image: Y[n][group's channels] = W_g [mg, K] · cols_g[:, n's columns],
        // with the bias as the added term (stride 1 along rows, 0 along columns).
        p.m = g.mg;
        p.n = plane;
        p.k = k;
        p.aRow = k;
        p.aCol = 1;
        p.bRow = g.n * plane;
        p.bCol = 1;
        p.yRow = plane;
        p.addRow = 1;
        p.addCol = 0;
        for (std::int64_t group = 0; group < g.groups; ++group)
            for (std::int64_t n = 0; n < g.n; ++n)
                p.offsets.insert(p.offsets.end(),
                    { group * g.mg * k, (group * k * g.n + n) * plane, (n * g.m + group * g.mg) * plane,
                        group * g.mg });
    } else if (op.kind == OpKind::Conv2dBackwardInput) {
        // Per image and group: cols[n][group] [K, plane] = W_gᵀ (W_g read transposed) · dY_g.
        p.m = k;
        p.n = plane;
        p.k = g.mg;
        p.aRow = 1;
        p.aCol = k;
        p.bRow = plane;
        p.bCol = 1;
        p.yRow = plane;
        for (std::int64_t n = 0; n < g.n; ++n)
            for (std::int64_t group = 0; group < g.groups; ++group)
                p.offsets.insert(p.offsets.end(),
                    { group * g.mg * k, (n * g.m + group * g.mg) * plane, (n * g.groups + group) * k * plane,
                        0 });
    } else {
        // Per group: dW_g [mg, K] = swapped dY_g [mg, N·plane] · cols_gᵀ (cols read transposed).
        const std::int64_t depth = g.n * plane;
        plan.swappedElements = g.n * g.m * plane;
        p.m = g.mg;
        p.n = k;
        p.k = depth;
        p.aRow = depth;
        p.aCol = 1;
        p.bRow = 1;
        p.bCol = depth;
        p.yRow = k;
        for (std::int64_t group = 0; group < g.groups; ++group)
            p.offsets.insert(
                p.offsets.end(), { group * g.mg * depth, group * k * depth, group * g.mg * k, 0 });
    }
    *out = std::move(plan);
    return Status::ok();
}

} // namespace tributary::engine
