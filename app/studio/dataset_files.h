#pragma once

// Dataset files a researcher points a Dataset node at, read into the tensors a training or
// inference job carries (tributary.v1.TensorDataset): features f32 [examples, features]
// and labels i64 [examples], little-endian, row-major. And the writers the Export node
// uses for its results.
//
//   LoadedDataset data;
//   QString error;
//   if (!loadCsvDataset(path, CsvOptions{}, &data, &error)) -> show error (names file, line, problem)
//
// Formats:
//   CSV: one example per line, numbers separated by commas; one column (the first by
//        default, or the last) is the integer class label; an optional header line.
//   NPY: two .npy files (NumPy format 1.0/2.0, C order): features of 2 or more dimensions
//        (flattened per example) in f4, f8, u1, i4 or i8; labels 1-dimensional, integer.
//        u1 features are scaled by 1/255 like the IDX images.
//   IDX: the MNIST format (engine/training/idx_dataset.h), gzip-compressed or not.

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <vector>

namespace tributary::studio {

struct LoadedDataset {
    QByteArray features; // f32 [examples, featureCount]
    QByteArray labels; // i64 [examples]
    quint32 examples = 0;
    quint32 featureCount = 0;
    quint32 classes = 0; // 1 + the largest label
};

struct CsvOptions {
    enum class LabelColumn { First, Last };
    LabelColumn labelColumn = LabelColumn::First;
    bool hasHeader = false; // skip the first line
};

bool loadCsvDataset(const QString &path, const CsvOptions &options, LoadedDataset *out, QString *error);
bool loadNpyDataset(const QString &featuresPath, const QString &labelsPath, LoadedDataset *out, QString *error);
bool loadIdxDataset(const QString &imagesPath, const QString &labelsPath, LoadedDataset *out, QString *error);

// Writes a .npy file (format 1.0, C order) of f32 ("<f4") or i64 ("<i8") values.
enum class NpyType { F32, I64 };
bool writeNpy(const QString &path, NpyType type, const std::vector<quint64> &shape, const QByteArray &data,
    QString *error);
// Writes rows × columns values as CSV, with an optional header line; f32 values are written
// with enough digits to read back the same float ("%.9g"), i64 as integers.
bool writeCsv(const QString &path, NpyType type, quint64 rows, quint64 columns, const QByteArray &data,
    const QStringList &header, QString *error);

} // namespace tributary::studio
