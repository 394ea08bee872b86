// A process that dies the hard way while recording, for task_history_test's crash test:
//   task_history_crash_helper <database> <runs>
// records <runs> runs (crashRun(0..runs-1)), flushes the first half, records the rest and
// leaves them to the writer's timed commit, prints "ready" once that commit has had time
// to happen, and then kills itself with SIGKILL: no destructor, no flush, no close.

#include "app/storage/task_history.h"

#include <QCoreApplication>
#include <QThread>

#include <csignal>
#include <cstdio>

using namespace tributary;

namespace {

// Must stay identical to crashRun() in task_history_test.cpp, which checks what survived.
TaskRun crashRun(int i)
{
    TaskRun run;
    run.taskId = QStringLiteral("crash-task-%1").arg(i);
    run.jobId = QStringLiteral("crash-job-%1").arg(i % 3);
    run.attempt = quint32(i % 2 + 1);
    run.deviceId = i % 2 ? QStringLiteral("cuda:0") : QStringLiteral("vulkan:1");
    run.startedMs = 1'700'000'000'000 + qint64(i) * 60'000;
    run.finishedMs = run.startedMs + 1'234 + i;
    run.flops = quint64(1) << 40 | quint64(i);
    run.creditUnits = 1'000'000'007LL * (i + 1);
    run.energyWh = 0.1 * i + 1.0 / 3.0;
    run.outcome = i % 4 == 0 ? TaskRun::Outcome::Verified : TaskRun::Outcome::Pending;
    run.message = QStringLiteral("run %1, \"quoted\"\nsecond line — ünïcode").arg(i);
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s <database> <runs>\n", argv[0]);
        return 2;
    }
    const int count = QString::fromLocal8Bit(argv[2]).toInt();
    TaskHistory history(QString::fromLocal8Bit(argv[1]));
    if (!history.open()) {
        std::fprintf(stderr, "%s\n", qPrintable(history.errorString()));
        return 1;
    }
    for (int i = 0; i < count / 2; ++i)
        history.record(crashRun(i));
    if (!history.flush()) {
        std::fprintf(stderr, "flush failed\n");
        return 1;
    }
    for (int i = count / 2; i < count; ++i)
        history.record(crashRun(i));
    // Three times the commit delay: the timed commit has happened unless something is wrong.
    QThread::msleep(3 * TaskHistory::kCommitDelayMs);
    std::printf("ready\n");
    std::fflush(stdout);
    std::raise(SIGKILL);
    return 3; // not reached
}
