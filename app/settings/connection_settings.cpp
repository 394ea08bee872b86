#include "app/settings/connection_settings.h"

namespace tributary {

namespace {
const QString kFirstRunDone = QStringLiteral("setup/firstRunDone");
const QString kCoordinatorAddress = QStringLiteral("network/coordinatorAddress");
}

ConnectionSettings::ConnectionSettings()
    : m_settings(std::make_unique<QSettings>())
{
}

ConnectionSettings::ConnectionSettings(const QString &iniPath)
    : m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
}

bool ConnectionSettings::firstRunDone() const
{
    return m_settings->value(kFirstRunDone, false).toBool();
}

void ConnectionSettings::setFirstRunDone(bool done)
{
    m_settings->setValue(kFirstRunDone, done);
}

bool ConnectionSettings::useLocalNetwork() const
{
    return coordinatorAddress().isEmpty();
}

QString ConnectionSettings::coordinatorAddress() const
{
    return m_settings->value(kCoordinatorAddress).toString();
}

void ConnectionSettings::setCoordinator(const QString &address)
{
    if (address.isEmpty())
        m_settings->remove(kCoordinatorAddress);
    else
        m_settings->setValue(kCoordinatorAddress, address);
}

bool ConnectionSettings::sync(QString *error)
{
    m_settings->sync();
    if (m_settings->status() == QSettings::NoError)
        return true;
    *error = QStringLiteral("%1: %2").arg(m_settings->fileName(),
        m_settings->status() == QSettings::AccessError ? QStringLiteral("cannot be written")
                                                        : QStringLiteral("is not a settings file"));
    return false;
}

} // namespace tributary
