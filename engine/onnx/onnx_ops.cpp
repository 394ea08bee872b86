// ONNX node -> engine ops: attribute defaults per opset, constant arguments resolved at
// import time, and a precise error (or an "unsupported" record) for anything else.

#include "engine/onnx/onnx_builder.h"
#include "engine/onnx/onnx_tensor.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace tributary::engine {

namespace {

using Converter = std::function<Status(OnnxBuilder &)>;

Status needInputs(OnnxBuilder &b, int minimum, int maximum)
{
    const int n = b.node().input_size();
    if (n < minimum || n > maximum)
        return b.fail("expects "
            + (minimum == maximum ? std::to_string(minimum)
                                  : std::to_string(minimum) + " to " + std::to_string(maximum))
            + " inputs, got " + std::to_string(n));
    for (int i = 0; i < minimum; ++i)
        if (b.input(i).empty())
            return b.fail("required input " + std::to_string(i) + " is empty");
    return Status::ok();
}

// Outputs beyond `supported` must be absent (empty names).
Status onlyOutputs(OnnxBuilder &b, int supported, const char *what)
{
    if (b.node().output_size() < 1 || b.output(0).empty())
        return b.fail("has no output");
    for (int i = supported; i < b.node().output_size(); ++i)
        if (!b.output(i).empty())
            return b.unsupported(
                std::string("output ") + std::to_string(i) + " (" + what + ") is not supported");
    return Status::ok();
}

Status simple(OnnxBuilder &b, OpKind kind, int inputs, bool f32 = true)
{
    if (Status s = needInputs(b, inputs, inputs); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "extra output"); !s)
        return s;
    if (f32) {
        if (Status s = b.requireF32(
                inputs == 1 ? std::initializer_list<int> { 0 } : std::initializer_list<int> { 0, 1 });
            !s)
            return s;
    }
    std::vector<std::string> ins;
    for (int i = 0; i < inputs; ++i)
        ins.push_back(b.input(i));
    return b.emit({ kind, NoAttributes {} }, ins, { b.outputValue(0) });
}

Status binary(OnnxBuilder &b, OpKind kind)
{
    if (b.opset() < 7 && b.attribute("axis"))
        return b.unsupported("legacy broadcasting with an 'axis' attribute (opset < 7)");
    return simple(b, kind, 2);
}

Status gelu(OnnxBuilder &b)
{
    std::string approximate;
    if (Status s = b.stringAttr("approximate", "none", &approximate); !s)
        return s;
    if (approximate != "none")
        return b.unsupported("approximate='" + approximate + "' (only the exact erf form)");
    return simple(b, OpKind::Gelu, 1);
}

Status gemm(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 2, 3); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "extra output"); !s)
        return s;
    if (Status s = b.requireF32({ 0, 1, 2 }); !s)
        return s;
    GemmAttributes a;
    std::int64_t transA = 0, transB = 0;
    if (Status s = b.intAttr("transA", 0, &transA); !s)
        return s;
    if (Status s = b.intAttr("transB", 0, &transB); !s)
        return s;
    if (Status s = b.floatAttr("alpha", 1.0f, &a.alpha); !s)
        return s;
    if (Status s = b.floatAttr("beta", 1.0f, &a.beta); !s)
        return s;
    a.transA = transA != 0;
    a.transB = transB != 0;
    return b.emit({ OpKind::Gemm, a }, { b.input(0), b.input(1), b.input(2) }, { b.outputValue(0) });
}

