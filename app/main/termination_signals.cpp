#include "app/main/termination_signals.h"

#include "app/logging_categories.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <csignal>
#include <pthread.h>
#include <thread>

namespace tributary {

void quitOnTerminationSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread([signals] {
        pthread_setname_np(pthread_self(), "tributary-signals");
        int received = 0;
        sigwait(&signals, &received);
        qCInfo(lcApp) << "received" << (received == SIGINT ? "SIGINT" : "SIGTERM") << "- shutting down";
        QMetaObject::invokeMethod(QCoreApplication::instance(), [] { QCoreApplication::exit(0); },
                                  Qt::QueuedConnection);
    }).detach();
}

} // namespace tributary
