// CredentialStore against a real Secret Service: a private D-Bus session and
// gnome-keyring-daemon that tests/app/run_with_keyring.sh starts, so the user's own
// keyring is never touched. The first test runs with the session bus pointing nowhere.

#include "app/settings/credential_store.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using tributary::CredentialStore;

namespace {

constexpr int kTimeoutMs = 5000;

// One address per run, so that a token left behind by an aborted run cannot make a test pass.
QString uniqueAddress(const char *host)
{
    return QStringLiteral("%1-%2.example:7443")
        .arg(QLatin1String(host), QUuid::createUuid().toString(QUuid::Id128).left(8));
}

// Waits for the one signal a call answers with; fails on the other one.
struct Outcome {
    explicit Outcome(CredentialStore &store, auto success)
        : succeeded(&store, success)
        , failed(&store, &CredentialStore::failed)
    {
    }
    bool wait()
    {
        QElapsedTimer timer;
        timer.start();
        while (succeeded.isEmpty() && failed.isEmpty() && timer.elapsed() < kTimeoutMs)
            QTest::qWait(10);
        return !succeeded.isEmpty() || !failed.isEmpty();
    }
    QString error() const { return failed.isEmpty() ? QString() : failed.first().at(1).toString(); }

    QSignalSpy succeeded;
    QSignalSpy failed;
};

} // namespace

class CredentialStoreTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void failsPlainlyWithoutSecretService();
    void savesAndLoadsToken();
    void keepsCoordinatorsApart();
    void overwritesToken();
    void removedTokenIsNotFound();
    void refusesEmptyArguments();

private:
    QByteArray m_busAddress;
};

void CredentialStoreTest::initTestCase()
{
    // Without the wrapper this would write to the user's own keyring.
    if (qgetenv("TRIBUTARY_PRIVATE_KEYRING") != "1")
        QSKIP("run through tests/app/run_with_keyring.sh: it gives the test a private keyring");
    m_busAddress = qgetenv("DBUS_SESSION_BUS_ADDRESS");
    QVERIFY2(!m_busAddress.isEmpty(), "run_with_keyring.sh should have started a session bus");
}

void CredentialStoreTest::failsPlainlyWithoutSecretService()
{
    // Runs first, before anything in this process has connected to the real bus (GDBus
    // keeps a working session connection for the life of the process).
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tributary-no-bus");
    CredentialStore store;
    const QString address = uniqueAddress("nobus");

    Outcome save(store, &CredentialStore::tokenSaved);
    store.saveToken(address, QStringLiteral("secret-token"));
    QVERIFY2(save.wait(), "saveToken neither succeeded nor failed: it hangs without a keychain");
    QCOMPARE(save.succeeded.count(), 0);
    QCOMPARE(save.failed.first().at(0).toString(), address);
    const QString expectedSave = QStringLiteral("Could not store the token for %1 in the system keychain: "
                                                "no keychain service is running (install and unlock GNOME "
                                                "Keyring or KWallet)").arg(address);
    QVERIFY2(save.error().startsWith(expectedSave), qPrintable(save.error()));

    Outcome load(store, &CredentialStore::tokenLoaded);
    store.loadToken(address);
    QVERIFY(load.wait());
    QCOMPARE(load.succeeded.count(), 0);
    QVERIFY2(load.error().startsWith(QStringLiteral("Could not read the token for %1 from the system keychain: "
                                                    "no keychain service is running").arg(address)),
             qPrintable(load.error()));

    qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress);
}

void CredentialStoreTest::savesAndLoadsToken()
{
    CredentialStore store;
    const QString address = uniqueAddress("coordinator");
    const QString token = QStringLiteral("tok-%1 ünïcode").arg(QUuid::createUuid().toString());

    Outcome save(store, &CredentialStore::tokenSaved);
    store.saveToken(address, token);
    QVERIFY(save.wait());
    QVERIFY2(save.failed.isEmpty(), qPrintable(save.error()));
    QCOMPARE(save.succeeded.first().at(0).toString(), address);

    // A second store: the token comes from the keychain, not from memory.
    CredentialStore other;
    Outcome load(other, &CredentialStore::tokenLoaded);
    other.loadToken(address);
    QVERIFY(load.wait());
    QVERIFY2(load.failed.isEmpty(), qPrintable(load.error()));
    QCOMPARE(load.succeeded.first().at(0).toString(), address);
    QCOMPARE(load.succeeded.first().at(1).toString(), token);
}

