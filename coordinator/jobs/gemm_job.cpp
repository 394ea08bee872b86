#include "coordinator/jobs/gemm_job.h"

#include "engine/random_fill.h"
#include "engine/sha256.h"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace tributary::coordinator {

using engine::Status;

// The wire format is little-endian fp32 and tiles are copied to and from it with memcpy.
static_assert(std::endian::native == std::endian::little, "the coordinator assumes a little-endian host");

namespace {

constexpr std::uint64_t kFloatBytes = sizeof(float);

std::string mib(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

std::uint32_t ceilDiv(std::uint32_t value, std::uint32_t divisor)
{
    return static_cast<std::uint32_t>((std::uint64_t(value) + divisor - 1) / divisor);
}

std::vector<float> toFloats(std::string_view bytes)
{
    std::vector<float> values(bytes.size() / kFloatBytes);
    std::memcpy(values.data(), bytes.data(), values.size() * kFloatBytes);
    return values;
}

std::string hexBits(float value)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08" PRIx32, std::bit_cast<std::uint32_t>(value));
    return text;
}

} // namespace

Status GemmJob::validate(const v1::GemmJobSpec &spec)
{
    const struct {
        const char *name;
        std::uint32_t value;
        bool isDimension;
    } fields[] = { { "m", spec.m(), true }, { "n", spec.n(), true }, { "k", spec.k(), true },
        { "tile_m", spec.tile_m(), false }, { "tile_n", spec.tile_n(), false } };
    for (const auto &field : fields) {
        if (field.value == 0)
            return Status::error(std::string("spec.gemm.") + field.name + " must be positive");
        if (field.isDimension && field.value > kMaxDimension)
            return Status::error(std::string("spec.gemm.") + field.name + " is " + std::to_string(field.value)
                + ", more than the limit of " + std::to_string(kMaxDimension));
    }

    const std::uint64_t m = spec.m(), n = spec.n(), k = spec.k();
    const std::uint64_t aBytes = m * k * kFloatBytes;
    const std::uint64_t bBytes = k * n * kFloatBytes;
    const std::uint64_t cBytes = m * n * kFloatBytes;
    if (aBytes + bBytes + cBytes > kMaxJobBytes)
        return Status::error("spec.gemm: A, B and C take " + mib(aBytes + bBytes + cBytes)
            + ", more than the limit of " + mib(kMaxJobBytes) + "; reduce m, n or k");
    const struct {
        const char *what;
        std::uint64_t bytes;
    } matrices[] = { { "A (m × k)", aBytes }, { "B (k × n)", bBytes }, { "C (m × n)", cBytes } };
    for (const auto &matrix : matrices) {
        if (matrix.bytes > kMaxMatrixBytes)
            return Status::error(std::string("spec.gemm: ") + matrix.what + " takes " + mib(matrix.bytes)
                + ", more than the limit of " + mib(kMaxMatrixBytes) + " for one matrix");
    }

    const std::uint64_t tileRows = std::min(spec.tile_m(), spec.m());
    const std::uint64_t tileCols = std::min(spec.tile_n(), spec.n());
    const std::uint64_t taskInput = (tileRows + tileCols) * k * kFloatBytes;
    if (taskInput > kMaxTaskBytes)
        return Status::error(
            "spec.gemm.tile_m, spec.gemm.tile_n: a task's inputs ((tile_m + tile_n) × k fp32) take "
            + mib(taskInput) + ", more than the limit of " + mib(kMaxTaskBytes) + "; use smaller tiles");
    const std::uint64_t taskOutput = tileRows * tileCols * kFloatBytes;
    if (taskOutput > kMaxTaskBytes)
        return Status::error("spec.gemm.tile_m, spec.gemm.tile_n: a tile (tile_m × tile_n fp32) takes "
            + mib(taskOutput) + ", more than the limit of " + mib(kMaxTaskBytes) + "; use smaller tiles");
    const std::uint64_t tasks
        = std::uint64_t(ceilDiv(spec.m(), spec.tile_m())) * ceilDiv(spec.n(), spec.tile_n());
    if (tasks > kMaxTasks)
        return Status::error("spec.gemm.tile_m, spec.gemm.tile_n: the job would have " + std::to_string(tasks)
            + " tasks, more than the limit of " + std::to_string(kMaxTasks) + "; use larger tiles");
    return Status::ok();
}

GemmJob::GemmJob(const v1::GemmJobSpec &spec)
    : m_spec(spec)
{
}

std::vector<float> GemmJob::generateA() const
{
    std::vector<float> a(std::size_t(m_spec.m()) * m_spec.k());
    engine::fillUniform(a, m_spec.seed());
    return a;
}

std::vector<float> GemmJob::generateB() const
{
    std::vector<float> b(std::size_t(m_spec.k()) * m_spec.n());
    engine::fillUniform(b, m_spec.seed() + 1);
    return b;
}

std::uint32_t GemmJob::tileRowCount() const
{
    return ceilDiv(m_spec.m(), m_spec.tile_m());
}

std::uint32_t GemmJob::tileColumnCount() const
{
    return ceilDiv(m_spec.n(), m_spec.tile_n());
}