// Per spatial dimension: ONNX auto_pad SAME_UPPER / SAME_LOWER / VALID / NOTSET into
// explicit [top, left, bottom, right] pads.
// `x` is the input lifted to 4-D; `spatial` the ONNX op's own spatial rank (1 or 2).
Status spatialPads(OnnxBuilder &b, const Shape &x, int spatial, const std::array<std::int64_t, 2> &kernel,
    const std::array<std::int64_t, 2> &strides, const std::array<std::int64_t, 2> &dilations,
    std::array<std::int64_t, 4> *pads)
{
    std::string autoPad;
    if (Status s = b.stringAttr("auto_pad", "NOTSET", &autoPad); !s)
        return s;
    std::vector<std::int64_t> p;
    bool present = false;
    if (Status s = b.intsAttr("pads", &p, &present); !s)
        return s;
    if (autoPad == "NOTSET") {
        if (!present) {
            *pads = { 0, 0, 0, 0 };
            return Status::ok();
        }
        if (p.size() != std::size_t(2 * spatial))
            return b.fail("attribute 'pads' must have " + std::to_string(2 * spatial) + " values, got "
                + std::to_string(p.size()));
        for (std::int64_t v : p)
            if (v < 0)
                return b.fail("attribute 'pads' has a negative value " + std::to_string(v));
        *pads = spatial == 2 ? std::array<std::int64_t, 4> { p[0], p[1], p[2], p[3] }
                             : std::array<std::int64_t, 4> { 0, p[0], 0, p[1] };
        return Status::ok();
    }
    if (autoPad == "VALID") {
        *pads = { 0, 0, 0, 0 };
        return Status::ok();
    }
    if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
        return b.fail("attribute 'auto_pad' has an unknown value '" + autoPad + "'");
    for (int d = 0; d < 2; ++d) {
        const std::int64_t in = x[std::size_t(2 + d)];
        const std::int64_t out = (in + strides[std::size_t(d)] - 1) / strides[std::size_t(d)];
        const std::int64_t total = std::max<std::int64_t>(0,
            (out - 1) * strides[std::size_t(d)] + (kernel[std::size_t(d)] - 1) * dilations[std::size_t(d)] + 1
                - in);
        const std::int64_t small = total / 2, large = total - small;
        (*pads)[std::size_t(d)] = autoPad == "SAME_UPPER" ? small : large;
        (*pads)[std::size_t(d + 2)] = autoPad == "SAME_UPPER" ? large : small;
    }
    return Status::ok();
}

// A per-spatial-dimension attribute (strides, dilations, kernel_shape), lifted to 2-D
// (a 1-D op gets 1 for the height).
Status pair(
    OnnxBuilder &b, const char *name, int spatial, std::int64_t fallback, std::array<std::int64_t, 2> *out)
{
    std::vector<std::int64_t> v;
    bool present = false;
    if (Status s = b.intsAttr(name, &v, &present); !s)
        return s;
    if (!present) {
        *out = { fallback, fallback };
        return Status::ok();
    }
    if (v.size() != std::size_t(spatial))
        return b.fail(std::string("attribute '") + name + "' must have " + std::to_string(spatial)
            + " values, got " + std::to_string(v.size()));
    for (std::int64_t x : v)
        if (x < 1)
            return b.fail(std::string("attribute '") + name + "' must be positive, got " + shapeText(v));
    *out
        = spatial == 2 ? std::array<std::int64_t, 2> { v[0], v[1] } : std::array<std::int64_t, 2> { 1, v[0] };
    return Status::ok();
}

// The input's shape lifted to [N, C, H, W] (a 1-D op's [N, C, L] becomes [N, C, 1, L])
// and its spatial rank. 3-D and higher are unsupported.
Status spatialInput(OnnxBuilder &b, Shape *lifted, int *spatial)
{
    const TensorDesc *x = b.desc(b.input(0));
    if (!x)
        return b.fail("input 0 '" + b.input(0) + "' is not defined");
    if (x->shape.size() != 3 && x->shape.size() != 4)
        return b.unsupported("only 1-D and 2-D spatial data (rank-3 or rank-4 input) is supported, got "
            + shapeText(x->shape));
    *spatial = int(x->shape.size()) - 2;
    *lifted = x->shape;
    if (*spatial == 1)
        lifted->insert(lifted->begin() + 2, 1);
    return Status::ok();
}

