#include "app/local/embedded_coordinator.h"

#include "app/logging_categories.h"
#include "coordinator/coordinator.h"

#include <QDir>
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
    auto instance = std::make_unique<coordinator::Coordinator>(options);
    if (const engine::Status status = instance->start(); !status) {
        *error = QString::fromStdString(status.message());
        return false;
    }
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
    }
}

QString EmbeddedCoordinator::defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/local-coordinator.db");
}

} // namespace tributary
