#pragma once

// Starting Tributary's own binaries from build/bin for end-to-end tests.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace tributary::test {

// Path of a binary in build/bin.
QString binaryPath(const QString &name);

// Starts `tributary-coordinator --listen <listen> --db <db> <extra>` and waits for its
// "listening on host:port" line. Returns the address, or an empty string (and the
// process's output in *log) when it did not come up within the timeout.
QString startCoordinator(QProcess &process, const QString &listen, const QString &databasePath,
                         const QStringList &extraArguments, QString *log);

// Kills a process and waits for it, ignoring one that already ended.
void killProcess(QProcess &process);

} // namespace tributary::test