// Emits `op` on input 0 (and the extra inputs), lifting 1-D data to 2-D around it:
// Reshape [N, C, L] -> [N, C, 1, L], op, Reshape back without the unit height.
Status emitSpatial(
    OnnxBuilder &b, const Op &op, int spatial, const Shape &lifted, std::vector<ValueId> extraInputs)
{
    ValueId x = kNoValue;
    if (Status s = b.value(b.input(0), &x); !s)
        return b.fail(s.message());
    std::vector<ValueId> ins { x };
    if (spatial == 2) {
        ins.insert(ins.end(), extraInputs.begin(), extraInputs.end());
        return b.emitIds(op, ins, { b.outputValue(0) });
    }
    const ValueId x4 = b.tempValue("input_2d"), y4 = b.tempValue("output_2d");
    if (Status s = b.emitIds({ OpKind::Reshape, ShapeAttributes { lifted } }, { x }, { x4 }); !s)
        return s;
    ins[0] = x4;
    ins.insert(ins.end(), extraInputs.begin(), extraInputs.end());
    if (Status s = b.emitIds(op, ins, { y4 }); !s)
        return s;
    Shape y = b.graph().desc(y4)->shape;
    y.erase(y.begin() + 2);
    return b.emitIds({ OpKind::Reshape, ShapeAttributes { y } }, { y4 }, { b.outputValue(0) });
}

Status conv(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 2, 3); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "extra output"); !s)
        return s;
    if (Status s = b.requireF32({ 0, 1, 2 }); !s)
        return s;
    Shape x;
    int spatial = 0;
    if (Status s = spatialInput(b, &x, &spatial); !s)
        return s;
    const TensorDesc *w = b.desc(b.input(1));
    if (!w)
        return b.fail("input 1 '" + b.input(1) + "' is not defined");
    if (w->shape.size() != std::size_t(spatial + 2))
        return b.fail("W is " + shapeText(w->shape) + ", expected rank " + std::to_string(spatial + 2));
    Shape w4 = w->shape;
    if (spatial == 1)
        w4.insert(w4.begin() + 2, 1);
    Conv2dAttributes a;
    if (Status s = pair(b, "strides", spatial, 1, &a.strides); !s)
        return s;
    if (Status s = pair(b, "dilations", spatial, 1, &a.dilations); !s)
        return s;
    std::array<std::int64_t, 2> kernel { w4[2], w4[3] };
    std::vector<std::int64_t> ks;
    bool hasKernel = false;
    if (Status s = b.intsAttr("kernel_shape", &ks, &hasKernel); !s)
        return s;
    if (hasKernel
        && (ks.size() != std::size_t(spatial) || !std::equal(ks.begin(), ks.end(), w->shape.begin() + 2)))
        return b.fail(
            "attribute 'kernel_shape' " + shapeText(ks) + " does not match W " + shapeText(w->shape));
    if (Status s = b.intAttr("group", 1, &a.groups); !s)
        return s;
    if (a.groups < 1)
        return b.fail("attribute 'group' must be positive, got " + std::to_string(a.groups));
    if (Status s = spatialPads(b, x, spatial, kernel, a.strides, a.dilations, &a.pads); !s)
        return s;
    ValueId wv = kNoValue, bias = kNoValue;
    if (Status s = b.value(b.input(1), &wv); !s)
        return b.fail(s.message());
    if (!b.input(2).empty())
        if (Status s = b.value(b.input(2), &bias); !s)
            return b.fail(s.message());
    if (spatial == 1) {
        const ValueId w2 = b.tempValue("weight_2d");
        if (Status s = b.emitIds({ OpKind::Reshape, ShapeAttributes { w4 } }, { wv }, { w2 }); !s)
            return s;
        wv = w2;
    }
    return emitSpatial(b, { OpKind::Conv2d, a }, spatial, x, { wv, bias });
}

Status pool(OnnxBuilder &b, OpKind kind)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "Indices"); !s)
        return s;
    if (Status s = b.requireF32({ 0 }); !s)
        return s;
    Shape x;
    int spatial = 0;
    if (Status s = spatialInput(b, &x, &spatial); !s)
        return s;
    Pool2dAttributes a;
    if (!b.attribute("kernel_shape"))
        return b.fail("attribute 'kernel_shape' is required");
    if (Status s = pair(b, "kernel_shape", spatial, 1, &a.kernel); !s)
        return s;
    if (Status s = pair(b, "strides", spatial, 1, &a.strides); !s)
        return s;
    std::array<std::int64_t, 2> dilations { 1, 1 };
    if (Status s = pair(b, "dilations", spatial, 1, &dilations); !s)
        return s;
    if (dilations[0] != 1 || dilations[1] != 1)
        return b.unsupported("dilated pooling");
    std::int64_t ceil = 0, includePad = 0;
    if (Status s = b.intAttr("ceil_mode", 0, &ceil); !s)
        return s;
    if (Status s = b.intAttr("count_include_pad", 0, &includePad); !s)
        return s;
    a.ceilMode = ceil != 0;
    a.countIncludePad = includePad != 0;
    if (Status s = spatialPads(b, x, spatial, a.kernel, a.strides, dilations, &a.pads); !s)
        return s;
    return emitSpatial(b, { kind, a }, spatial, x, {});
}

