#include "engine/cpu/cpu_backend.h"

#include "engine/cpu/cpu_fast_gemm.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace tributary::engine {

namespace {

// A kc × kPanelWidth slice of packed B (32 KiB) stays in L1 while a row block streams past;
// the A block (row block × kc) stays in L2 across the panels of one task.
constexpr int kDepthBlock = 256;
constexpr int kRowBlockTiles = 12;  // row block = 12 micro-tiles of rows
constexpr int kPanelsPerTask = 256 / kPanelWidth; // 256 columns
constexpr double kInlineFlops = 1 << 18; // below this, waking threads costs more than it saves

int ceilDiv(int x, int y) { return (x + y - 1) / y; }

} // namespace

CpuBackend::CpuBackend(DeviceInfo device, ExecutionMode mode) : CpuBackend(std::move(device), selectGemmKernel(), mode)
{
}

CpuBackend::CpuBackend(DeviceInfo device, GemmKernel kernel)
    : CpuBackend(std::move(device), kernel, ExecutionMode::Exact)
{
}

CpuBackend::CpuBackend(DeviceInfo device, GemmKernel kernel, ExecutionMode mode)
    : Backend(mode), m_device(std::move(device)), m_kernel(kernel), m_pool(std::max(1, m_device.computeUnits))
{
    if (mode == ExecutionMode::Fast)
        m_fastGemm = cpuFastGemmAvailable(&m_device.fastMode);
}

Status CpuBackend::gemm(std::span<const float> a, std::span<const float> b, std::span<float> c,
                        GemmShape shape)
{
    if (Status s = checkGemmArguments(a.size(), b.size(), c.size(), shape); !s)
        return s;
    if (m_fastGemm)
        return cpuFastGemm(a, b, c, shape, m_pool.threadCount());

    const int panels = ceilDiv(shape.n, kPanelWidth);
    const std::size_t packedSize = static_cast<std::size_t>(panels) * kPanelWidth * static_cast<std::size_t>(shape.k);
    try {
        if (m_packedB.size() < packedSize)
            m_packedB.resize(packedSize);
    } catch (const std::bad_alloc &) {
        return Status::error("cpu: out of memory allocating " + std::to_string(packedSize * sizeof(float) >> 20)
                             + " MiB for packed B");
    }
    packB(b.data(), shape);

    const int rowBlock = m_kernel.maxRows * kRowBlockTiles;
    const int rowBlocks = ceilDiv(shape.m, rowBlock);
    const int panelGroups = ceilDiv(panels, kPanelsPerTask);
    auto task = [&](int index) {
        const int rowBegin = (index / panelGroups) * rowBlock;
        const int panelBegin = (index % panelGroups) * kPanelsPerTask;
        computeBlock(a.data(), c.data(), shape, rowBegin, std::min(shape.m, rowBegin + rowBlock), panelBegin,
                     std::min(panels, panelBegin + kPanelsPerTask));
    };
    const double flops = 2.0 * shape.m * shape.n * shape.k;
    if (flops < kInlineFlops) {
        for (int i = 0; i < rowBlocks * panelGroups; ++i)
            task(i);
    } else {
        m_pool.parallelFor(rowBlocks * panelGroups, task);
    }
    return Status::ok();
}

void CpuBackend::packB(const float *b, GemmShape shape)
{
    const int panels = ceilDiv(shape.n, kPanelWidth);
    const auto k = static_cast<std::size_t>(shape.k);
    const auto n = static_cast<std::size_t>(shape.n);
    auto packPanel = [&](int q) {
        const std::size_t j0 = static_cast<std::size_t>(q) * kPanelWidth;
        const std::size_t width = std::min<std::size_t>(kPanelWidth, n - j0);
        float *out = m_packedB.data() + static_cast<std::size_t>(q) * kPanelWidth * k;
        for (std::size_t p = 0; p < k; ++p, out += kPanelWidth) {
            std::memcpy(out, b + p * n + j0, width * sizeof(float));
            std::fill(out + width, out + kPanelWidth, 0.0f);
        }
    };
    if (2.0 * shape.n * shape.k < kInlineFlops) {
        for (int q = 0; q < panels; ++q)
            packPanel(q);
    } else {
        m_pool.parallelFor(panels, packPanel);
    }
}

void CpuBackend::computeBlock(const float *a, float *c, GemmShape shape, int rowBegin, int rowEnd, int panelBegin,
                              int panelEnd) const
{
    const auto k = static_cast<std::size_t>(shape.k);
    const auto n = static_cast<std::size_t>(shape.n);
    // Partial panels at the right edge run on a scratch tile so the kernel can always
    // write kPanelWidth columns; the chain state is copied in and out around it.
    float edge[kGemmMaxRows * kPanelWidth] = {};

    for (int p0 = 0; p0 < shape.k; p0 += kDepthBlock) {
        const int kc = std::min(kDepthBlock, shape.k - p0);
        for (int q = panelBegin; q < panelEnd; ++q) {
            const std::size_t j0 = static_cast<std::size_t>(q) * kPanelWidth;
            const std::size_t width = std::min<std::size_t>(kPanelWidth, n - j0);
            const float *panel = m_packedB.data() + static_cast<std::size_t>(q) * kPanelWidth * k
                                 + static_cast<std::size_t>(p0) * kPanelWidth;
            for (int i = rowBegin; i < rowEnd; i += m_kernel.maxRows) {
                GemmTile tile;
                tile.rows = std::min(m_kernel.maxRows, rowEnd - i);
                tile.a = a + static_cast<std::size_t>(i) * k + static_cast<std::size_t>(p0);
                tile.lda = k;
                tile.b = panel;
                tile.kc = kc;
                tile.accumulate = p0 > 0;
                float *cTile = c + static_cast<std::size_t>(i) * n + j0;
                if (width == kPanelWidth) {
                    tile.c = cTile;
                    tile.ldc = n;
                    m_kernel.run(tile);
                    continue;
                }
                tile.c = edge;
                tile.ldc = kPanelWidth;
                if (tile.accumulate) {
                    for (int r = 0; r < tile.rows; ++r)
                        std::memcpy(edge + r * kPanelWidth, cTile + r * n, width * sizeof(float));
                }
                m_kernel.run(tile);
                for (int r = 0; r < tile.rows; ++r)
                    std::memcpy(cTile + r * n, edge + r * kPanelWidth, width * sizeof(float));
            }
        }
    }
}

} // namespace tributary::engine
