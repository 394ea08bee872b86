// The contributor's InputCache with a fake fetch (a function that serves a blob and counts
// its calls): one fetch per blob however often it is asked for; a second cache on the
// same folder (a restarted node) fetches nothing; a damaged file is fetched again; a fetch
// cut off half-way resumes from where it stopped; a blob whose bytes do not match its
// name is refused.

#include "app/contributor/input_cache.h"
#include "engine/sha256.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace tributary;

class InputCacheTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fetchesOnceAndSurvivesARestart();
    void damagedFileIsFetchedAgain();
    void cutOffFetchResumes();
    void wrongBytesAreRefused();
    void memoryOnlyWithoutAFolder();
};

namespace {

std::string sha256Of(const std::string &data)
{
    return engine::sha256Hex(std::as_bytes(std::span(data.data(), data.size())));
}

// Serves `blob` from data->size() on, counting calls; fails once after `cutAfter` bytes
// when cutAfter > 0.
struct FakeSource {
    std::string blob;
    int calls = 0;
    std::size_t cutAfter = 0;
    std::vector<std::size_t> resumedFrom;

    InputCache::Fetch fetch()
    {
        return [this](const std::string &, std::string *data) {
            ++calls;
            resumedFrom.push_back(data->size());
            if (cutAfter > 0 && data->size() < cutAfter) {
                data->append(blob.substr(data->size(), cutAfter - data->size()));
                cutAfter = 0;
                return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection lost");
            }
            data->append(blob.substr(data->size()));
            return grpc::Status::OK;
        };
    }
};

std::string someBytes(std::size_t size, char seed)
{
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = char(seed + char(i * 7));
    return bytes;
}

} // namespace

void InputCacheTest::fetchesOnceAndSurvivesARestart()
{
    QTemporaryDir dir;
    FakeSource source{someBytes(100000, 3)};
    const std::string sha = sha256Of(source.blob);
    {
        InputCache cache(dir.path());
        for (int i = 0; i < 3; ++i) {
            std::shared_ptr<const std::string> blob;
            QVERIFY(cache.get(source.fetch(), sha, source.blob.size(), &blob).ok());
            QCOMPARE(*blob, source.blob);
        }
        QCOMPARE(source.calls, 1);
    }
    QVERIFY(QFile::exists(dir.filePath(QString::fromStdString(sha))));
    InputCache restarted(dir.path());
    std::shared_ptr<const std::string> blob;
    QVERIFY(restarted.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    QCOMPARE(*blob, source.blob);
    QCOMPARE(source.calls, 1);
}

void InputCacheTest::damagedFileIsFetchedAgain()
{
    QTemporaryDir dir;
    FakeSource source{someBytes(5000, 9)};
    const std::string sha = sha256Of(source.blob);
    {
        InputCache cache(dir.path());
        std::shared_ptr<const std::string> blob;
        QVERIFY(cache.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    }
    QFile file(dir.filePath(QString::fromStdString(sha)));
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.seek(1234);
    file.write("x", 1); // one flipped byte
    file.close();

    InputCache restarted(dir.path());
    std::shared_ptr<const std::string> blob;
    QVERIFY(restarted.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    QCOMPARE(*blob, source.blob);
    QCOMPARE(source.calls, 2);
}

void InputCacheTest::cutOffFetchResumes()
{
    QTemporaryDir dir;
    FakeSource source{someBytes(300000, 1)};
    source.cutAfter = 120000;
    const std::string sha = sha256Of(source.blob);
    InputCache cache(dir.path());
    std::shared_ptr<const std::string> blob;
    const grpc::Status first = cache.get(source.fetch(), sha, source.blob.size(), &blob);
    QCOMPARE(first.error_code(), grpc::StatusCode::UNAVAILABLE);
    QVERIFY(QFile::exists(dir.filePath(QString::fromStdString(sha) + QStringLiteral(".part"))));

    InputCache restarted(dir.path()); // even across a restart
    QVERIFY(restarted.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    QCOMPARE(*blob, source.blob);
    QCOMPARE(source.resumedFrom, (std::vector<std::size_t>{0, 120000}));
    QVERIFY(!QFile::exists(dir.filePath(QString::fromStdString(sha) + QStringLiteral(".part"))));
}

void InputCacheTest::wrongBytesAreRefused()
{
    QTemporaryDir dir;
    FakeSource source{someBytes(4000, 5)};
    const std::string sha = sha256Of(someBytes(4000, 6)); // the name of other bytes
    InputCache cache(dir.path());
    std::shared_ptr<const std::string> blob;
    const grpc::Status status = cache.get(source.fetch(), sha, source.blob.size(), &blob);
    QCOMPARE(status.error_code(), grpc::StatusCode::DATA_LOSS);
    QVERIFY(!QFile::exists(dir.filePath(QString::fromStdString(sha))));

    const grpc::Status wrongSize = cache.get(source.fetch(), sha256Of(source.blob), 3999, &blob);
    QCOMPARE(wrongSize.error_code(), grpc::StatusCode::DATA_LOSS);
}

void InputCacheTest::memoryOnlyWithoutAFolder()
{
    FakeSource source{someBytes(1000, 2)};
    const std::string sha = sha256Of(source.blob);
    InputCache cache;
    std::shared_ptr<const std::string> blob;
    QVERIFY(cache.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    QVERIFY(cache.get(source.fetch(), sha, source.blob.size(), &blob).ok());
    QCOMPARE(source.calls, 1);
}

QTEST_GUILESS_MAIN(InputCacheTest)
#include "input_cache_test.moc"
