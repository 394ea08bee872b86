#pragma once

// GemmJob: everything the coordinator knows about a GEMM job (tributary.v1.GemmJobSpec):
// checking a spec, generating its inputs, cutting it into tile tasks, cutting a task's
// inputs out of A and B, checking a node's tile and assembling C.
//
//   if (auto status = GemmJob::validate(spec); !status) -> INVALID_ARGUMENT, status.message()
//   GemmJob job(spec);
//   std::vector<float> a = job.generateA(), b = job.generateB();
//   for (const GemmTile &tile : job.tiles()) ...             // one task per tile
//   inputs.readRanges(aSha, job.aRanges(tile), &aRows);      // the task's payload (BlobCache)
//   job.verifyTile(cpuBackend, tile, aRows, bCols, output, outputSha256, &rejection);
//
// Inputs (the protocol's contract, which nodes and clients rely on):
//   A[m×k] = engine::fillUniform(seed), B[k×n] = engine::fillUniform(seed + 1),
//   both row-major little-endian fp32.
// Tiles: tile_m × tile_n blocks of C, numbered row-major over the tile grid (index =
// tileRow * tileColumns + tileColumn); the last row and column of tiles are smaller when
// the dimensions are not multiples of the tile size. A tile's payload is A's rows
// [row0, row0 + rows) (contiguous) and B's columns [col0, col0 + cols) gathered into a
// k × cols row-major block.
// Verification: the coordinator recomputes the tile on the CPU backend in exact mode and
// compares bit for bit; every backend must produce the same bits.

#include "coordinator/jobs/byte_range.h"
#include "engine/backend.h"
#include "engine/status.h"

#include "tributary/v1/job.pb.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tributary::coordinator {

struct GemmTile {
    std::uint32_t index = 0;
    std::uint32_t row0 = 0;
    std::uint32_t col0 = 0;
    std::uint32_t rows = 0;
    std::uint32_t cols = 0;
};

class GemmJob {
public:
    static constexpr std::uint32_t kMaxDimension = 16384;
    // A, B and C together.
    static constexpr std::uint64_t kMaxJobBytes = std::uint64_t(1) << 30;
    // Each matrix is stored as one blob; SQLite caps a blob at 10^9 bytes by default.
    static constexpr std::uint64_t kMaxMatrixBytes = std::uint64_t(768) << 20;
    // A task's inputs (A rows + B columns) and its output must each fit comfortably in one
    // gRPC message (the coordinator accepts up to 64 MiB).
    static constexpr std::uint64_t kMaxTaskBytes = std::uint64_t(32) << 20;
    // Tasks per job: each is a database row and a round trip.
    static constexpr std::uint64_t kMaxTasks = 65536;

    // Checks a spec; the message names the offending field ("spec.gemm.tile_m must be
    // positive").
    static engine::Status validate(const v1::GemmJobSpec &spec);

    // spec must have passed validate().
    explicit GemmJob(const v1::GemmJobSpec &spec);

    const v1::GemmJobSpec &spec() const { return m_spec; }

    std::vector<float> generateA() const;
    std::vector<float> generateB() const;

    std::uint32_t tileRowCount() const;
    std::uint32_t tileColumnCount() const;
    std::vector<GemmTile> tiles() const;

    // Where the tile's inputs lie in the A and B blobs; reading them in order gives the
    // payload described above.
    std::vector<ByteRange> aRanges(const GemmTile &tile) const;
    std::vector<ByteRange> bRanges(const GemmTile &tile) const;
    std::uint64_t inputBytes(const GemmTile &tile) const;
    std::uint64_t outputBytes(const GemmTile &tile) const;

    // Checks a node's output for a tile: its size, that outputSha256 is its digest, and
    // that it equals the CPU backend's result bit for bit. aRows and bColumns are the
    // tile's payload.
    // Sets *rejection to what is wrong with the output, or clears it when the output is
    // right. Returns an error only when the tile could not be checked at all (the
    // coordinator's problem, not the node's).
    engine::Status verifyTile(engine::Backend &cpu, const GemmTile &tile, std::string_view aRows,
        std::string_view bColumns, std::string_view output, std::string_view outputSha256,
        std::string *rejection) const;

    // Copies a verified tile into C (m × n, row-major, resultBytes() long).
    std::uint64_t resultBytes() const;
    engine::Status placeTile(const GemmTile &tile, std::string_view output, std::string *result) const;

private:
    v1::GemmJobSpec m_spec;
};

} // namespace tributary::coordinator
