#include "tests/engine/linear/linear_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace tributary::engine::test {

namespace {

using Index = std::int64_t;

double at(const HostTensor &t, Index i)
{
    return static_cast<double>(t.f32()[static_cast<std::size_t>(i)]);
}

} // namespace

Reference referenceGemm(const HostTensor &a, const HostTensor &b, const HostTensor *c, const GemmAttributes &attrs)
{
    const Index m = attrs.transA ? a.shape[1] : a.shape[0];
    const Index k = attrs.transA ? a.shape[0] : a.shape[1];
    const Index n = attrs.transB ? b.shape[0] : b.shape[1];
    Reference r;
    r.shape = {m, n};
    r.value.assign(static_cast<std::size_t>(m * n), 0.0);
    r.magnitude.assign(r.value.size(), 0.0);
    for (Index i = 0; i < m; ++i) {
        for (Index j = 0; j < n; ++j) {
            double s = 0.0;
            double mag = 0.0;
            for (Index p = 0; p < k; ++p) {
                const double av = at(a, attrs.transA ? p * m + i : i * k + p);
                const double bv = at(b, attrs.transB ? j * k + p : p * n + j);
                s += av * bv;
                mag += std::abs(av * bv);
            }
            s *= attrs.alpha;
            mag *= std::abs(attrs.alpha);
            if (c) {
                const Index cRows = c->shape.size() == 2 ? c->shape[0] : 1;
                const Index cCols = c->shape.empty() ? 1 : c->shape.back();
                const double cv = at(*c, (cRows == 1 ? 0 : i) * cCols + (cCols == 1 ? 0 : j)) * attrs.beta;
                s += cv;
                mag += std::abs(cv);
            }
            r.value[std::size_t(i * n + j)] = s;
            r.magnitude[std::size_t(i * n + j)] = mag;
        }
    }
    return r;
}

Reference referenceMatMul(const HostTensor &a, const HostTensor &b)
{
    Reference r;
    (void)matMulShape(a.shape, b.shape, &r.shape);
    const Shape a2 = a.shape.size() == 1 ? Shape{1, a.shape[0]} : a.shape;
    const Shape b2 = b.shape.size() == 1 ? Shape{b.shape[0], 1} : b.shape;
    const Index m = a2[a2.size() - 2];
    const Index k = a2.back();
    const Index n = b2.back();
    Shape batch;
    (void)broadcastShapes(Shape(a2.begin(), a2.end() - 2), Shape(b2.begin(), b2.end() - 2), &batch);
    const Index batches = elementCount(batch);
    r.value.assign(static_cast<std::size_t>(batches * m * n), 0.0);
    r.magnitude.assign(r.value.size(), 0.0);
    // Maps an output batch index to an operand's (right-aligned, size-1 dims broadcast).
    auto operandBatch = [&](const Shape &s, Index index) {
        const std::size_t rank = s.size() - 2;
        Index result = 0;
        Index stride = 1;
        for (std::size_t i = 0; i < rank; ++i) {
            const std::size_t bd = batch.size() - 1 - i;
            Index outStride = 1;
            for (std::size_t j = bd + 1; j < batch.size(); ++j)
                outStride *= batch[j];
            const Index coord = (index / outStride) % batch[bd];
            const Index dim = s[rank - 1 - i];
            result += (dim == 1 ? 0 : coord) * stride;
            stride *= dim;
        }
        return result;
    };
    for (Index bi = 0; bi < batches; ++bi) {
        const Index ba = operandBatch(a2, bi);
        const Index bb = operandBatch(b2, bi);
        for (Index i = 0; i < m; ++i) {
            for (Index j = 0; j < n; ++j) {
                double s = 0.0;
                double mag = 0.0;
                for (Index p = 0; p < k; ++p) {
                    const double v = at(a, (ba * m + i) * k + p) * at(b, (bb * k + p) * n + j);
                    s += v;
                    mag += std::abs(v);
                }
                r.value[std::size_t((bi * m + i) * n + j)] = s;
                r.magnitude[std::size_t((bi * m + i) * n + j)] = mag;
            }
        }
    }
    return r;
}

