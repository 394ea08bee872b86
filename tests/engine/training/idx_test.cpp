// IDX loading: the real Fashion-MNIST files (sizes, first labels and pixels checked
// against values read with Python's gzip module) and malformed files named in errors.

#include "engine/training/idx_dataset.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary::engine;
using namespace tributary::engine::training;

namespace {

bool contains(const Status &s, const std::string &text)
{
    return !s && s.message().find(text) != std::string::npos;
}

std::string writeFile(const QTemporaryDir &dir, const char *name, const QByteArray &bytes)
{
    const QString path = dir.filePath(QString::fromLatin1(name));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path.toStdString();
}

QByteArray bigEndian(std::initializer_list<std::uint32_t> words)
{
    QByteArray out;
    for (std::uint32_t w : words)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.append(char((w >> shift) & 0xff));
    return out;
}

} // namespace

class IdxTest : public QObject {
    Q_OBJECT

private slots:
    void realTrainSet()
    {
        Dataset train;
        const Status s = loadFashionMnist("train", &train);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(train.size(), 60000);
        QCOMPARE(train.features(), 784);
        // python3: list(gzip.open(...train-labels...).read()[8:18])
        const std::int64_t first[] = { 9, 0, 0, 3, 0, 2, 7, 2, 5, 5 };
        for (int i = 0; i < 10; ++i)
            QCOMPARE(train.labels.i64()[std::size_t(i)], first[i]);
        // python3: sum of the first image's bytes is 76247, its maximum 255.
        double sum = 0.0;
        float maxValue = 0.0f;
        for (int i = 0; i < 784; ++i) {
            const float v = train.images.f32()[std::size_t(i)];
            QVERIFY(v >= 0.0f && v <= 1.0f);
            sum += double(v);
            maxValue = std::max(maxValue, v);
        }
        QCOMPARE(maxValue, 1.0f);
        QVERIFY(std::abs(sum - 76247.0 / 255.0) < 1e-3);
    }

    void realTestSet()
    {
        Dataset test;
        const Status s = loadFashionMnist("t10k", &test);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(test.size(), 10000);
        QCOMPARE(test.images.shape, (Shape { 10000, 784 }));
        const std::int64_t first[] = { 9, 2, 1, 1, 6, 1, 4, 6, 5, 7 };
        for (int i = 0; i < 10; ++i)
            QCOMPARE(test.labels.i64()[std::size_t(i)], first[i]);
        // python3: pixel 400 of the first image is 1 -> float(1) * float(1/255).
        QCOMPARE(test.images.f32()[400], float(1.0 / 255.0));
    }

    void plainIdxFile()
    {
        // zlib reads uncompressed files too.
        QTemporaryDir dir;
        const std::string images
            = writeFile(dir, "i", bigEndian({ 0x803, 2, 1, 2 }) + QByteArray("\x00\xff\x33\x01", 4));
        const std::string labels = writeFile(dir, "l", bigEndian({ 0x801, 2 }) + QByteArray("\x04\x09", 2));
        Dataset data;
        const Status s = loadIdxDataset(images, labels, &data);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(data.images.shape, (Shape { 2, 2 }));
        QCOMPARE(data.images.f32()[1], 1.0f);
        QCOMPARE(data.images.f32()[2], float(0x33) * float(1.0 / 255.0));
        QCOMPARE(data.labels.i64()[1], 9);
    }

    void missingFile()
    {
        HostTensor t;
        QVERIFY(contains(loadIdxImages("/nonexistent/x.gz", &t), "/nonexistent/x.gz: cannot open"));
    }

    void emptyFile()
    {
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "empty", {});
        HostTensor t;
        const Status s = loadIdxLabels(path, &t);
        QVERIFY2(contains(s, path + ": truncated: the magic number"), s.message().c_str());
    }

    void wrongMagic()
    {
        QTemporaryDir dir;
        const std::string path
            = writeFile(dir, "labels-as-images", bigEndian({ 0x801, 2 }) + QByteArray(2, 0));
        HostTensor t;
        const Status s = loadIdxImages(path, &t);
        QVERIFY2(
            contains(s, path + ": wrong magic number 0x00000801 (expected 0x00000803)"), s.message().c_str());
    }

    void zeroDimension()
    {
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "zero", bigEndian({ 0x803, 5, 0, 28 }));
        HostTensor t;
        const Status s = loadIdxImages(path, &t);
        QVERIFY2(contains(s, "dimension 1 is zero"), s.message().c_str());
    }

    void truncatedHeaderAndData()
    {
        QTemporaryDir dir;
        const std::string header = writeFile(dir, "header", bigEndian({ 0x803, 5 }));
        HostTensor t;
        Status s = loadIdxImages(header, &t);
        QVERIFY2(contains(s, header + ": truncated: the header"), s.message().c_str());
        const std::string data = writeFile(dir, "data", bigEndian({ 0x801, 10 }) + QByteArray(7, 1));
        s = loadIdxLabels(data, &t);
        QVERIFY2(contains(s, data + ": truncated: the labels needs 10 bytes, found 7"), s.message().c_str());
    }

    void truncatedGzip()
    {
        // The first 100 kB of the compressed training images: a gzip stream cut short.
        QFile real(QString::fromStdString(fashionMnistPath("train", "images-idx3")));
        QVERIFY(real.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "cut.gz", real.read(100000));
        HostTensor t;
        const Status s = loadIdxImages(path, &t);
        QVERIFY(!s);
        QVERIFY2(s.message().rfind("IDX file " + path + ": ", 0) == 0, s.message().c_str());
        QVERIFY2(contains(s, "the pixels"), s.message().c_str());
    }

    void countsDisagree()
    {
        QTemporaryDir dir;
        const std::string images = writeFile(dir, "i", bigEndian({ 0x803, 2, 1, 1 }) + QByteArray(2, 0));
        const std::string labels = writeFile(dir, "l", bigEndian({ 0x801, 3 }) + QByteArray(3, 0));
        Dataset data;
        const Status s = loadIdxDataset(images, labels, &data);
        QVERIFY2(contains(s, "2 images but 3 labels"), s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(IdxTest)
#include "idx_test.moc"