Status globalAvgPool(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    if (Status s = b.requireF32({ 0 }); !s)
        return s;
    Shape x;
    int spatial = 0;
    if (Status s = spatialInput(b, &x, &spatial); !s)
        return s;
    return emitSpatial(b, { OpKind::GlobalAvgPool, NoAttributes {} }, spatial, x, {});
}

Status softmax(OnnxBuilder &b, OpKind kind)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    if (Status s = b.requireF32({ 0 }); !s)
        return s;
    const TensorDesc *x = b.desc(b.input(0));
    if (!x)
        return b.fail("input 0 is not defined");
    const bool legacy = b.opset() < 13;
    std::int64_t axis = 0;
    if (Status s = b.intAttr("axis", legacy ? 1 : -1, &axis); !s)
        return s;
    int a = 0;
    if (Status s = normalizeAxis(axis, x->shape.size(), &a); !s)
        return b.fail("attribute 'axis': " + s.message());
    if (!legacy || a + 1 == int(x->shape.size()))
        return b.emit({ kind, AxisAttributes { a } }, { b.input(0) }, { b.outputValue(0) });
    // Opset < 13 normalises the whole [axis, rank) block as one row: flatten it, apply
    // along the last axis, reshape back.
    const Shape shape = x->shape;
    std::int64_t outer = 1, inner = 1;
    for (std::size_t k = 0; k < shape.size(); ++k)
        (int(k) < a ? outer : inner) *= shape[k];
    const ValueId flat = b.tempValue("flat"), norm = b.tempValue("normalised");
    if (Status s
        = b.emit({ OpKind::Reshape, ShapeAttributes { { outer, inner } } }, { b.input(0) }, { flat });
        !s)
        return s;
    if (Status s = b.emitIds({ kind, AxisAttributes { 1 } }, { flat }, { norm }); !s)
        return s;
    return b.emitIds({ OpKind::Reshape, ShapeAttributes { shape } }, { norm }, { b.outputValue(0) });
}

Status layerNorm(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 2, 3); !s)
        return s;
    if (Status s = b.requireF32({ 0, 1, 2 }); !s)
        return s;
    NormAttributes a;
    if (Status s = b.intAttr("axis", -1, &a.axis); !s)
        return s;
    if (Status s = b.floatAttr("epsilon", 1e-5f, &a.epsilon); !s)
        return s;
    std::int64_t stash = 1;
    if (Status s = b.intAttr("stash_type", 1, &stash); !s)
        return s;
    if (stash != 1)
        return b.unsupported("stash_type " + std::to_string(stash) + " (only float)");
    std::vector<ValueId> outs;
    for (int i = 0; i < std::min(3, b.node().output_size()); ++i)
        outs.push_back(b.output(i).empty() ? kNoValue : b.outputValue(i));
    if (b.node().output_size() > 3)
        return b.fail("has " + std::to_string(b.node().output_size()) + " outputs, at most 3");
    return b.emit({ OpKind::LayerNorm, a }, { b.input(0), b.input(1), b.input(2) }, outs);
}

Status batchNorm(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 5, 5); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "training statistics"); !s)
        return s;
    if (Status s = b.requireF32({ 0, 1, 2, 3, 4 }); !s)
        return s;
    std::int64_t training = 0, spatial = 1;
    if (Status s = b.intAttr("training_mode", 0, &training); !s)
        return s;
    if (training != 0)
        return b.unsupported("training_mode=1");
    if (Status s = b.intAttr("spatial", 1, &spatial); !s)
        return s;
    if (spatial != 1)
        return b.unsupported("spatial=0");
    NormAttributes a;
    if (Status s = b.floatAttr("epsilon", 1e-5f, &a.epsilon); !s)
        return s;
    return b.emit({ OpKind::BatchNorm, a }, { b.input(0), b.input(1), b.input(2), b.input(3), b.input(4) },
        { b.outputValue(0) });
}

