// The studio's dataset files: CSV (label first or last, header, errors with line and
// column), NPY (round trip through writeNpy, a hand-made u1 file, Fortran order refused),
// IDX (Debian's Fashion-MNIST test set) and writeCsv's exact text.

#include "app/studio/dataset_files.h"

#include "engine/training/idx_dataset.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace tributary::studio;

namespace {

std::vector<float> floatsOf(const QByteArray &bytes)
{
    std::vector<float> out(std::size_t(bytes.size()) / sizeof(float));
    std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(float));
    return out;
}

std::vector<qint64> longsOf(const QByteArray &bytes)
{
    std::vector<qint64> out(std::size_t(bytes.size()) / sizeof(qint64));
    std::memcpy(out.data(), bytes.constData(), out.size() * sizeof(qint64));
    return out;
}

template <typename T>
QByteArray bytesOf(const std::vector<T> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(T)));
}

// A version 1.0 .npy file with NumPy's own padding (to 64 bytes) around `dict`.
QByteArray npyFile(const QByteArray &dict, const QByteArray &data)
{
    QByteArray header = dict;
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    QByteArray out("\x93NUMPY\x01\x00", 8);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    return out + header + data;
}

} // namespace

class DatasetFilesTest : public QObject {
    Q_OBJECT

private:
    QString write(const char *name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(QString::fromLatin1(name));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    QByteArray read(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(path));
        return file.readAll();
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void csvLabelFirst()
    {
        const QString path = write("first.csv", "2,0.5,1\n0, -3.25 ,1e2\r\n\n4,0,0\n");
        LoadedDataset data;
        QString error;
        QVERIFY2(loadCsvDataset(path, CsvOptions {}, &data, &error), qPrintable(error));
        QCOMPARE(data.examples, 3u);
        QCOMPARE(data.featureCount, 2u);
        QCOMPARE(data.classes, 5u);
        QCOMPARE(floatsOf(data.features), (std::vector<float> { 0.5f, 1.0f, -3.25f, 100.0f, 0.0f, 0.0f }));
        QCOMPARE(longsOf(data.labels), (std::vector<qint64> { 2, 0, 4 }));
    }

    void csvLabelLastWithHeader()
    {
        const QString path = write("last.csv", "a,b,c,label\n1,2,3,1\n4,5,6,3.0\n");
        CsvOptions options;
        options.labelColumn = CsvOptions::LabelColumn::Last;
        options.hasHeader = true;
        LoadedDataset data;
        QString error;
        QVERIFY2(loadCsvDataset(path, options, &data, &error), qPrintable(error));
        QCOMPARE(data.examples, 2u);
        QCOMPARE(data.featureCount, 3u);
        QCOMPARE(data.classes, 4u);
        QCOMPARE(floatsOf(data.features), (std::vector<float> { 1, 2, 3, 4, 5, 6 }));
        QCOMPARE(longsOf(data.labels), (std::vector<qint64> { 1, 3 }));

        // Without the header option the header's names are not numbers.
        QVERIFY(!loadCsvDataset(path, CsvOptions { CsvOptions::LabelColumn::Last, false }, &data, &error));
        QVERIFY2(error.contains("last.csv line 1, column 1: 'a' is not a number"), qPrintable(error));
        const QString labelHeader = write("label.csv", "label,x\n1,2\n");
        QVERIFY(!loadCsvDataset(labelHeader, CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("label.csv line 1, column 1: label 'label' is not a number"), qPrintable(error));
    }

    void csvErrors()
    {
        LoadedDataset data;
        QString error;
        QVERIFY(!loadCsvDataset(write("ragged.csv", "1,2,3\n0,1,2\n1,2\n"), CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("ragged.csv line 3 has 2 columns but line 1 has 3"), qPrintable(error));

        QVERIFY(!loadCsvDataset(write("bad.csv", "1,2,3\n0,1,x2\n"), CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("bad.csv line 2, column 3: 'x2' is not a number"), qPrintable(error));

        QVERIFY(!loadCsvDataset(write("negative.csv", "1,2\n0,1\n-1,5\n"), CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("label -1 on line 3 is negative"), qPrintable(error));

        QVERIFY(!loadCsvDataset(write("fraction.csv", "1.5,2\n"), CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("label 1.5 on line 1 is not an integer"), qPrintable(error));

        QVERIFY(!loadCsvDataset(write("empty.csv", "a,b\n\n"), CsvOptions { CsvOptions::LabelColumn::First, true },
            &data, &error));
        QVERIFY2(error.contains("empty.csv has no examples"), qPrintable(error));

        QVERIFY(!loadCsvDataset(m_dir.filePath("missing.csv"), CsvOptions {}, &data, &error));
        QVERIFY2(error.contains("missing.csv"), qPrintable(error));
        QCOMPARE(data.examples, 0u); // never filled by a failed load
    }

    void npyRoundTrip()
    {
        const std::vector<float> features { 0.1f, -2.5f, 3e-39f, 7.0f, 1e30f, -0.0f };
        const std::vector<qint64> labels { 9, 0, 4 };
        const QString featuresPath = m_dir.filePath("features.npy");
        const QString labelsPath = m_dir.filePath("labels.npy");
        QString error;
        QVERIFY2(writeNpy(featuresPath, NpyType::F32, { 3, 2 }, bytesOf(features), &error), qPrintable(error));
        QVERIFY2(writeNpy(labelsPath, NpyType::I64, { 3 }, bytesOf(labels), &error), qPrintable(error));

        // The header NumPy itself writes for these arrays.
        const QByteArray written = read(featuresPath);
        QVERIFY(written.startsWith(QByteArray("\x93NUMPY\x01\x00\x76\x00", 10)));
        QCOMPARE(written.size(), 128 + 24);
        QVERIFY(written.mid(10).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }   "));
        QCOMPARE(written[127], '\n');
        QVERIFY(read(labelsPath).mid(10).startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"));

        LoadedDataset data;
        QVERIFY2(loadNpyDataset(featuresPath, labelsPath, &data, &error), qPrintable(error));
        QCOMPARE(data.examples, 3u);
        QCOMPARE(data.featureCount, 2u);
        QCOMPARE(data.classes, 10u);
        QCOMPARE(data.features, bytesOf(features));
        QCOMPARE(data.labels, bytesOf(labels));

        QVERIFY(!writeNpy(featuresPath, NpyType::F32, { 4, 2 }, bytesOf(features), &error));
        QVERIFY2(error.contains("features.npy: 24 bytes of data but shape (4, 2) of f32 needs 32"), qPrintable(error));
    }

    void npyU1ScaledAndThreeDimensional()
    {
        // Two 2×2 "images" of u1 pixels, u1 labels: NumPy's '|u1'.
        const QString features = write("pixels.npy",
            npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }",
                QByteArray("\x00\xff\x33\x80\x01\x02\x03\x04", 8)));
        const QString labels
            = write("classes.npy", npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "\x01\x07"));
        LoadedDataset data;
        QString error;
        QVERIFY2(loadNpyDataset(features, labels, &data, &error), qPrintable(error));
        QCOMPARE(data.examples, 2u);
        QCOMPARE(data.featureCount, 4u);
        QCOMPARE(data.classes, 8u);
        const float scale = float(1.0 / 255.0);
        QCOMPARE(floatsOf(data.features),
            (std::vector<float> { 0.0f, 255.0f * scale, 51.0f * scale, 128.0f * scale, 1.0f * scale,
                2.0f * scale, 3.0f * scale, 4.0f * scale }));
        QCOMPARE(longsOf(data.labels), (std::vector<qint64> { 1, 7 }));
    }

    void npyErrors()
    {
        LoadedDataset data;
        QString error;
        const QString labels
            = write("l2.npy", npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", QByteArray(16, 0)));

        const QString fortran = write("fortran.npy",
            npyFile("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", QByteArray(16, 0)));
        QVERIFY(!loadNpyDataset(fortran, labels, &data, &error));
        QVERIFY2(error.contains("fortran.npy is in Fortran order"), qPrintable(error));

        const QString half = write("half.npy",
            npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }", QByteArray(8, 0)));
        QVERIFY(!loadNpyDataset(half, labels, &data, &error));
        QVERIFY2(error.contains("half.npy has dtype '<f2', which is not supported"), qPrintable(error));

        const QString good = write("good.npy",
            npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", QByteArray(24, 0)));
        QVERIFY(!loadNpyDataset(good, labels, &data, &error));
        QVERIFY2(error.contains("l2.npy has 2 labels but good.npy has 3 examples"), qPrintable(error));

        const QString truncated = write("truncated.npy",
            npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", QByteArray(12, 0)));
        QVERIFY(!loadNpyDataset(truncated, labels, &data, &error));
        QVERIFY2(error.contains("truncated.npy holds 12 bytes of data but its shape (2, 2) of '<f4' needs 16"),
            qPrintable(error));

        const QString floatLabels = write("flabels.npy",
            npyFile("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", QByteArray(24, 0)));
        QVERIFY(!loadNpyDataset(good, floatLabels, &data, &error));
        QVERIFY2(error.contains("flabels.npy has dtype '<f8'; labels must be integers"), qPrintable(error));

        std::vector<qint64> negative { 0, -1, 2 };
        const QString negativeLabels = write("nlabels.npy",
            npyFile("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", bytesOf(negative)));
        QVERIFY(!loadNpyDataset(good, negativeLabels, &data, &error));
        QVERIFY2(error.contains("nlabels.npy: label -1 of example 1 is negative"), qPrintable(error));

        const QString notNpy = write("text.npy", "hello, world");
        QVERIFY(!loadNpyDataset(notNpy, labels, &data, &error));
        QVERIFY2(error.contains("text.npy is not a .npy file"), qPrintable(error));

        QByteArray v3 = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", QByteArray(16, 0));
        v3[6] = 3;
        QVERIFY(!loadNpyDataset(write("v3.npy", v3), labels, &data, &error));
        QVERIFY2(error.contains("v3.npy is in .npy format 3.0"), qPrintable(error));
        QCOMPARE(data.examples, 0u);
    }

    void idxFashionMnist()
    {
        namespace training = tributary::engine::training;
        const QString images = QString::fromStdString(training::fashionMnistPath("t10k", "images-idx3"));
        const QString labels = QString::fromStdString(training::fashionMnistPath("t10k", "labels-idx1"));
        LoadedDataset data;
        QString error;
        QVERIFY2(loadIdxDataset(images, labels, &data, &error), qPrintable(error));
        QCOMPARE(data.examples, 10000u);
        QCOMPARE(data.featureCount, 784u);
        QCOMPARE(data.classes, 10u);
        QCOMPARE(data.features.size(), qsizetype(10000) * 784 * 4);
        QCOMPARE(data.labels.size(), qsizetype(10000) * 8);
        QCOMPARE(longsOf(data.labels).front(), 9); // the first test image is an ankle boot

        QVERIFY(!loadIdxDataset(m_dir.filePath("no-images.gz"), labels, &data, &error));
        QVERIFY2(error.contains("no-images.gz"), qPrintable(error));
    }

    void writesCsvText()
    {
        const QString floats = m_dir.filePath("floats.csv");
        const std::vector<float> values { 0.1f, -2.0f, 1e-7f, 123456792.0f, 0.5f, 3.0f };
        QString error;
        QVERIFY2(writeCsv(floats, NpyType::F32, 2, 3, bytesOf(values), { "x", "y", "z" }, &error), qPrintable(error));
        QCOMPARE(read(floats), QByteArray("x,y,z\n0.100000001,-2,1.00000001e-07\n123456792,0.5,3\n"));

        const QString longs = m_dir.filePath("longs.csv");
        const std::vector<qint64> ints { 7, -1, 0, 9000000000 };
        QVERIFY2(writeCsv(longs, NpyType::I64, 4, 1, bytesOf(ints), {}, &error), qPrintable(error));
        QCOMPARE(read(longs), QByteArray("7\n-1\n0\n9000000000\n"));

        QVERIFY(!writeCsv(longs, NpyType::I64, 3, 1, bytesOf(ints), {}, &error));
        QVERIFY2(error.contains("32 bytes of data do not hold 3 × 1 i64 values"), qPrintable(error));
        QVERIFY(!writeCsv(floats, NpyType::F32, 2, 3, bytesOf(values), { "x", "y" }, &error));
        QVERIFY2(error.contains("the header names 2 columns but the data have 3"), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(DatasetFilesTest)
#include "dataset_files_test.moc"
