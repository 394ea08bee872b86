#include "engine/shape.h"

#include <limits>

namespace tributary::engine {

std::int64_t elementCount(const Shape &shape)
{
    std::int64_t count = 1;
    for (std::int64_t dim : shape)
        count *= dim;
    return count;
}

std::string shapeText(const Shape &shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            text += ", ";
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

std::vector<std::int64_t> rowMajorStrides(const Shape &shape)
{
    std::vector<std::int64_t> strides(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;)
        strides[i - 1] = strides[i] * shape[i];
    return strides;
}

Status broadcastShapes(const Shape &a, const Shape &b, Shape *out)
{
    const std::size_t rank = std::max(a.size(), b.size());
    Shape result(rank);
    for (std::size_t i = 0; i < rank; ++i) {
        const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1)
            return Status::error("shapes " + shapeText(a) + " and " + shapeText(b) + " do not broadcast (dimension "
                                 + std::to_string(i) + ": " + std::to_string(da) + " vs " + std::to_string(db) + ")");
        result[i] = da == 1 ? db : da;
    }
    *out = std::move(result);
    return Status::ok();
}

Status normalizeAxis(std::int64_t axis, std::size_t rank, int *out)
{
    const auto r = static_cast<std::int64_t>(rank);
    if (axis < -r || axis >= r)
        return Status::error("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    *out = static_cast<int>(axis < 0 ? axis + r : axis);
    return Status::ok();
}

Status checkShape(const Shape &shape)
{
    // Element counts stay below 2^47 so that byte sizes and index arithmetic in kernels fit.
    constexpr std::int64_t kMaxElements = std::int64_t(1) << 47;
    std::int64_t count = 1;
    for (std::int64_t dim : shape) {
        if (dim < 0)
            return Status::error("shape " + shapeText(shape) + " has a negative dimension");
        if (dim != 0 && count > kMaxElements / dim)
            return Status::error("shape " + shapeText(shape) + " has too many elements");
        count *= dim;
    }
    return Status::ok();
}

} // namespace tributary::engine