Status reduce(OnnxBuilder &b, OpKind kind, std::int64_t axesInputSince)
{
    if (Status s = needInputs(b, 1, 2); !s)
        return s;
    if (Status s = b.requireF32({ 0 }); !s)
        return s;
    ReduceAttributes a;
    std::int64_t keep = 1, noop = 0;
    if (Status s = b.intAttr("keepdims", 1, &keep); !s)
        return s;
    if (Status s = b.intAttr("noop_with_empty_axes", 0, &noop); !s)
        return s;
    a.keepDims = keep != 0;
    bool present = false;
    if (b.opset() >= axesInputSince) {
        if (Status s = b.constantInts(1, "axes", &a.axes, &present); !s)
            return s;
    } else {
        if (b.node().input_size() > 1)
            return b.fail("takes 1 input before opset " + std::to_string(axesInputSince));
        if (Status s = b.intsAttr("axes", &a.axes, &present); !s)
            return s;
    }
    if (a.axes.empty() && noop != 0)
        return b.emit({ OpKind::Identity, NoAttributes {} }, { b.input(0) }, { b.outputValue(0) });
    return b.emit({ kind, a }, { b.input(0) }, { b.outputValue(0) });
}

Status argMax(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    if (Status s = b.requireF32({ 0 }); !s)
        return s;
    ArgMaxAttributes a;
    std::int64_t keep = 1, last = 0;
    if (Status s = b.intAttr("axis", 0, &a.axis); !s)
        return s;
    if (Status s = b.intAttr("keepdims", 1, &keep); !s)
        return s;
    if (Status s = b.intAttr("select_last_index", 0, &last); !s)
        return s;
    a.keepDims = keep != 0;
    a.selectLastIndex = last != 0;
    return b.emit({ OpKind::ArgMax, a }, { b.input(0) }, { b.outputValue(0) });
}

Status reshape(OnnxBuilder &b)
{
    std::vector<std::int64_t> target;
    if (b.opset() < 5) {
        if (Status s = needInputs(b, 1, 1); !s)
            return s;
        bool present = false;
        if (Status s = b.intsAttr("shape", &target, &present); !s)
            return s;
        if (!present)
            return b.fail("attribute 'shape' is required before opset 5");
    } else {
        if (Status s = needInputs(b, 2, 2); !s)
            return s;
        bool present = false;
        if (Status s = b.constantInts(1, "shape", &target, &present); !s)
            return s;
    }
    std::int64_t allowZero = 0;
    if (Status s = b.intAttr("allowzero", 0, &allowZero); !s)
        return s;
    const TensorDesc *x = b.desc(b.input(0));
    if (!x)
        return b.fail("input 0 '" + b.input(0) + "' is not defined");
    Shape shape(target.size());
    int inferred = -1;
    std::int64_t known = 1;
    for (std::size_t i = 0; i < target.size(); ++i) {
        std::int64_t d = target[i];
        if (d == 0 && allowZero == 0) {
            if (i >= x->shape.size())
                return b.fail("shape " + shapeText(target) + " copies dimension " + std::to_string(i)
                    + " (0) but X is " + shapeText(x->shape));
            d = x->shape[i];
        }
        if (d == -1) {
            if (inferred >= 0)
                return b.fail("shape " + shapeText(target) + " has more than one -1");
            inferred = int(i);
            continue;
        }
        if (d < 0)
            return b.fail("shape " + shapeText(target) + " has an invalid dimension " + std::to_string(d));
        shape[i] = d;
        known *= d;
    }
    const std::int64_t total = elementCount(x->shape);
    if (inferred >= 0) {
        if (known == 0 || total % known != 0)
            return b.fail(
                "cannot infer the -1 of shape " + shapeText(target) + " for X " + shapeText(x->shape));
        shape[std::size_t(inferred)] = total / known;
    }
    return b.emit({ OpKind::Reshape, ShapeAttributes { shape } }, { b.input(0) }, { b.outputValue(0) });
}

