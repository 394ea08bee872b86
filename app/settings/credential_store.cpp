#include "app/settings/credential_store.h"

#include <qt6keychain/keychain.h>

#include <QMetaObject>

namespace tributary {

namespace {

// Error texts through which the Secret Service backends (libsecret, GDBus, QtDBus) say
// that nothing answers on the session bus. QtKeychain reports most of them as OtherError,
// so the text is the only way to tell "no keychain at all" from other failures.
bool meansNoKeychainService(const QString &detail)
{
    static const char *const markers[] = {
        "Could not connect",
        "Cannot autolaunch D-Bus",
        "Cannot spawn a message bus",
        "not provided by any .service files",
        "D-Bus is not running",
        "No keychain service available",
        "No keyring daemon",
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NoServer",
        "Connection refused",
    };
    for (const char *marker : markers) {
        if (detail.contains(QLatin1String(marker), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

const QString kNoService = QStringLiteral(
    "no keychain service is running (install and unlock GNOME Keyring or KWallet)");

} // namespace

CredentialStore::CredentialStore(QObject *parent)
    : QObject(parent)
{
}

QString CredentialStore::serviceName()
{
    return QStringLiteral("Tributary");
}

void CredentialStore::saveToken(const QString &address, const QString &token)
{
    if (address.trimmed().isEmpty())
        return failLater(Action::Save, address, QStringLiteral("the coordinator address is empty"));
    if (token.isEmpty())
        return failLater(Action::Save, address, QStringLiteral("the token is empty"));
    auto *job = new QKeychain::WritePasswordJob(serviceName(), this);
    job->setTextData(token);
    start(job, Action::Save, address);
}

void CredentialStore::loadToken(const QString &address)
{
    if (address.trimmed().isEmpty())
        return failLater(Action::Load, address, QStringLiteral("the coordinator address is empty"));
    start(new QKeychain::ReadPasswordJob(serviceName(), this), Action::Load, address);
}

void CredentialStore::removeToken(const QString &address)
{
    if (address.trimmed().isEmpty())
        return failLater(Action::Remove, address, QStringLiteral("the coordinator address is empty"));
    start(new QKeychain::DeletePasswordJob(serviceName(), this), Action::Remove, address);
}

void CredentialStore::start(QKeychain::Job *job, Action action, const QString &address)
{
    // Never write the token to a plain-text settings file when no keychain is available.
    job->setInsecureFallback(false);
    job->setAutoDelete(true);
    job->setKey(address);
    connect(job, &QKeychain::Job::finished, this,
            [this, action, address](QKeychain::Job *done) { finish(done, action, address); });
    job->start();
}

void CredentialStore::finish(QKeychain::Job *job, Action action, const QString &address)
{
    const QKeychain::Error error = job->error();
    if (error == QKeychain::NoError) {
        switch (action) {
        case Action::Save: Q_EMIT tokenSaved(address); return;
        case Action::Load:
            Q_EMIT tokenLoaded(address, static_cast<QKeychain::ReadPasswordJob *>(job)->textData());
            return;
        case Action::Remove: Q_EMIT tokenRemoved(address); return;
        }
    }
    const QString detail = job->errorString();
    QString problem;
    switch (error) {
    case QKeychain::EntryNotFound:
        // QtKeychain's own text ("Entry not found") adds nothing here.
        Q_EMIT failed(address, describeFailure(action, address,
                                               QStringLiteral("no token is stored for this coordinator "
                                                              "(not found in the keychain)")));
        return;
    case QKeychain::AccessDeniedByUser:
        problem = QStringLiteral("access was refused when the keychain asked for permission");
        break;
    case QKeychain::AccessDenied:
        problem = QStringLiteral("the keychain refused access (it may be locked: unlock it and try again)");
        break;
    case QKeychain::NoBackendAvailable:
        problem = kNoService;
        break;
    case QKeychain::NotImplemented:
        problem = QStringLiteral("this system has no supported keychain");
        break;
    default:
        problem = meansNoKeychainService(detail) ? kNoService : QStringLiteral("the keychain reported an error");
        break;
    }
    // What the keychain said, for whoever has to fix it.
    if (!detail.isEmpty())
        problem += QStringLiteral(". Details: %1").arg(detail);
    Q_EMIT failed(address, describeFailure(action, address, problem));
}

void CredentialStore::failLater(Action action, const QString &address, const QString &problem)
{
    const QString message = describeFailure(action, address, problem);
    QMetaObject::invokeMethod(
        this, [this, address, message] { Q_EMIT failed(address, message); }, Qt::QueuedConnection);
}

QString CredentialStore::describeFailure(Action action, const QString &address, const QString &problem)
{
    const QString who = address.trimmed().isEmpty() ? QStringLiteral("a coordinator") : address;
    switch (action) {
    case Action::Save:
        return QStringLiteral("Could not store the token for %1 in the system keychain: %2").arg(who, problem);
    case Action::Load:
        return QStringLiteral("Could not read the token for %1 from the system keychain: %2").arg(who, problem);
    case Action::Remove:
        return QStringLiteral("Could not remove the token for %1 from the system keychain: %2").arg(who, problem);
    }
    return problem;
}

} // namespace tributary
