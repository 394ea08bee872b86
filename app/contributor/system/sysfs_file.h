#pragma once

// Reading one value from a Linux sysfs or procfs attribute file, as the machine readers
// (GpuSysfs, CpuSysfs) do once a second. A file that is missing, unreadable or does not
// hold what is asked for gives an unset value, never a zero.

#include <QFile>
#include <QString>

#include <optional>

namespace tributary::sysfs {

std::optional<qint64> readInteger(const QString &path);
// *error (when given) says why a file could not be opened (a root-only RAPL counter).
std::optional<quint64> readUnsigned(const QString &path, QFile::FileError *error = nullptr);
// The file's first line or so, trimmed; empty when unreadable.
QString readText(const QString &path);
// A monotonic clock in milliseconds, for rates between two reads.
qint64 steadyNowMs();

} // namespace tributary::sysfs