Status flatten(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    std::int64_t axis = 1;
    if (Status s = b.intAttr("axis", 1, &axis); !s)
        return s;
    return b.emit({ OpKind::Flatten, AxisAttributes { axis } }, { b.input(0) }, { b.outputValue(0) });
}

Status transpose(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    TransposeAttributes a;
    if (Status s = b.intsAttr("perm", &a.perm); !s)
        return s;
    return b.emit({ OpKind::Transpose, a }, { b.input(0) }, { b.outputValue(0) });
}

Status concat(OnnxBuilder &b)
{
    if (b.node().input_size() < 1)
        return b.fail("needs at least one input");
    std::int64_t axis = 1;
    if (b.opset() >= 4 && !b.attribute("axis"))
        return b.fail("attribute 'axis' is required");
    if (Status s = b.intAttr("axis", 1, &axis); !s)
        return s;
    std::vector<std::string> ins(b.node().input().begin(), b.node().input().end());
    return b.emit({ OpKind::Concat, AxisAttributes { axis } }, ins, { b.outputValue(0) });
}

Status slice(OnnxBuilder &b)
{
    SliceAttributes a;
    if (b.opset() < 10) {
        if (Status s = needInputs(b, 1, 1); !s)
            return s;
        bool present = false;
        if (Status s = b.intsAttr("starts", &a.starts, &present); !s || !present)
            return s ? b.fail("attribute 'starts' is required") : s;
        if (Status s = b.intsAttr("ends", &a.ends, &present); !s || !present)
            return s ? b.fail("attribute 'ends' is required") : s;
        if (Status s = b.intsAttr("axes", &a.axes); !s)
            return s;
    } else {
        if (Status s = needInputs(b, 3, 5); !s)
            return s;
        bool present = false;
        if (Status s = b.constantInts(1, "starts", &a.starts, &present); !s)
            return s;
        if (Status s = b.constantInts(2, "ends", &a.ends, &present); !s)
            return s;
        if (Status s = b.constantInts(3, "axes", &a.axes, &present); !s)
            return s;
        if (Status s = b.constantInts(4, "steps", &a.steps, &present); !s)
            return s;
    }
    return b.emit({ OpKind::Slice, a }, { b.input(0) }, { b.outputValue(0) });
}

Status identity(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 1); !s)
        return s;
    if (const HostTensor *c = b.constant(b.input(0))) {
        b.defineConstant(b.output(0), *c); // keeps shape arguments constant through Identity
        return Status::ok();
    }
    return b.emit({ OpKind::Identity, NoAttributes {} }, { b.input(0) }, { b.outputValue(0) });
}

Status dropout(OnnxBuilder &b)
{
    if (Status s = needInputs(b, 1, 3); !s)
        return s;
    if (Status s = onlyOutputs(b, 1, "mask"); !s)
        return s;
    if (!b.input(2).empty()) {
        const HostTensor *t = b.constant(b.input(2));
        if (!t)
            return b.unsupported("training_mode computed at run time");
        for (std::byte v : t->data)
            if (v != std::byte { 0 })
                return b.unsupported("training_mode=true");
    }
    std::int64_t isTest = 1;
    if (b.opset() < 7) {
        if (Status s = b.intAttr("is_test", 0, &isTest); !s)
            return s;
        if (isTest == 0)
            return b.unsupported("is_test=0 (training)");
    }
    return b.emit({ OpKind::Identity, NoAttributes {} }, { b.input(0) }, { b.outputValue(0) });
}