Reference referenceConv2d(const HostTensor &x, const HostTensor &w, const HostTensor *bias,
                          const Conv2dAttributes &attrs)
{
    Conv2dGeometry g;
    (void)conv2dGeometry("Conv2d", x.shape, w.shape, attrs, &g);
    Reference r;
    r.shape = {g.n, g.m, g.oh, g.ow};
    r.value.assign(static_cast<std::size_t>(elementCount(r.shape)), 0.0);
    r.magnitude.assign(r.value.size(), 0.0);
    for (Index n = 0; n < g.n; ++n) {
        for (Index m = 0; m < g.m; ++m) {
            const Index group = m / g.mg;
            for (Index oh = 0; oh < g.oh; ++oh) {
                for (Index ow = 0; ow < g.ow; ++ow) {
                    double s = bias ? at(*bias, m) : 0.0;
                    double mag = std::abs(s);
                    for (Index c = 0; c < g.cg; ++c) {
                        for (Index kh = 0; kh < g.kh; ++kh) {
                            for (Index kw = 0; kw < g.kw; ++kw) {
                                const Index h = oh * g.strideH - g.padTop + kh * g.dilationH;
                                const Index wi = ow * g.strideW - g.padLeft + kw * g.dilationW;
                                if (h < 0 || h >= g.h || wi < 0 || wi >= g.w)
                                    continue;
                                const double v = at(x, ((n * g.c + group * g.cg + c) * g.h + h) * g.w + wi)
                                                 * at(w, ((m * g.cg + c) * g.kh + kh) * g.kw + kw);
                                s += v;
                                mag += std::abs(v);
                            }
                        }
                    }
                    const auto o = static_cast<std::size_t>(((n * g.m + m) * g.oh + oh) * g.ow + ow);
                    r.value[o] = s;
                    r.magnitude[o] = mag;
                }
            }
        }
    }
    return r;
}

Reference referencePool(OpKind kind, const HostTensor &x, const Pool2dAttributes &attrs)
{
    Reference r;
    if (kind == OpKind::GlobalAvgPool) {
        const Index planes = x.shape[0] * x.shape[1];
        const Index plane = x.shape[2] * x.shape[3];
        r.shape = {x.shape[0], x.shape[1], 1, 1};
        for (Index p = 0; p < planes; ++p) {
            double s = 0.0;
            double mag = 0.0;
            for (Index i = 0; i < plane; ++i) {
                s += at(x, p * plane + i);
                mag += std::abs(at(x, p * plane + i));
            }
            r.value.push_back(s / double(plane));
            r.magnitude.push_back(mag / double(plane));
        }
        return r;
    }
    Pool2dGeometry g;
    (void)pool2dGeometry(opName(kind), x.shape, attrs, &g);
    r.shape = {g.n, g.c, g.oh, g.ow};
    for (Index nc = 0; nc < g.n * g.c; ++nc) {
        for (Index oh = 0; oh < g.oh; ++oh) {
            for (Index ow = 0; ow < g.ow; ++ow) {
                double best = -std::numeric_limits<double>::infinity();
                double s = 0.0;
                double mag = 0.0;
                Index valid = 0;
                Index padded = 0;
                for (Index kh = 0; kh < g.kh; ++kh) {
                    for (Index kw = 0; kw < g.kw; ++kw) {
                        const Index h = oh * g.strideH - g.padTop + kh;
                        const Index w = ow * g.strideW - g.padLeft + kw;
                        if (h < g.h + g.padBottom && w < g.w + g.padRight)
                            ++padded;
                        if (h < 0 || h >= g.h || w < 0 || w >= g.w)
                            continue;
                        const double v = at(x, (nc * g.h + h) * g.w + w);
                        best = std::max(best, v);
                        s += v;
                        mag += std::abs(v);
                        ++valid;
                    }
                }
                const double count = double(attrs.countIncludePad ? padded : valid);
                r.value.push_back(kind == OpKind::MaxPool2d ? best : s / count);
                r.magnitude.push_back(kind == OpKind::MaxPool2d ? std::abs(best) : mag / count);
            }
        }
    }
    return r;
}

std::string compareToReference(const HostTensor &actual, const Reference &reference, double tolerance)
{
    if (actual.shape != reference.shape)
        return "shape " + shapeText(actual.shape) + " differs from the reference's " + shapeText(reference.shape);
    const auto values = actual.f32();
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double bound = tolerance * reference.magnitude[i] + 1e-30;
        if (!(std::abs(double(values[i]) - reference.value[i]) <= bound))
            return "element " + std::to_string(i) + ": " + std::to_string(values[i]) + " vs reference "
                   + std::to_string(reference.value[i]) + " (bound " + std::to_string(bound) + ")";
    }
    return {};
}

} // namespace tributary::engine::test
