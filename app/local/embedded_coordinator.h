#pragma once

// EmbeddedCoordinator: a coordinator inside the desktop app, on 127.0.0.1 and a free
// port, so everything works on one machine with no setup. Its database lives in the
// app's data folder and survives restarts.

#include <QString>

#include <memory>

namespace tributary::coordinator {
class Coordinator;
}

namespace tributary {

class EmbeddedCoordinator {
public:
    EmbeddedCoordinator();
    ~EmbeddedCoordinator();

    EmbeddedCoordinator(const EmbeddedCoordinator &) = delete;
    EmbeddedCoordinator &operator=(const EmbeddedCoordinator &) = delete;

    // Starts serving on 127.0.0.1 with the database at `databasePath` (its folder is
    // created). Returns false and sets *error when it cannot.
    bool start(const QString &databasePath, QString *error);
    void shutdown();

    // "127.0.0.1:port" once started, empty before.
    QString address() const { return m_address; }
    // The administrator's token, read from the file the coordinator keeps beside its
    // database; empty until started.
    QString token() const { return m_token; }

    // The default database path: <app data>/local-coordinator.db.
    static QString defaultDatabasePath();

private:
    std::unique_ptr<coordinator::Coordinator> m_coordinator;
    QString m_address;
    QString m_token;
};

} // namespace tributary
