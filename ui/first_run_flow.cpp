#include "ui/first_run_flow.h"

#include "app/local/local_network.h"
#include "app/logging_categories.h"
#include "app/settings/connection_settings.h"
#include "app/settings/credential_store.h"
#include "app/settings/policy_store.h"
#include "ui/first_run_wizard.h"

#include <QEventLoop>
#include <QMessageBox>

#include <optional>

namespace tributary::ui {

namespace {

// Waits for the store's answer: the token, or nullopt with *error.
std::optional<QString> loadToken(const QString &address, QString *error)
{
    CredentialStore store;
    QEventLoop loop;
    std::optional<QString> token;
    QObject::connect(&store, &CredentialStore::tokenLoaded, &loop, [&](const QString &, const QString &value) {
        token = value;
        loop.quit();
    });
    QObject::connect(&store, &CredentialStore::failed, &loop, [&](const QString &, const QString &problem) {
        *error = problem;
        loop.quit();
    });
    store.loadToken(address);
    loop.exec();
    return token;
}

bool saveToken(const QString &address, const QString &token, QString *error)
{
    CredentialStore store;
    QEventLoop loop;
    bool saved = false;
    QObject::connect(&store, &CredentialStore::tokenSaved, &loop, [&] {
        saved = true;
        loop.quit();
    });
    QObject::connect(&store, &CredentialStore::failed, &loop, [&](const QString &, const QString &problem) {
        *error = problem;
        loop.quit();
    });
    store.saveToken(address, token);
    loop.exec();
    return saved;
}

// Runs the wizard and keeps what it chose. Returns the token typed in, if any, so that
// this session can join even when the keychain refused it.
std::optional<QString> runWizard(LocalNetwork &network, ConnectionSettings &settings, QWidget *parent)
{
    FirstRunWizard wizard(network.engine(), parent);
    if (wizard.exec() != QDialog::Accepted)
        return std::nullopt; // asked again next time; this time the defaults apply
    const FirstRunChoices choices = wizard.choices();
    QString error;
    PolicyStore policies(network.policiesPath());
    policies.load(&error); // a bad file is moved aside by the save below, not lost
    if (!policies.setPolicies(choices.policies, &error))
        QMessageBox::warning(parent, QStringLiteral("Tributary"),
            QStringLiteral("Your device rules could not be saved:\n%1").arg(error));
    settings.setCoordinator(choices.useLocalNetwork ? QString() : choices.coordinatorAddress);
    settings.setFirstRunDone(true);
    if (!settings.sync(&error))
        QMessageBox::warning(parent, QStringLiteral("Tributary"),
            QStringLiteral("Your choices could not be saved:\n%1").arg(error));
    if (choices.useLocalNetwork)
        return std::nullopt;
    if (!saveToken(choices.coordinatorAddress, choices.token, &error))
        QMessageBox::warning(parent, QStringLiteral("Tributary"),
            QStringLiteral("%1\n\nTributary joins the coordinator for this session; next time it will ask "
                           "for the token again.")
                .arg(error));
    return choices.token;
}

} // namespace

QString prepareNetwork(LocalNetwork &network, ConnectionSettings &settings, QWidget *parent)
{
    std::optional<QString> typedToken;
    if (!settings.firstRunDone())
        typedToken = runWizard(network, settings, parent);
    if (settings.useLocalNetwork())
        return {};

    const QString address = settings.coordinatorAddress();
    QString token = typedToken.value_or(QString());
    if (token.isEmpty()) {
        QString error;
        const std::optional<QString> stored = loadToken(address, &error);
        if (!stored) {
            qCWarning(lcApp).noquote() << error;
            // Without its token the coordinator would refuse every call: ask again next time.
            settings.setFirstRunDone(false);
            settings.sync(&error);
            return QStringLiteral("Could not read the token for %1 from the keychain, so this session uses "
                                  "the local network. Tributary will ask for it again at the next start.")
                .arg(address);
        }
        token = *stored;
    }
    network.setRemoteCoordinator({ address, token, {} });
    return QStringLiteral("Joined the coordinator at %1.").arg(address);
}

} // namespace tributary::ui
