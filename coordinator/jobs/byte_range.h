#pragma once

// A byte range inside a blob: how a task's inputs are cut out of a job's input matrices
// without reading the whole matrix (a tile needs a few rows of A and a few columns of B).

#include <cstdint>

namespace tributary::coordinator {

struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

} // namespace tributary::coordinator
