// A process that dies the hard way while recording, for task_history_test's crash test:
//   task_history_crash_helper <database> <runs>
// records <runs> runs (crashRun(0..runs-1)), flushes the first half, records the rest and
// leaves them to the writer's timed commit, prints "ready" once that commit has had time
// to happen, and then kills itself with SIGKILL: no destructor, no flush, no close.

#include "app/storage/task_history.h"
#include "tests/app/task_history_crash_runs.h"

#include <QCoreApplication>
#include <QThread>

#include <csignal>
#include <cstdio>

using namespace tributary;

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
        history.record(test::crashRun(i));
    if (!history.flush()) {
        std::fprintf(stderr, "flush failed\n");
        return 1;
    }
    for (int i = count / 2; i < count; ++i)
        history.record(test::crashRun(i));
    // Three times the commit delay: the timed commit has happened unless something is wrong.
    QThread::msleep(3 * TaskHistory::kCommitDelayMs);
    std::printf("ready\n");
    std::fflush(stdout);
    std::raise(SIGKILL);
    return 3; // not reached
}
