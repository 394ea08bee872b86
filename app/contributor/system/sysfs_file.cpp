#include "app/contributor/system/sysfs_file.h"

#include <chrono>

namespace tributary::sysfs {

std::optional<qint64> readInteger(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const qint64 value = file.read(64).trimmed().toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return value;
}

std::optional<quint64> readUnsigned(const QString &path, QFile::FileError *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = file.error();
        return std::nullopt;
    }
    bool ok = false;
    const quint64 value = file.read(64).trimmed().toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return value;
}

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.read(256)).trimmed();
}

qint64 steadyNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace tributary::sysfs
