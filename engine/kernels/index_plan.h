#pragma once

// index_plan.h: host-side index plans for the GPU kernels of the math families (Vulkan
// and CUDA): broadcasting and reductions described with as few dimensions as possible,
// so that shaders take them as small fixed arrays of push constants / kernel arguments.

#include "engine/shape.h"

#include <cstdint>
#include <vector>

namespace tributary::engine {

// Y = A op B with broadcasting: the output as `dims` (row-major) and each input's element
// stride along every dim (0 where it is broadcast). Size-1 dims are dropped and adjacent
// dims that both inputs traverse contiguously are merged.
struct BroadcastPlan {
    std::vector<std::int64_t> dims;
    std::vector<std::int64_t> strideA;
    std::vector<std::int64_t> strideB;
};

inline BroadcastPlan makeBroadcastPlan(const Shape &a, const Shape &b, const Shape &out)
{
    const std::size_t rank = out.size();
    auto aligned = [&](const Shape &in) {
        std::vector<std::int64_t> strides(rank, 0);
        const std::vector<std::int64_t> own = rowMajorStrides(in);
        for (std::size_t i = 0; i < in.size(); ++i)
            strides[rank - in.size() + i] = in[i] == 1 ? 0 : own[i];
        return strides;
    };
    const std::vector<std::int64_t> sa = aligned(a), sb = aligned(b);
    BroadcastPlan plan;
    for (std::size_t d = 0; d < rank; ++d) {
        if (out[d] == 1)
            continue;
        if (!plan.dims.empty() && plan.strideA.back() == sa[d] * out[d] && plan.strideB.back() == sb[d] * out[d]) {
            plan.dims.back() *= out[d];
            plan.strideA.back() = sa[d];
            plan.strideB.back() = sb[d];
            continue;
        }
        plan.dims.push_back(out[d]);
        plan.strideA.push_back(sa[d]);
        plan.strideB.push_back(sb[d]);
    }
    return plan;
}

// A reduction over the dims flagged in `reduced` of a dense row-major `shape`: the kept
// dims (row-major order of the outputs) and the reduced dims (row-major order of the
// canonical sum), each with its element stride in the input; size-1 dims dropped and
// adjacent dims of the same kind merged.
struct ReduceDims {
    std::vector<std::int64_t> keptDims, keptStrides;
    std::vector<std::int64_t> reducedDims, reducedStrides;
};

inline ReduceDims makeReduceDims(const Shape &shape, const std::vector<bool> &reduced)
{
    const std::vector<std::int64_t> strides = rowMajorStrides(shape);
    ReduceDims plan;
    int last = -1; // 0 kept, 1 reduced: the kind of the previous non-trivial dim
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 1)
            continue;
        const int kind = reduced[d] ? 1 : 0;
        std::vector<std::int64_t> &dims = kind ? plan.reducedDims : plan.keptDims;
        std::vector<std::int64_t> &st = kind ? plan.reducedStrides : plan.keptStrides;
        if (kind == last) {
            dims.back() *= shape[d];
            st.back() = strides[d];
        } else {
            dims.push_back(shape[d]);
            st.push_back(strides[d]);
        }
        last = kind;
    }
    return plan;
}

} // namespace tributary::engine
