#include "app/main/headless.h"

#include "app/jobs/job_runner.h"
#include "app/jobs/sample_job.h"
#include "app/local/local_network.h"

#include <QCoreApplication>
#include <QTextStream>

namespace tributary {

static QString describeDevice(const engine::DeviceInfo &device)
{
    QString line = QStringLiteral("  %1  %2").arg(QString::fromStdString(device.id), -10)
                       .arg(QString::fromStdString(device.name));
    if (device.memoryBytes > 0)
        line += QStringLiteral(", %1 MiB").arg(device.memoryBytes >> 20);
    line += device.available ? (device.reproducibility == engine::Reproducibility::Exact
                                    ? QStringLiteral("  [available, exact]")
                                    : QStringLiteral("  [available]"))
                             : QStringLiteral("  [unavailable: %1]")
                                   .arg(QString::fromStdString(device.unavailableReason));
    return line;
}

int runHeadless(const HeadlessOptions &options)
{
    QTextStream out(stdout);
    QTextStream err(stderr);

    LocalNetwork network({options.databasePath, options.deviceId});
    QString error;
    if (!network.start(&error)) {
        err << "tributary: " << error << Qt::endl;
        return 1;
    }
    out << "Devices:" << Qt::endl;
    for (const engine::DeviceInfo &device : network.engine().devices())
        out << describeDevice(device) << Qt::endl;
    out << "Local coordinator on " << network.coordinatorAddress() << "; contributing with "
        << network.contributorDeviceId() << Qt::endl;

    QObject::connect(&network, &LocalNetwork::contributorStateChanged,
                     [&err](Contributor::State state, const QString &detail) {
                         if (state == Contributor::State::Disconnected || state == Contributor::State::Stopped)
                             err << "contributor " << Contributor::stateName(state)
                                 << (detail.isEmpty() ? QString() : ": " + detail) << Qt::endl;
                     });

    int exitCode = 1;
    JobRunner runner(network.engine(), network.coordinatorEndpoint());
    QObject::connect(&runner, &JobRunner::submitted, [&out](const QString &jobId, int taskCount) {
        out << "Submitted sample job " << jobId << " (" << taskCount << " tasks)" << Qt::endl;
    });
    int lastDone = -1;
    QObject::connect(&runner, &JobRunner::progress, [&out, &lastDone](const QString &, int done, int total) {
        if (done == lastDone)
            return;
        lastDone = done;
        out << QStringLiteral("Progress: %1/%2 tasks verified").arg(done).arg(total) << Qt::endl;
    });
    QObject::connect(&runner, &JobRunner::finished, [&](const JobOutcome &outcome) {
        if (outcome.succeeded) {
            out << "Result: " << outcome.rows << "×" << outcome.cols << " matrix, C[0][0] = "
                << QString::number(double(outcome.firstValue), 'g', 9) << Qt::endl
                << "SHA-256: " << outcome.resultSha256 << Qt::endl
                << "Verified: " << outcome.message << Qt::endl;
            exitCode = 0;
        } else {
            err << "tributary: sample job failed: " << outcome.message << Qt::endl;
        }
        QCoreApplication::exit(exitCode);
    });
    runner.run(sampleJobSpec());
    QCoreApplication::exec();
    return exitCode;
}

} // namespace tributary