void CredentialStoreTest::keepsCoordinatorsApart()
{
    CredentialStore store;
    const QString first = uniqueAddress("first");
    const QString second = uniqueAddress("second");
    for (const auto &[address, token] : {std::pair{first, QStringLiteral("token-one")},
                                         std::pair{second, QStringLiteral("token-two")}}) {
        Outcome save(store, &CredentialStore::tokenSaved);
        store.saveToken(address, token);
        QVERIFY(save.wait());
        QVERIFY2(save.failed.isEmpty(), qPrintable(save.error()));
    }
    Outcome loadFirst(store, &CredentialStore::tokenLoaded);
    store.loadToken(first);
    QVERIFY(loadFirst.wait());
    QCOMPARE(loadFirst.succeeded.first().at(1).toString(), QStringLiteral("token-one"));

    // Removing one leaves the other.
    Outcome remove(store, &CredentialStore::tokenRemoved);
    store.removeToken(first);
    QVERIFY(remove.wait());
    QVERIFY2(remove.failed.isEmpty(), qPrintable(remove.error()));
    Outcome loadSecond(store, &CredentialStore::tokenLoaded);
    store.loadToken(second);
    QVERIFY(loadSecond.wait());
    QVERIFY2(loadSecond.failed.isEmpty(), qPrintable(loadSecond.error()));
    QCOMPARE(loadSecond.succeeded.first().at(1).toString(), QStringLiteral("token-two"));
}

void CredentialStoreTest::overwritesToken()
{
    CredentialStore store;
    const QString address = uniqueAddress("rotated");
    for (const QString &token : {QStringLiteral("old-token"), QStringLiteral("new-token")}) {
        Outcome save(store, &CredentialStore::tokenSaved);
        store.saveToken(address, token);
        QVERIFY(save.wait());
        QVERIFY2(save.failed.isEmpty(), qPrintable(save.error()));
    }
    Outcome load(store, &CredentialStore::tokenLoaded);
    store.loadToken(address);
    QVERIFY(load.wait());
    QCOMPARE(load.succeeded.first().at(1).toString(), QStringLiteral("new-token"));
}

void CredentialStoreTest::removedTokenIsNotFound()
{
    CredentialStore store;
    const QString address = uniqueAddress("removed");
    Outcome save(store, &CredentialStore::tokenSaved);
    store.saveToken(address, QStringLiteral("short-lived"));
    QVERIFY(save.wait());
    QVERIFY2(save.failed.isEmpty(), qPrintable(save.error()));

    Outcome remove(store, &CredentialStore::tokenRemoved);
    store.removeToken(address);
    QVERIFY(remove.wait());
    QVERIFY2(remove.failed.isEmpty(), qPrintable(remove.error()));
    QCOMPARE(remove.succeeded.first().at(0).toString(), address);

    Outcome load(store, &CredentialStore::tokenLoaded);
    store.loadToken(address);
    QVERIFY(load.wait());
    QCOMPARE(load.succeeded.count(), 0);
    QCOMPARE(load.failed.first().at(0).toString(), address);
    QVERIFY2(load.error().startsWith(QStringLiteral("Could not read the token for %1 from the system keychain: "
                                                    "no token is stored for this coordinator").arg(address)),
             qPrintable(load.error()));
    QVERIFY2(load.error().contains(QStringLiteral("not found")), qPrintable(load.error()));
}

void CredentialStoreTest::refusesEmptyArguments()
{
    CredentialStore store;
    Outcome noToken(store, &CredentialStore::tokenSaved);
    store.saveToken(QStringLiteral("coordinator.example:7443"), QString());
    QCOMPARE(noToken.failed.count(), 0); // reported after the call returns, like a keychain answer
    QVERIFY(noToken.wait());
    QCOMPARE(noToken.succeeded.count(), 0);
    QCOMPARE(noToken.error(), QStringLiteral("Could not store the token for coordinator.example:7443 in the "
                                             "system keychain: the token is empty"));

    Outcome noAddress(store, &CredentialStore::tokenLoaded);
    store.loadToken(QStringLiteral("  "));
    QVERIFY(noAddress.wait());
    QCOMPARE(noAddress.succeeded.count(), 0);
    QCOMPARE(noAddress.error(), QStringLiteral("Could not read the token for a coordinator from the system "
                                               "keychain: the coordinator address is empty"));
}

QTEST_GUILESS_MAIN(CredentialStoreTest)
#include "credential_store_test.moc"
