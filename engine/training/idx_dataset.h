#pragma once

// IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or not (zlib reads both).
//
//   Dataset train;
//   if (Status s = loadIdxDataset(imagesPath, labelsPath, &train); !s) ...
//   // train.images: f32 [N, rows·cols] in [0, 1]; train.labels: i64 [N]
//
// Every problem (missing file, wrong magic number, zero or inconsistent dimensions,
// truncated data) is a Status error that names the file and the problem.

#include "engine/host_tensor.h"
#include "engine/status.h"

#include <string>

namespace tributary::engine::training {

struct Dataset {
    HostTensor images; // f32 [N, rows·cols], pixel / 255
    HostTensor labels; // i64 [N]

    std::int64_t size() const { return labels.shape.empty() ? 0 : labels.shape[0]; }
    std::int64_t features() const { return images.shape.size() == 2 ? images.shape[1] : 0; }
};

// An idx3 image file (magic 0x00000803): N images of rows×cols u8 pixels, returned as
// f32 [N, rows·cols] with each pixel x mapped to float(x) * float(1.0 / 255.0).
Status loadIdxImages(const std::string &path, HostTensor *images);
// An idx1 label file (magic 0x00000801): N u8 labels, returned as i64 [N].
Status loadIdxLabels(const std::string &path, HostTensor *labels);
// Both files of a set; fails too when their counts differ.
Status loadIdxDataset(const std::string &imagesPath, const std::string &labelsPath, Dataset *out);

// Where Debian's dataset-fashion-mnist package puts the files; `split` is "train" or "t10k".
std::string fashionMnistPath(
    const std::string &split, const std::string &kind /* "images-idx3" | "labels-idx1" */);
Status loadFashionMnist(const std::string &split, Dataset *out);

} // namespace tributary::engine::training