std::vector<GemmTile> GemmJob::tiles() const
{
    std::vector<GemmTile> result;
    const std::uint32_t tileRows = tileRowCount(), tileColumns = tileColumnCount();
    result.reserve(std::size_t(tileRows) * tileColumns);
    for (std::uint32_t r = 0; r < tileRows; ++r) {
        for (std::uint32_t c = 0; c < tileColumns; ++c) {
            GemmTile tile;
            tile.index = r * tileColumns + c;
            tile.row0 = r * m_spec.tile_m();
            tile.col0 = c * m_spec.tile_n();
            tile.rows = std::min(m_spec.tile_m(), m_spec.m() - tile.row0);
            tile.cols = std::min(m_spec.tile_n(), m_spec.n() - tile.col0);
            result.push_back(tile);
        }
    }
    return result;
}

std::vector<ByteRange> GemmJob::aRanges(const GemmTile &tile) const
{
    const std::uint64_t rowBytes = std::uint64_t(m_spec.k()) * kFloatBytes;
    return { ByteRange { tile.row0 * rowBytes, tile.rows * rowBytes } };
}

std::vector<ByteRange> GemmJob::bRanges(const GemmTile &tile) const
{
    const std::uint64_t rowBytes = std::uint64_t(m_spec.n()) * kFloatBytes;
    std::vector<ByteRange> ranges;
    ranges.reserve(m_spec.k());
    for (std::uint64_t p = 0; p < m_spec.k(); ++p)
        ranges.push_back(ByteRange { p * rowBytes + tile.col0 * kFloatBytes, tile.cols * kFloatBytes });
    return ranges;
}

std::uint64_t GemmJob::inputBytes(const GemmTile &tile) const
{
    return (std::uint64_t(tile.rows) + tile.cols) * m_spec.k() * kFloatBytes;
}

std::uint64_t GemmJob::outputBytes(const GemmTile &tile) const
{
    return std::uint64_t(tile.rows) * tile.cols * kFloatBytes;
}

Status GemmJob::verifyTile(engine::Backend &cpu, const GemmTile &tile, std::string_view aRows,
    std::string_view bColumns, std::string_view output, std::string_view outputSha256,
    std::string *rejection) const
{
    rejection->clear();
    if (output.size() != outputBytes(tile)) {
        *rejection = "output is " + std::to_string(output.size()) + " bytes, expected "
            + std::to_string(outputBytes(tile)) + " (" + std::to_string(tile.rows) + " × "
            + std::to_string(tile.cols) + " fp32)";
        return Status::ok();
    }
    const std::string digest = engine::sha256Hex(std::as_bytes(std::span(output.data(), output.size())));
    if (digest != outputSha256) {
        *rejection = "output_sha256 \"" + std::string(outputSha256) + "\" does not match the output ("
            + digest + ")";
        return Status::ok();
    }

    const std::uint64_t k = m_spec.k();
    if (aRows.size() != tile.rows * k * kFloatBytes || bColumns.size() != tile.cols * k * kFloatBytes)
        return Status::error("tile " + std::to_string(tile.index) + ": inputs have the wrong size");
    const std::vector<float> a = toFloats(aRows);
    const std::vector<float> b = toFloats(bColumns);
    std::vector<float> expected(std::size_t(tile.rows) * tile.cols);
    const engine::GemmShape shape { static_cast<int>(tile.rows), static_cast<int>(tile.cols),
        static_cast<int>(k) };
    if (auto status = cpu.gemm(a, b, expected, shape); !status)
        return Status::error(
            "cannot compute the reference for tile " + std::to_string(tile.index) + ": " + status.message());

    if (std::memcmp(expected.data(), output.data(), output.size()) == 0)
        return Status::ok();
    const std::vector<float> got = toFloats(output);
    std::size_t differing = 0, first = 0;
    for (std::size_t i = got.size(); i-- > 0;) {
        if (std::bit_cast<std::uint32_t>(got[i]) != std::bit_cast<std::uint32_t>(expected[i])) {
            ++differing;
            first = i;
        }
    }
    *rejection = std::to_string(differing) + " of " + std::to_string(got.size())
        + " elements differ from the CPU reference; the first at (" + std::to_string(first / tile.cols) + ", "
        + std::to_string(first % tile.cols) + ") is " + hexBits(got[first]) + ", expected "
        + hexBits(expected[first]);
    return Status::ok();
}

std::uint64_t GemmJob::resultBytes() const
{
    return std::uint64_t(m_spec.m()) * m_spec.n() * kFloatBytes;
}

Status GemmJob::placeTile(const GemmTile &tile, std::string_view output, std::string *result) const
{
    if (output.size() != outputBytes(tile))
        return Status::error("tile " + std::to_string(tile.index) + " output is "
            + std::to_string(output.size()) + " bytes, expected " + std::to_string(outputBytes(tile)));
    if (std::uint64_t(tile.row0) + tile.rows > m_spec.m() || std::uint64_t(tile.col0) + tile.cols > m_spec.n()
        || result->size() != resultBytes())
        return Status::error("tile " + std::to_string(tile.index) + " lies outside the result");
    const std::uint64_t resultRowBytes = std::uint64_t(m_spec.n()) * kFloatBytes;
    const std::uint64_t tileRowBytes = std::uint64_t(tile.cols) * kFloatBytes;
    for (std::uint64_t r = 0; r < tile.rows; ++r)
        std::memcpy(result->data() + (tile.row0 + r) * resultRowBytes + tile.col0 * kFloatBytes,
            output.data() + r * tileRowBytes, tileRowBytes);
    return Status::ok();
}

} // namespace tributary::coordinator