Status constant(OnnxBuilder &b)
{
    if (b.node().input_size() != 0)
        return b.fail("takes no inputs");
    if (b.node().attribute_size() != 1)
        return b.fail(
            "must have exactly one value attribute, has " + std::to_string(b.node().attribute_size()));
    const onnx::AttributeProto &a = b.node().attribute(0);
    HostTensor t;
    if (a.name() == "value") {
        if (a.type() != onnx::AttributeProto_AttributeType_TENSOR)
            return b.fail("attribute 'value' must be a tensor");
        bool unsupportedType = false;
        if (Status s = tensorFromProto(a.t(), "attribute 'value'", &t, &unsupportedType); !s)
            return unsupportedType ? b.unsupported(s.message()) : b.fail(s.message());
    } else if (a.name() == "value_float" && a.type() == onnx::AttributeProto_AttributeType_FLOAT) {
        const float v = a.f();
        t = HostTensor::fromF32({}, std::span<const float>(&v, 1));
    } else if (a.name() == "value_floats" && a.type() == onnx::AttributeProto_AttributeType_FLOATS) {
        std::vector<float> v(a.floats().begin(), a.floats().end());
        t = HostTensor::fromF32({ std::int64_t(v.size()) }, v);
    } else if (a.name() == "value_int" && a.type() == onnx::AttributeProto_AttributeType_INT) {
        const std::int64_t v = a.i();
        t = HostTensor::fromI64({}, std::span<const std::int64_t>(&v, 1));
    } else if (a.name() == "value_ints" && a.type() == onnx::AttributeProto_AttributeType_INTS) {
        std::vector<std::int64_t> v(a.ints().begin(), a.ints().end());
        t = HostTensor::fromI64({ std::int64_t(v.size()) }, v);
    } else {
        return b.unsupported("attribute '" + a.name() + "'");
    }
    if (b.output(0).empty())
        return b.fail("has no output");
    b.defineConstant(b.output(0), std::move(t));
    return Status::ok();
}

const std::map<std::string, Converter> &converters()
{
    static const std::map<std::string, Converter> table = {
        { "Add", [](OnnxBuilder &b) { return binary(b, OpKind::Add); } },
        { "Sub", [](OnnxBuilder &b) { return binary(b, OpKind::Sub); } },
        { "Mul", [](OnnxBuilder &b) { return binary(b, OpKind::Mul); } },
        { "Div", [](OnnxBuilder &b) { return binary(b, OpKind::Div); } },
        { "Neg", [](OnnxBuilder &b) { return simple(b, OpKind::Neg, 1); } },
        { "Relu", [](OnnxBuilder &b) { return simple(b, OpKind::Relu, 1); } },
        { "Gelu", gelu },
        { "Tanh", [](OnnxBuilder &b) { return simple(b, OpKind::Tanh, 1); } },
        { "Sigmoid", [](OnnxBuilder &b) { return simple(b, OpKind::Sigmoid, 1); } },
        { "Exp", [](OnnxBuilder &b) { return simple(b, OpKind::Exp, 1); } },
        { "Log", [](OnnxBuilder &b) { return simple(b, OpKind::Log, 1); } },
        { "Sqrt", [](OnnxBuilder &b) { return simple(b, OpKind::Sqrt, 1); } },
        { "Gemm", gemm },
        { "MatMul", [](OnnxBuilder &b) { return simple(b, OpKind::MatMul, 2); } },
        { "Conv", conv },
        { "MaxPool", [](OnnxBuilder &b) { return pool(b, OpKind::MaxPool2d); } },
        { "AveragePool", [](OnnxBuilder &b) { return pool(b, OpKind::AvgPool2d); } },
        { "GlobalAveragePool", globalAvgPool },
        { "Softmax", [](OnnxBuilder &b) { return softmax(b, OpKind::Softmax); } },
        { "LogSoftmax", [](OnnxBuilder &b) { return softmax(b, OpKind::LogSoftmax); } },
        { "LayerNormalization", layerNorm },
        { "BatchNormalization", batchNorm },
        { "ReduceSum", [](OnnxBuilder &b) { return reduce(b, OpKind::ReduceSum, 13); } },
        { "ReduceMean", [](OnnxBuilder &b) { return reduce(b, OpKind::ReduceMean, 18); } },
        { "ReduceMax", [](OnnxBuilder &b) { return reduce(b, OpKind::ReduceMax, 18); } },
        { "ArgMax", argMax },
        { "Reshape", reshape },
        { "Flatten", flatten },
        { "Transpose", transpose },
        { "Concat", concat },
        { "Slice", slice },
        { "Identity", identity },
        { "Dropout", dropout },
        { "Constant", constant },
    };
    return table;
}

} // namespace

bool isSupportedOnnxOp(const std::string &opType)
{
    return converters().count(opType) != 0;
}

Status convertOnnxNode(OnnxBuilder &builder)
{
    const auto &table = converters();
    auto it = table.find(builder.node().op_type());
    if (it == table.end())
        return builder.unsupported("unknown op");
    return it->second(builder);
}

} // namespace tributary::engine
