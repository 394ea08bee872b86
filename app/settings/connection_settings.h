#pragma once

// ConnectionSettings: the choices the first-run wizard makes that are not device rules:
// whether setup is done, and which network this computer works for (the local one, or a
// coordinator at an address). The coordinator's token is not here: it is in the OS
// keychain (CredentialStore).
//
//   ConnectionSettings settings;                    // the app's QSettings
//   if (!settings.firstRunDone()) { ...wizard... settings.setFirstRunDone(true); }
//   if (!settings.useLocalNetwork()) join(settings.coordinatorAddress());

#include <QSettings>
#include <QString>

#include <memory>

namespace tributary {

class ConnectionSettings {
public:
    // The application's settings (organization and application names must be set).
    ConnectionSettings();
    // An INI file (tests).
    explicit ConnectionSettings(const QString &iniPath);

    bool firstRunDone() const;
    void setFirstRunDone(bool done);

    bool useLocalNetwork() const; // true until a coordinator is chosen
    QString coordinatorAddress() const; // "host:port"; empty while on the local network
    // Joins the coordinator at `address`, or the local network when `address` is empty.
    void setCoordinator(const QString &address);

    // Writes to disk now; false with the QSettings status when it cannot.
    bool sync(QString *error);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace tributary
