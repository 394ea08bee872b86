#pragma once

// CredentialStore: keeps the token a remote coordinator gave this node in the operating
// system's keychain (GNOME Keyring or KWallet through the Secret Service on Linux, the
// Keychain on macOS, the Credential Manager on Windows), never in a settings file.
//
// Each token is stored under the service "Tributary" with the coordinator's address as
// its key, so every coordinator the user joined has a token of its own.
//
//   CredentialStore store;
//   connect(&store, &CredentialStore::tokenLoaded, this, [](const QString &address, const QString &token) { ... });
//   connect(&store, &CredentialStore::failed, this, [](const QString &address, const QString &error) {
//       showError(error);   // "Could not read the token for coordinator.example:7443 from the system keychain: ..."
//   });
//   store.loadToken(QStringLiteral("coordinator.example:7443"));
//
// Every call is asynchronous (the keychain may ask the user to unlock it) and answers with
// exactly one signal: tokenSaved / tokenLoaded / tokenRemoved, or failed with a message
// in plain words that names the coordinator and the problem. Bad arguments (an empty
// address or token) fail the same way, after the call returns.
//
// There is deliberately no fallback: when no keychain is available the token is not
// stored at all, rather than written to disk in plain text.

#include <QObject>
#include <QString>

namespace QKeychain {
class Job;
}

namespace tributary {

class CredentialStore : public QObject {
    Q_OBJECT
public:
    explicit CredentialStore(QObject *parent = nullptr);

    // The keychain service every token is filed under.
    static QString serviceName();

    void saveToken(const QString &address, const QString &token);
    void loadToken(const QString &address);
    void removeToken(const QString &address);

Q_SIGNALS:
    void tokenSaved(const QString &address);
    void tokenLoaded(const QString &address, const QString &token);
    void tokenRemoved(const QString &address);
    void failed(const QString &address, const QString &error);

private:
    enum class Action { Save = 1, Load, Remove };

    void start(QKeychain::Job *job, Action action, const QString &address);
    void finish(QKeychain::Job *job, Action action, const QString &address);
    // Reports a failure after the caller's call has returned, as a keychain job would.
    void failLater(Action action, const QString &address, const QString &problem);
    static QString describeFailure(Action action, const QString &address, const QString &problem);
};

} // namespace tributary
