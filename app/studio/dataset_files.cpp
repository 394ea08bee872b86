#include "app/studio/dataset_files.h"

#include "engine/training/idx_dataset.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtEndian>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace tributary::studio {

// The tensors are little-endian and copied with memcpy; a big-endian port would have to swap.
static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "dataset files assume a little-endian host");

namespace {

QString fileName(const QString &path)
{
    return QFileInfo(path).fileName();
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool readWholeFile(const QString &path, QByteArray *bytes, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error, QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    *bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(error, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return true;
}

bool writeWholeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    // QSaveFile: a reader never sees half a file, and a failed write leaves the old one.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (file.write(bytes) != bytes.size() || !file.commit())
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

// Labels are checked (non-negative, integer) by the readers; this bounds the class count.
bool finishLabels(const std::vector<qint64> &labels, const QString &name, LoadedDataset *out, QString *error)
{
    qint64 largest = 0;
    for (qint64 label : labels)
        largest = std::max(largest, label);
    if (largest >= qint64(std::numeric_limits<quint32>::max()))
        return fail(error, QStringLiteral("%1: label %2 is too large").arg(name).arg(largest));
    out->labels = QByteArray(reinterpret_cast<const char *>(labels.data()), qsizetype(labels.size() * sizeof(qint64)));
    out->classes = quint32(largest + 1);
    return true;
}

// --- CSV -----------------------------------------------------------------------------

// Parses one cell as a finite float; `what` says what the cell is in the error.
bool parseFeature(const QByteArray &cell, const QString &where, float *value, QString *error)
{
    bool ok = false;
    const double d = cell.toDouble(&ok);
    if (!ok)
        return fail(error, QStringLiteral("%1: '%2' is not a number").arg(where, QString::fromUtf8(cell)));
    const float f = float(d);
    if (!std::isfinite(f))
        return fail(error, QStringLiteral("%1: '%2' is not a finite float").arg(where, QString::fromUtf8(cell)));
    *value = f;
    return true;
}

bool parseLabel(const QByteArray &cell, const QString &name, int line, qsizetype column, qint64 *label,
    QString *error)
{
    const QString text = QString::fromUtf8(cell);
    bool ok = false;
    qint64 value = cell.toLongLong(&ok);
    if (!ok) {
        // "3.0" (a float column written by pandas) is still the integer 3.
        const double d = cell.toDouble(&ok);
        if (!ok)
            return fail(error,
                QStringLiteral("%1 line %2, column %3: label '%4' is not a number").arg(name).arg(line).arg(column).arg(text));
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
            return fail(error,
                QStringLiteral("%1: label %2 on line %3 is not an integer (column %4)").arg(name, text).arg(line).arg(column));
        value = qint64(d);
    }
    if (value < 0)
        return fail(error,
            QStringLiteral("%1: label %2 on line %3 is negative (column %4)").arg(name, text).arg(line).arg(column));
    *label = value;
    return true;
}

// --- NPY -----------------------------------------------------------------------------

struct NpyHeader {
    QString descr;
    bool fortranOrder = false;
    std::vector<quint64> shape;
    qsizetype dataOffset = 0;
};

// A reader for the one Python literal NumPy writes: {'descr': '<f4', 'fortran_order':
// False, 'shape': (3, 4), }.
class HeaderParser {
public:
    explicit HeaderParser(const QByteArray &text)
        : m_text(text)
    {
    }

    bool parse(NpyHeader *header, QString *problem)
    {
        bool seenDescr = false, seenOrder = false, seenShape = false;
        skipSpaces();
        if (!take('{'))
            return setProblem(problem, QStringLiteral("its header is not a Python dict"));
        for (;;) {
            skipSpaces();
            if (take('}'))
                break;
            QString key;
            if (!parseString(&key))
                return setProblem(problem, QStringLiteral("its header has a malformed key"));
            skipSpaces();
            if (!take(':'))
                return setProblem(problem, QStringLiteral("its header lacks ':' after '%1'").arg(key));
            skipSpaces();
            if (key == QLatin1String("descr")) {
                if (peek() == '[')
                    return setProblem(problem, QStringLiteral("it holds a structured dtype, which is not supported"));
                if (!parseString(&header->descr))
                    return setProblem(problem, QStringLiteral("its header's 'descr' is not a string"));
                seenDescr = true;
            } else if (key == QLatin1String("fortran_order")) {
                if (takeWord("True"))
                    header->fortranOrder = true;
                else if (takeWord("False"))
                    header->fortranOrder = false;
                else
                    return setProblem(problem, QStringLiteral("its header's 'fortran_order' is not True or False"));
                seenOrder = true;
            } else if (key == QLatin1String("shape")) {
                if (!parseShape(&header->shape))
                    return setProblem(problem, QStringLiteral("its header's 'shape' is not a tuple of integers"));
                seenShape = true;
            } else {
                return setProblem(problem, QStringLiteral("its header has an unknown key '%1'").arg(key));
            }
            skipSpaces();
            if (take(','))
                continue;
            if (take('}'))
                break;
            return setProblem(problem, QStringLiteral("its header lacks ',' after '%1'").arg(key));
        }
        if (!seenDescr || !seenOrder || !seenShape)
            return setProblem(problem, QStringLiteral("its header lacks 'descr', 'fortran_order' or 'shape'"));
        return true;
    }

private:
    static bool setProblem(QString *problem, const QString &text)
    {
        *problem = text;
        return false;
    }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    bool take(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    bool takeWord(const char *word)
    {
        const qsizetype length = qsizetype(std::strlen(word));
        if (m_text.mid(m_pos, length) != word)
            return false;
        m_pos += length;
        return true;
    }
    void skipSpaces()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\t'))
            ++m_pos;
    }
    bool parseString(QString *out)
    {
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            return false;
        const qsizetype end = m_text.indexOf(quote, m_pos + 1);
        if (end < 0)
            return false;
        *out = QString::fromLatin1(m_text.mid(m_pos + 1, end - m_pos - 1));
        m_pos = end + 1;
        return true;
    }
    bool parseShape(std::vector<quint64> *shape)
    {
        if (!take('('))
            return false;
        shape->clear();
        for (;;) {
            skipSpaces();
            if (take(')'))
                return true;
            const qsizetype start = m_pos;
            while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                ++m_pos;
            bool ok = false;
            const quint64 dim = m_text.mid(start, m_pos - start).toULongLong(&ok);
            if (!ok)
                return false;
            take('L'); // Python 2 wrote long integers with a suffix
            shape->push_back(dim);
            skipSpaces();
            if (!take(',') && peek() != ')')
                return false;
        }
    }

    const QByteArray &m_text;
    qsizetype m_pos = 0;
};

bool readNpyHeader(const QByteArray &bytes, const QString &name, NpyHeader *header, QString *error)
{
    static const char magic[] = "\x93NUMPY";
    if (bytes.size() < 10 || std::memcmp(bytes.constData(), magic, 6) != 0)
        return fail(error, QStringLiteral("%1 is not a .npy file (no \\x93NUMPY magic)").arg(name));
    const int major = quint8(bytes[6]), minor = quint8(bytes[7]);
    qsizetype headerLength = 0, headerStart = 0;
    if (major == 1) {
        headerLength = qFromLittleEndian<quint16>(bytes.constData() + 8);
        headerStart = 10;
    } else if (major == 2 && bytes.size() >= 12) {
        headerLength = qsizetype(qFromLittleEndian<quint32>(bytes.constData() + 8));
        headerStart = 12;
    } else {
        return fail(error,
            QStringLiteral("%1 is in .npy format %2.%3; only 1.0 and 2.0 are supported").arg(name).arg(major).arg(minor));
    }
    if (headerStart + headerLength > bytes.size())
        return fail(error, QStringLiteral("%1 is truncated inside its header").arg(name));
    QString problem;
    if (!HeaderParser(bytes.mid(headerStart, headerLength)).parse(header, &problem))
        return fail(error, QStringLiteral("%1: %2").arg(name, problem));
    if (header->fortranOrder)
        return fail(error,
            QStringLiteral("%1 is in Fortran order; save it in C order (numpy.ascontiguousarray)").arg(name));
    header->dataOffset = headerStart + headerLength;
    return true;
}

enum class NpyKind { F4, F8, U1, I4, I8 };

bool npyKind(const NpyHeader &header, const QString &name, NpyKind *kind, QString *error)
{
    const QString &d = header.descr;
    if (d == QLatin1String("<f4"))
        *kind = NpyKind::F4;
    else if (d == QLatin1String("<f8"))
        *kind = NpyKind::F8;
    else if (d == QLatin1String("|u1") || d == QLatin1String("<u1"))
        *kind = NpyKind::U1;
    else if (d == QLatin1String("<i4"))
        *kind = NpyKind::I4;
    else if (d == QLatin1String("<i8"))
        *kind = NpyKind::I8;
    else if (d.startsWith(QLatin1Char('>')))
        return fail(error, QStringLiteral("%1 has the big-endian dtype '%2', which is not supported").arg(name, d));
    else
        return fail(error,
            QStringLiteral("%1 has dtype '%2', which is not supported (use f4, f8, u1, i4 or i8)").arg(name, d));
    return true;
}

int kindSize(NpyKind kind)
{
    switch (kind) {
    case NpyKind::U1:
        return 1;
    case NpyKind::F4:
    case NpyKind::I4:
        return 4;
    case NpyKind::F8:
    case NpyKind::I8:
        return 8;
    }
    return 1;
}

QString shapeText(const std::vector<quint64> &shape)
{
    QStringList dims;
    for (quint64 d : shape)
        dims << QString::number(d);
    // Python's spelling: "(3,)" for one dimension, "()" for none.
    return QLatin1Char('(') + dims.join(QLatin1String(", ")) + QLatin1String(shape.size() == 1 ? "," : "")
        + QLatin1Char(')');
}

// Element `i` of the data as a double (exact for every supported kind but i8 beyond 2^53).
double npyValue(const char *data, NpyKind kind, quint64 i)
{
    switch (kind) {
    case NpyKind::F4: {
        float v;
        std::memcpy(&v, data + i * 4, 4);
        return v;
    }
    case NpyKind::F8: {
        double v;
        std::memcpy(&v, data + i * 8, 8);
        return v;
    }
    case NpyKind::U1:
        return quint8(data[i]);
    case NpyKind::I4: {
        qint32 v;
        std::memcpy(&v, data + i * 4, 4);
        return v;
    }
    case NpyKind::I8: {
        qint64 v;
        std::memcpy(&v, data + i * 8, 8);
        return double(v);
    }
    }
    return 0;
}

// Reads and checks one .npy file: its header, its dtype and that the data are all there.
bool openNpy(const QString &path, QByteArray *bytes, NpyHeader *header, NpyKind *kind, quint64 *elements,
    QString *error)
{
    const QString name = fileName(path);
    if (!readWholeFile(path, bytes, error) || !readNpyHeader(*bytes, name, header, error)
        || !npyKind(*header, name, kind, error))
        return false;
    quint64 count = 1;
    for (quint64 d : header->shape) {
        if (d != 0 && count > std::numeric_limits<quint64>::max() / d)
            return fail(error, QStringLiteral("%1 has an impossibly large shape %2").arg(name, shapeText(header->shape)));
        count *= d;
    }
    const quint64 available = quint64(bytes->size() - header->dataOffset);
    const quint64 size = quint64(kindSize(*kind));
    const bool overflows = count > std::numeric_limits<quint64>::max() / size;
    if (overflows || count * size != available)
        return fail(error,
            QStringLiteral("%1 holds %2 bytes of data but its shape %3 of '%4' needs %5")
                .arg(name)
                .arg(available)
                .arg(shapeText(header->shape), header->descr)
                .arg(overflows ? QStringLiteral("more") : QString::number(count * size)));
    *elements = count;
    return true;
}

QByteArray npyHeaderFor(NpyType type, const std::vector<quint64> &shape)
{
    QByteArray dict = "{'descr': '";
    dict += type == NpyType::F32 ? "<f4" : "<i8";
    dict += "', 'fortran_order': False, 'shape': " + shapeText(shape).toLatin1() + ", }";
    // NumPy pads the header with spaces to a multiple of 64 bytes and ends it with '\n'.
    const qsizetype total = 10 + dict.size() + 1;
    dict += QByteArray((64 - total % 64) % 64, ' ');
    dict += '\n';
    QByteArray out("\x93NUMPY\x01\x00", 8);
    char length[2];
    qToLittleEndian<quint16>(quint16(dict.size()), length);
    out.append(length, 2);
    out += dict;
    return out;
}

} // namespace

bool loadCsvDataset(const QString &path, const CsvOptions &options, LoadedDataset *out, QString *error)
{
    const QString name = fileName(path);
    QByteArray bytes;
    if (!readWholeFile(path, &bytes, error))
        return false;
    const QList<QByteArray> lines = bytes.split('\n');
    std::vector<float> features;
    std::vector<qint64> labels;
    qsizetype columns = 0;
    int columnsLine = 0;
    for (qsizetype i = options.hasHeader ? 1 : 0; i < lines.size(); ++i) {
        const int lineNumber = int(i + 1);
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue; // blank lines, and the newline at the end of the file
        const QList<QByteArray> cells = line.split(',');
        if (columns == 0) {
            if (cells.size() < 2)
                return fail(error,
                    QStringLiteral("%1 line %2 has 1 column; a row needs a label and at least one feature")
                        .arg(name)
                        .arg(lineNumber));
            columns = cells.size();
            columnsLine = lineNumber;
        } else if (cells.size() != columns) {
            return fail(error,
                QStringLiteral("%1 line %2 has %3 columns but line %4 has %5")
                    .arg(name)
                    .arg(lineNumber)
                    .arg(cells.size())
                    .arg(columnsLine)
                    .arg(columns));
        }
        const qsizetype labelColumn = options.labelColumn == CsvOptions::LabelColumn::First ? 0 : columns - 1;
        for (qsizetype c = 0; c < columns; ++c) {
            const QByteArray cell = cells[c].trimmed();
            if (c == labelColumn) {
                qint64 label = 0;
                if (!parseLabel(cell, name, lineNumber, c + 1, &label, error))
                    return false;
                labels.push_back(label);
            } else {
                const QString where = QStringLiteral("%1 line %2, column %3").arg(name).arg(lineNumber).arg(c + 1);
                float value = 0;
                if (!parseFeature(cell, where, &value, error))
                    return false;
                features.push_back(value);
            }
        }
    }
    if (labels.empty())
        return fail(error, QStringLiteral("%1 has no examples").arg(name));
    if (labels.size() > std::numeric_limits<quint32>::max())
        return fail(error, QStringLiteral("%1 has more than 2^32 examples").arg(name));
    LoadedDataset data;
    data.examples = quint32(labels.size());
    data.featureCount = quint32(columns - 1);
    data.features
        = QByteArray(reinterpret_cast<const char *>(features.data()), qsizetype(features.size() * sizeof(float)));
    if (!finishLabels(labels, name, &data, error))
        return false;
    *out = std::move(data);
    return true;
}

bool loadNpyDataset(const QString &featuresPath, const QString &labelsPath, LoadedDataset *out, QString *error)
{
    const QString featuresName = fileName(featuresPath), labelsName = fileName(labelsPath);
    QByteArray featureBytes, labelBytes;
    NpyHeader featureHeader, labelHeader;
    NpyKind featureKind, labelKind;
    quint64 featureElements = 0, labelElements = 0;
    if (!openNpy(featuresPath, &featureBytes, &featureHeader, &featureKind, &featureElements, error)
        || !openNpy(labelsPath, &labelBytes, &labelHeader, &labelKind, &labelElements, error))
        return false;

    if (featureHeader.shape.size() < 2)
        return fail(error,
            QStringLiteral("%1 has shape %2; features need 2 or more dimensions (examples first)")
                .arg(featuresName, shapeText(featureHeader.shape)));
    const quint64 examples = featureHeader.shape[0];
    if (examples == 0 || featureElements == 0)
        return fail(error, QStringLiteral("%1 has shape %2: no examples or no features")
                               .arg(featuresName, shapeText(featureHeader.shape)));
    const quint64 perExample = featureElements / examples;
    if (examples > std::numeric_limits<quint32>::max() || perExample > std::numeric_limits<quint32>::max())
        return fail(error, QStringLiteral("%1 has shape %2, too large").arg(featuresName, shapeText(featureHeader.shape)));
    if (labelHeader.shape.size() != 1)
        return fail(error,
            QStringLiteral("%1 has shape %2; labels must be 1-dimensional").arg(labelsName, shapeText(labelHeader.shape)));
    if (labelKind == NpyKind::F4 || labelKind == NpyKind::F8)
        return fail(error,
            QStringLiteral("%1 has dtype '%2'; labels must be integers (u1, i4 or i8)").arg(labelsName, labelHeader.descr));
    if (labelElements != examples)
        return fail(error, QStringLiteral("%1 has %2 labels but %3 has %4 examples")
                               .arg(labelsName)
                               .arg(labelElements)
                               .arg(featuresName)
                               .arg(examples));

    std::vector<float> features(featureElements);
    const char *featureData = featureBytes.constData() + featureHeader.dataOffset;
    const float u1Scale = float(1.0 / 255.0); // as the IDX loader scales pixels
    for (quint64 i = 0; i < featureElements; ++i) {
        if (featureKind == NpyKind::F4) {
            std::memcpy(&features[i], featureData + i * 4, 4);
        } else if (featureKind == NpyKind::U1) {
            features[i] = float(quint8(featureData[i])) * u1Scale;
        } else {
            features[i] = float(npyValue(featureData, featureKind, i));
        }
        if (!std::isfinite(features[i]))
            return fail(error, QStringLiteral("%1: value %2 of example %3 is not a finite float")
                                   .arg(featuresName)
                                   .arg(i % perExample)
                                   .arg(i / perExample));
    }
    std::vector<qint64> labels(labelElements);
    const char *labelData = labelBytes.constData() + labelHeader.dataOffset;
    for (quint64 i = 0; i < labelElements; ++i) {
        qint64 label = 0;
        if (labelKind == NpyKind::I8)
            std::memcpy(&label, labelData + i * 8, 8);
        else
            label = qint64(npyValue(labelData, labelKind, i));
        if (label < 0)
            return fail(error, QStringLiteral("%1: label %2 of example %3 is negative").arg(labelsName).arg(label).arg(i));
        labels[i] = label;
    }

    LoadedDataset data;
    data.examples = quint32(examples);
    data.featureCount = quint32(perExample);
    data.features
        = QByteArray(reinterpret_cast<const char *>(features.data()), qsizetype(features.size() * sizeof(float)));
    if (!finishLabels(labels, labelsName, &data, error))
        return false;
    *out = std::move(data);
    return true;
}

bool loadIdxDataset(const QString &imagesPath, const QString &labelsPath, LoadedDataset *out, QString *error)
{
    namespace training = engine::training;
    training::Dataset set;
    // The engine's loader names the file and the problem; it refuses empty files too.
    if (engine::Status s = training::loadIdxDataset(imagesPath.toStdString(), labelsPath.toStdString(), &set); !s)
        return fail(error, QString::fromStdString(s.message()));
    const std::span<const std::int64_t> labels = set.labels.i64();
    if (labels.empty() || set.features() <= 0)
        return fail(error, QStringLiteral("%1 has no examples").arg(fileName(imagesPath)));
    LoadedDataset data;
    data.examples = quint32(set.size());
    data.featureCount = quint32(set.features());
    data.features = QByteArray(reinterpret_cast<const char *>(set.images.data.data()), qsizetype(set.images.data.size()));
    if (!finishLabels(std::vector<qint64>(labels.begin(), labels.end()), fileName(labelsPath), &data, error))
        return false;
    *out = std::move(data);
    return true;
}

bool writeNpy(const QString &path, NpyType type, const std::vector<quint64> &shape, const QByteArray &data,
    QString *error)
{
    const quint64 elementSize = type == NpyType::F32 ? 4 : 8;
    quint64 count = 1;
    for (quint64 d : shape)
        count *= d;
    if (quint64(data.size()) != count * elementSize)
        return fail(error, QStringLiteral("%1: %2 bytes of data but shape %3 of %4 needs %5")
                               .arg(fileName(path))
                               .arg(data.size())
                               .arg(shapeText(shape), type == NpyType::F32 ? QStringLiteral("f32") : QStringLiteral("i64"))
                               .arg(count * elementSize));
    return writeWholeFile(path, npyHeaderFor(type, shape) + data, error);
}

bool writeCsv(const QString &path, NpyType type, quint64 rows, quint64 columns, const QByteArray &data,
    const QStringList &header, QString *error)
{
    const quint64 elementSize = type == NpyType::F32 ? 4 : 8;
    if (columns == 0 || quint64(data.size()) != rows * columns * elementSize)
        return fail(error, QStringLiteral("%1: %2 bytes of data do not hold %3 × %4 %5 values")
                               .arg(fileName(path))
                               .arg(data.size())
                               .arg(rows)
                               .arg(columns)
                               .arg(type == NpyType::F32 ? QStringLiteral("f32") : QStringLiteral("i64")));
    if (!header.isEmpty() && quint64(header.size()) != columns)
        return fail(error, QStringLiteral("%1: the header names %2 columns but the data have %3")
                               .arg(fileName(path))
                               .arg(header.size())
                               .arg(columns));
    QByteArray text;
    if (!header.isEmpty())
        text += header.join(QLatin1Char(',')).toUtf8() + '\n';
    char buffer[64];
    for (quint64 r = 0; r < rows; ++r) {
        for (quint64 c = 0; c < columns; ++c) {
            const char *element = data.constData() + (r * columns + c) * elementSize;
            // to_chars ignores the locale (QCoreApplication sets LC_ALL from the environment,
            // where printf could write "0,5"); general with precision 9 is exactly "%.9g".
            std::to_chars_result written;
            if (type == NpyType::F32) {
                float v;
                std::memcpy(&v, element, 4);
                written = std::to_chars(buffer, buffer + sizeof buffer, double(v), std::chars_format::general, 9);
            } else {
                qint64 v;
                std::memcpy(&v, element, 8);
                written = std::to_chars(buffer, buffer + sizeof buffer, v);
            }
            if (c > 0)
                text += ',';
            text.append(buffer, written.ptr - buffer);
        }
        text += '\n';
    }
    return writeWholeFile(path, text, error);
}

} // namespace tributary::studio
