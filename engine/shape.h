#pragma once

// Shapes: dimension lists, row-major (the last dimension is contiguous). A scalar has
// the empty shape and one element.

#include "engine/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tributary::engine {

using Shape = std::vector<std::int64_t>;

// Product of the dimensions (1 for a scalar). Dimensions must be non-negative.
std::int64_t elementCount(const Shape &shape);

// "[2, 3, 4]"
std::string shapeText(const Shape &shape);

// Row-major strides in elements: strides[i] = product of shape[i+1..].
std::vector<std::int64_t> rowMajorStrides(const Shape &shape);

// NumPy-style broadcasting of two shapes. Fails, naming both shapes, when a dimension
// pair is neither equal nor 1.
Status broadcastShapes(const Shape &a, const Shape &b, Shape *out);

// Turns a possibly negative axis into 0..rank-1; fails when it is out of range.
Status normalizeAxis(std::int64_t axis, std::size_t rank, int *out);

// Checks that every dimension is non-negative and the element count fits in int64 and
// in memory addressing (names the shape when not).
Status checkShape(const Shape &shape);

} // namespace tributary::engine
