#include "engine/ops/layout.h"

#include <algorithm>
#include <limits>
#include <string>

namespace tributary::engine {

namespace {

std::string prefix(const Op &op)
{
    return std::string(opName(op.kind)) + ": ";
}

Status needInputs(const Op &op, const OpInputs &inputs, std::size_t count)
{
    if (inputs.size() != count)
        return Status::error(prefix(op) + "expects " + std::to_string(count) + " input(s), got "
            + std::to_string(inputs.size()));
    for (std::size_t i = 0; i < count; ++i)
        if (!inputs.has(i))
            return Status::error(prefix(op) + "input " + std::to_string(i) + " is required but absent");
    return Status::ok();
}

std::string listText(const std::vector<std::int64_t> &values)
{
    return shapeText(values);
}

Status transposePerm(const Op &op, std::size_t rank, std::vector<std::int64_t> *perm)
{
    const auto &attrs = op.attr<TransposeAttributes>();
    if (attrs.perm.empty()) {
        perm->resize(rank);
        for (std::size_t i = 0; i < rank; ++i)
            (*perm)[i] = std::int64_t(rank - 1 - i);
        return Status::ok();
    }
    if (attrs.perm.size() != rank)
        return Status::error(prefix(op) + "perm " + listText(attrs.perm) + " has "
            + std::to_string(attrs.perm.size()) + " entries but X has rank " + std::to_string(rank));
    std::vector<bool> seen(rank, false);
    for (std::int64_t p : attrs.perm) {
        if (p < 0 || p >= std::int64_t(rank) || seen[std::size_t(p)])
            return Status::error(prefix(op) + "perm " + listText(attrs.perm) + " is not a permutation of 0.."
                + std::to_string(std::int64_t(rank) - 1));
        seen[std::size_t(p)] = true;
    }
    *perm = attrs.perm;
    return Status::ok();
}

Status flattenAxis(const Op &op, std::size_t rank, int *axis)
{
    std::int64_t a = op.attr<AxisAttributes>().axis;
    const auto r = std::int64_t(rank);
    if (a < -r || a > r)
        return Status::error(prefix(op) + "axis " + std::to_string(a) + " is out of range ["
            + std::to_string(-r) + ", " + std::to_string(r) + "] for rank " + std::to_string(r));
    *axis = int(a < 0 ? a + r : a);
    return Status::ok();
}

// Merges neighbouring dimensions that both views walk contiguously, drops size-1
// dimensions: fewer dimensions for the GPU kernels' fixed-size index arithmetic.
void coalesce(LayoutCopy *copy)
{
    Shape dims;
    std::vector<std::int64_t> src, dst;
    for (std::size_t k = 0; k < copy->dims.size(); ++k) {
        if (copy->dims[k] == 1)
            continue;
        if (!dims.empty() && src.back() == copy->srcStrides[k] * copy->dims[k]
            && dst.back() == copy->dstStrides[k] * copy->dims[k]) {
            dims.back() *= copy->dims[k];
            src.back() = copy->srcStrides[k];
            dst.back() = copy->dstStrides[k];
            continue;
        }
        dims.push_back(copy->dims[k]);
        src.push_back(copy->srcStrides[k]);
        dst.push_back(copy->dstStrides[k]);
    }
    if (dims.empty()) { // a single element
        dims.push_back(1);
        src.push_back(1);
        dst.push_back(1);
    }
    copy->dims = std::move(dims);
    copy->srcStrides = std::move(src);
    copy->dstStrides = std::move(dst);
}

LayoutCopy contiguousCopy(int input, std::int64_t count)
{
    LayoutCopy copy;
    copy.input = input;
    copy.dims = { count };
    copy.srcStrides = { 1 };
    copy.dstStrides = { 1 };
    return copy;
}

} // namespace

Status resolveSlice(const SliceAttributes &attrs, const Shape &inputShape, ResolvedSlice *out)
{
    const auto rank = inputShape.size();
    if (attrs.starts.size() != attrs.ends.size())
        return Status::error("Slice: starts " + listText(attrs.starts) + " and ends " + listText(attrs.ends)
            + " differ in length");
    if (!attrs.axes.empty() && attrs.axes.size() != attrs.starts.size())
        return Status::error("Slice: axes " + listText(attrs.axes) + " and starts " + listText(attrs.starts)
            + " differ in length");
    if (!attrs.steps.empty() && attrs.steps.size() != attrs.starts.size())
        return Status::error("Slice: steps " + listText(attrs.steps) + " and starts " + listText(attrs.starts)
            + " differ in length");
    out->starts.assign(rank, 0);
    out->steps.assign(rank, 1);
    out->outShape = inputShape;
    std::vector<bool> seen(rank, false);
    for (std::size_t i = 0; i < attrs.starts.size(); ++i) {
        std::int64_t axis = attrs.axes.empty() ? std::int64_t(i) : attrs.axes[i];
        int a = 0;
        if (Status s = normalizeAxis(axis, rank, &a); !s)
            return Status::error("Slice: axes entry " + std::to_string(i) + ": " + s.message());
        if (seen[std::size_t(a)])
            return Status::error(
                "Slice: axis " + std::to_string(a) + " is listed twice in axes " + listText(attrs.axes));
        seen[std::size_t(a)] = true;
        const std::int64_t step = attrs.steps.empty() ? 1 : attrs.steps[i];
        if (step == 0)
            return Status::error("Slice: step of axis " + std::to_string(a) + " is 0");
        if (step == std::numeric_limits<std::int64_t>::min())
            return Status::error("Slice: step of axis " + std::to_string(a) + " is out of range");
        const std::int64_t d = inputShape[std::size_t(a)];
        std::int64_t start = attrs.starts[i];
        std::int64_t end = attrs.ends[i];
        if (start < 0)
            start += d; // cannot overflow: d >= 0
        if (end < 0)
            end += d;
        std::int64_t count = 0;
        if (step > 0) {
            start = std::clamp<std::int64_t>(start, 0, d);
            end = std::clamp<std::int64_t>(end, 0, d);
            count = end > start ? (end - start - 1) / step + 1 : 0;
        } else {
            start = std::clamp<std::int64_t>(start, 0, d - 1);
            end = std::clamp<std::int64_t>(end, -1, d - 1);
            count = start > end ? (start - end - 1) / (-step) + 1 : 0;
        }
        if (d == 0)
            count = 0, start = 0;
        out->starts[std::size_t(a)] = start;
        out->steps[std::size_t(a)] = step;
        out->outShape[std::size_t(a)] = count;
    }
    return Status::ok();
}

Status inferLayout(const Op &op, const OpInputs &inputs, std::vector<TensorDesc> *outputs)
{
    switch (op.kind) {
    case OpKind::Identity: {
        if (Status s = needInputs(op, inputs, 1); !s)
            return s;
        outputs->push_back(inputs[0]);
        return Status::ok();
    }
    case OpKind::Reshape: {
        if (Status s = needInputs(op, inputs, 1); !s)
            return s;
        const Shape &target = op.attr<ShapeAttributes>().shape;
        for (std::int64_t d : target)
            if (d < 0)
                return Status::error(prefix(op) + "target shape " + shapeText(target)
                    + " has a negative dimension (resolve -1 before building the op)");
        if (Status s = checkShape(target); !s)
            return Status::error(prefix(op) + "target: " + s.message());
        if (elementCount(target) != elementCount(inputs[0].shape))
            return Status::error(prefix(op) + "cannot reshape " + shapeText(inputs[0].shape) + " ("
                + std::to_string(elementCount(inputs[0].shape)) + " elements) to " + shapeText(target) + " ("
                + std::to_string(elementCount(target)) + " elements)");
        outputs->push_back({ inputs[0].dtype, target });
        return Status::ok();
    }
    case OpKind::Flatten: {
        if (Status s = needInputs(op, inputs, 1); !s)
            return s;
        int axis = 0;
        if (Status s = flattenAxis(op, inputs[0].shape.size(), &axis); !s)
            return s;
        std::int64_t outer = 1, inner = 1;
        for (std::size_t i = 0; i < inputs[0].shape.size(); ++i)
            (int(i) < axis ? outer : inner) *= inputs[0].shape[i];
        outputs->push_back({ inputs[0].dtype, { outer, inner } });
        return Status::ok();
    }
    case OpKind::Transpose: {
        if (Status s = needInputs(op, inputs, 1); !s)
            return s;
        std::vector<std::int64_t> perm;
        if (Status s = transposePerm(op, inputs[0].shape.size(), &perm); !s)
            return s;
        Shape shape(perm.size());
        for (std::size_t i = 0; i < perm.size(); ++i)
            shape[i] = inputs[0].shape[std::size_t(perm[i])];
        outputs->push_back({ inputs[0].dtype, shape });
        return Status::ok();
    }
    case OpKind::Concat: {
        if (inputs.size() == 0)
            return Status::error(prefix(op) + "needs at least one input");
        for (std::size_t i = 0; i < inputs.size(); ++i)
            if (!inputs.has(i))
                return Status::error(prefix(op) + "input " + std::to_string(i) + " is absent");
        const TensorDesc &first = inputs[0];
        if (first.shape.empty())
            return Status::error(prefix(op) + "cannot concatenate scalars (input 0 has rank 0)");
        int axis = 0;
        if (Status s = normalizeAxis(op.attr<AxisAttributes>().axis, first.shape.size(), &axis); !s)
            return Status::error(prefix(op) + s.message());
        Shape shape = first.shape;
        for (std::size_t i = 1; i < inputs.size(); ++i) {
            const TensorDesc &x = inputs[i];
            if (x.dtype != first.dtype)
                return Status::error(prefix(op) + "input " + std::to_string(i) + " is "
                    + std::string(dtypeName(x.dtype)) + " but input 0 is "
                    + std::string(dtypeName(first.dtype)));
            bool fits = x.shape.size() == first.shape.size();
            for (std::size_t k = 0; fits && k < x.shape.size(); ++k)
                fits = int(k) == axis || x.shape[k] == first.shape[k];
            if (!fits)
                return Status::error(prefix(op) + "input " + std::to_string(i) + " is " + shapeText(x.shape)
                    + " but input 0 is " + shapeText(first.shape) + ": only axis " + std::to_string(axis)
                    + " may differ");
            shape[std::size_t(axis)] += x.shape[std::size_t(axis)];
        }
        if (Status s = checkShape(shape); !s)
            return Status::error(prefix(op) + s.message());
        outputs->push_back({ first.dtype, shape });
        return Status::ok();
    }
    case OpKind::Slice: {
        if (Status s = needInputs(op, inputs, 1); !s)
            return s;
        ResolvedSlice slice;
        if (Status s = resolveSlice(op.attr<SliceAttributes>(), inputs[0].shape, &slice); !s)
            return s;
        outputs->push_back({ inputs[0].dtype, slice.outShape });
        return Status::ok();
    }
    default:
        break;
    }
    return Status::error(prefix(op) + "not a layout op");
}

Status planLayoutCopies(const Op &op, std::span<const Shape> inputShapes, std::vector<LayoutCopy> *copies)
{
    copies->clear();
    if (inputShapes.empty())
        return Status::error(prefix(op) + "no inputs");
    const Shape &x = inputShapes[0];
    switch (op.kind) {
    case OpKind::Identity:
    case OpKind::Reshape:
    case OpKind::Flatten:
        if (elementCount(x) > 0)
            copies->push_back(contiguousCopy(0, elementCount(x)));
        return Status::ok();
    case OpKind::Transpose: {
        std::vector<std::int64_t> perm;
        if (Status s = transposePerm(op, x.size(), &perm); !s)
            return s;
        const auto inStrides = rowMajorStrides(x);
        LayoutCopy copy;
        for (std::size_t k = 0; k < perm.size(); ++k) {
            copy.dims.push_back(x[std::size_t(perm[k])]);
            copy.srcStrides.push_back(inStrides[std::size_t(perm[k])]);
        }
        copy.dstStrides = rowMajorStrides(copy.dims);
        if (copy.elements() == 0)
            return Status::ok();
        coalesce(&copy);
        copies->push_back(std::move(copy));
        return Status::ok();
    }
    case OpKind::Slice: {
        ResolvedSlice slice;
        if (Status s = resolveSlice(op.attr<SliceAttributes>(), x, &slice); !s)
            return s;
        const auto inStrides = rowMajorStrides(x);
        LayoutCopy copy;
        copy.dims = slice.outShape;
        for (std::size_t k = 0; k < x.size(); ++k) {
            copy.srcStrides.push_back(inStrides[k] * slice.steps[k]);
            copy.srcOffset += slice.starts[k] * inStrides[k];
        }
        copy.dstStrides = rowMajorStrides(copy.dims);
        if (copy.elements() == 0)
            return Status::ok();
        coalesce(&copy);
        copies->push_back(std::move(copy));
        return Status::ok();
    }
    case OpKind::Concat: {
        int axis = 0;
        if (Status s = normalizeAxis(op.attr<AxisAttributes>().axis, x.size(), &axis); !s)
            return Status::error(prefix(op) + s.message());
        Shape outShape = x;
        outShape[std::size_t(axis)] = 0;
        for (const Shape &s : inputShapes)
            outShape[std::size_t(axis)] += s[std::size_t(axis)];
        const auto outStrides = rowMajorStrides(outShape);
        std::int64_t offset = 0;
        for (std::size_t i = 0; i < inputShapes.size(); ++i) {
            LayoutCopy copy;
            copy.input = int(i);
            copy.dims = inputShapes[i];
            copy.srcStrides = rowMajorStrides(copy.dims);
            copy.dstStrides = outStrides;
            copy.dstOffset = offset * outStrides[std::size_t(axis)];
            offset += inputShapes[i][std::size_t(axis)];
            if (copy.elements() == 0)
                continue;
            coalesce(&copy);
            copies->push_back(std::move(copy));
        }
        return Status::ok();
    }
    default:
        break;
    }
    return Status::error(prefix(op) + "not a layout op");
}

} // namespace tributary::engine
