#include "engine/training/idx_dataset.h"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace tributary::engine::training {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;
// Larger than any real IDX set; guards the allocation against a corrupt header.
constexpr std::uint64_t kMaxBytes = std::uint64_t(1) << 32;

struct GzCloser {
    void operator()(gzFile_s *file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

Status fail(const std::string &path, const std::string &problem)
{
    return Status::error("IDX file " + path + ": " + problem);
}

// Reads exactly `size` bytes; a short read is a truncated file (or a broken gzip stream).
Status readExactly(gzFile file, const std::string &path, void *out, std::size_t size, const char *what)
{
    auto *bytes = static_cast<unsigned char *>(out);
    std::size_t done = 0;
    while (done < size) {
        const std::size_t chunk = std::min<std::size_t>(size - done, std::numeric_limits<int>::max() / 2);
        const int got = gzread(file, bytes + done, unsigned(chunk));
        if (got < 0) {
            int code = 0;
            const char *message = gzerror(file, &code);
            return fail(path, std::string("cannot read ") + what + ": " + (message ? message : "zlib error"));
        }
        if (got == 0)
            return fail(path,
                std::string("truncated: ") + what + " needs " + std::to_string(size) + " bytes, found "
                    + std::to_string(done));
        done += std::size_t(got);
    }
    return Status::ok();
}

std::uint32_t bigEndian(const unsigned char *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8)
        | std::uint32_t(p[3]);
}

// Opens the file and checks the header: magic, then one u32 per dimension, each > 0.
Status readHeader(
    const std::string &path, std::uint32_t magic, int rank, GzFile *file, std::vector<std::uint32_t> *dims)
{
    file->reset(gzopen(path.c_str(), "rb"));
    if (!*file)
        return fail(path, "cannot open");
    std::array<unsigned char, 4> word {};
    if (Status s = readExactly(file->get(), path, word.data(), 4, "the magic number"); !s)
        return s;
    const std::uint32_t got = bigEndian(word.data());
    if (got != magic) {
        char text[96];
        std::snprintf(text, sizeof text, "wrong magic number 0x%08x (expected 0x%08x)", got, magic);
        return fail(path, text);
    }
    dims->clear();
    std::uint64_t total = 1;
    for (int d = 0; d < rank; ++d) {
        if (Status s = readExactly(file->get(), path, word.data(), 4, "the header"); !s)
            return s;
        const std::uint32_t dim = bigEndian(word.data());
        if (dim == 0)
            return fail(path, "dimension " + std::to_string(d) + " is zero");
        total *= dim;
        if (total > kMaxBytes)
            return fail(path, "dimensions too large");
        dims->push_back(dim);
    }
    return Status::ok();
}

} // namespace

Status loadIdxImages(const std::string &path, HostTensor *images)
{
    GzFile file;
    std::vector<std::uint32_t> dims;
    if (Status s = readHeader(path, kImagesMagic, 3, &file, &dims); !s)
        return s;
    const std::int64_t count = dims[0];
    const std::int64_t pixels = std::int64_t(dims[1]) * dims[2];
    std::vector<unsigned char> raw(std::size_t(count * pixels));
    if (Status s = readExactly(file.get(), path, raw.data(), raw.size(), "the pixels"); !s)
        return s;
    HostTensor out = HostTensor::zeros(DType::F32, { count, pixels });
    // One float scale, rounded once, so the data are the same bits everywhere.
    const float scale = float(1.0 / 255.0);
    std::span<float> values = out.f32();
    for (std::size_t i = 0; i < raw.size(); ++i)
        values[i] = float(raw[i]) * scale;
    *images = std::move(out);
    return Status::ok();
}

Status loadIdxLabels(const std::string &path, HostTensor *labels)
{
    GzFile file;
    std::vector<std::uint32_t> dims;
    if (Status s = readHeader(path, kLabelsMagic, 1, &file, &dims); !s)
        return s;
    std::vector<unsigned char> raw(dims[0]);
    if (Status s = readExactly(file.get(), path, raw.data(), raw.size(), "the labels"); !s)
        return s;
    HostTensor out = HostTensor::zeros(DType::I64, { std::int64_t(dims[0]) });
    std::span<std::int64_t> values = out.i64();
    for (std::size_t i = 0; i < raw.size(); ++i)
        values[i] = raw[i];
    *labels = std::move(out);
    return Status::ok();
}

Status loadIdxDataset(const std::string &imagesPath, const std::string &labelsPath, Dataset *out)
{
    Dataset data;
    if (Status s = loadIdxImages(imagesPath, &data.images); !s)
        return s;
    if (Status s = loadIdxLabels(labelsPath, &data.labels); !s)
        return s;
    if (data.images.shape[0] != data.labels.shape[0])
        return Status::error("IDX files " + imagesPath + " and " + labelsPath
            + " disagree: " + std::to_string(data.images.shape[0]) + " images but "
            + std::to_string(data.labels.shape[0]) + " labels");
    *out = std::move(data);
    return Status::ok();
}

std::string fashionMnistPath(const std::string &split, const std::string &kind)
{
    return "/usr/share/datasets/fashion-mnist/" + split + "-" + kind + "-ubyte.gz";
}

Status loadFashionMnist(const std::string &split, Dataset *out)
{
    return loadIdxDataset(
        fashionMnistPath(split, "images-idx3"), fashionMnistPath(split, "labels-idx1"), out);
}

} // namespace tributary::engine::training
