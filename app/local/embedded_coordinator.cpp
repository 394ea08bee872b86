#include "app/local/embedded_coordinator.h"

#include "app/logging_categories.h"
#include "coordinator/coordinator.h"

#include "app/client/channel.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace tributary {

EmbeddedCoordinator::EmbeddedCoordinator() = default;

EmbeddedCoordinator::~EmbeddedCoordinator()
{
    shutdown();
}

bool EmbeddedCoordinator::start(const QString &databasePath, QString *error)
{
    const QString folder = QFileInfo(databasePath).absolutePath();
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("cannot create the folder %1 for the local coordinator's database")
                     .arg(folder);
        return false;
    }
    coordinator::CoordinatorOptions options;
    options.listenAddress = "127.0.0.1:0";
    options.databasePath = databasePath.toStdString();
    options.log = logToCategory(lcCoordinator());
    // The local network runs as the administrator, whose token the coordinator keeps
    // next to its database.
    const QString tokenPath = databasePath + QStringLiteral(".admin-token");
    options.adminTokenFile = tokenPath.toStdString();
    auto instance = std::make_unique<coordinator::Coordinator>(options);
    engine::Status status = instance->start();
    if (!status && status.message().find("schema version 1") != std::string::npos) {
        // A database from a development build before accounts: keep it, start afresh.
        const QString aside = databasePath + QStringLiteral(".schema1.bak");
        qCWarning(lcApp).noquote() << "moving the old local database aside to" << aside;
        QFile::rename(databasePath, aside);
        QFile::remove(databasePath + QStringLiteral("-wal"));
        QFile::remove(databasePath + QStringLiteral("-shm"));
        instance = std::make_unique<coordinator::Coordinator>(options);
        status = instance->start();
    }
    if (!status) {
        *error = QString::fromStdString(status.message());
        return false;
    }
    m_token = client::readTokenFile(tokenPath, error);
    if (m_token.isEmpty())
        return false;
    m_coordinator = std::move(instance);
    m_address = QString::fromStdString(m_coordinator->address());
    qCInfo(lcApp).noquote() << "local coordinator on" << m_address << "with database" << databasePath;
    return true;
}

void EmbeddedCoordinator::shutdown()
{
    if (m_coordinator) {
        m_coordinator->shutdown();
        m_coordinator.reset();
        m_address.clear();
        m_token.clear();
    }
}

QString EmbeddedCoordinator::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/local-coordinator.db");
}

} // namespace tributary
