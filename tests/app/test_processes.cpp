#include "tests/app/test_processes.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

namespace tributary::test {

QString binaryPath(const QString &name)
{
    return QStringLiteral(TRIBUTARY_BIN_DIR) + QLatin1Char('/') + name;
}

QString startCoordinator(QProcess &process, const QString &listen, const QString &databasePath,
                         const QStringList &extraArguments, QString *log)
{
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(binaryPath(QStringLiteral("tributary-coordinator")),
                  QStringList{QStringLiteral("--listen"), listen, QStringLiteral("--db"), databasePath}
                      + extraArguments);
    static const QRegularExpression listening(QStringLiteral("listening on (\\S+:\\d+)"));
    QByteArray output;
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired() && process.state() != QProcess::NotRunning) {
        process.waitForReadyRead(int(std::min<qint64>(deadline.remainingTime(), 500)));
        output += process.readAllStandardOutput();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
        if (match.hasMatch())
            return match.captured(1);
    }
    *log = QString::fromUtf8(output + process.readAllStandardError());
    return {};
}

void killProcess(QProcess &process)
{
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(10000);
    }
}

} // namespace tributary::test
