#include "app/contributor/input_cache.h"

#include "app/logging_categories.h"
#include "engine/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace tributary {

namespace {

bool matches(const std::string &data, const std::string &sha256)
{
    return engine::sha256Hex(std::as_bytes(std::span(data.data(), data.size()))) == sha256;
}

} // namespace

InputCache::InputCache(QString directory, std::uint64_t memoryBytes, std::uint64_t diskBytes)
    : m_directory(std::move(directory))
    , m_memoryBytes(memoryBytes)
    , m_diskBytes(diskBytes)
{
    if (!m_directory.isEmpty() && !QDir().mkpath(m_directory)) {
        qCWarning(lcContributor).noquote() << "cannot create the input cache" << m_directory
                                           << "- inputs are kept in memory only";
        m_directory.clear();
    }
}

grpc::Status InputCache::get(const Fetch &fetch, const std::string &sha256, std::uint64_t expectedSize,
                             std::shared_ptr<const std::string> *blob)
{
    if (auto found = m_entries.find(sha256); found != m_entries.end()) {
        m_recency.splice(m_recency.begin(), m_recency, found->second.second);
        *blob = found->second.first;
        return grpc::Status::OK;
    }
    if (auto onDisk = fromDisk(sha256, expectedSize)) {
        remember(sha256, onDisk);
        *blob = std::move(onDisk);
        return grpc::Status::OK;
    }

    // Resume a fetch that was cut off, if one was.
    std::string data;
    const QString partPath = m_directory.isEmpty() ? QString() : m_directory + QLatin1Char('/')
            + QString::fromStdString(sha256) + QStringLiteral(".part");
    if (!partPath.isEmpty()) {
        QFile part(partPath);
        if (part.open(QIODevice::ReadOnly) && std::uint64_t(part.size()) <= expectedSize)
            data = part.readAll().toStdString();
    }
    const grpc::Status status = fetch(sha256, &data);
    if (!status.ok()) {
        if (!partPath.isEmpty() && !data.empty()) {
            QFile part(partPath);
            if (part.open(QIODevice::WriteOnly | QIODevice::Truncate))
                part.write(data.data(), qint64(data.size()));
        }
        return status;
    }
    if (!partPath.isEmpty())
        QFile::remove(partPath);
    if (data.size() != expectedSize)
        return grpc::Status(grpc::StatusCode::DATA_LOSS,
                            "blob " + sha256 + " has " + std::to_string(data.size()) + " bytes, expected "
                                + std::to_string(expectedSize));
    if (!matches(data, sha256))
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "blob " + sha256 + " does not hash to its name");
    store(sha256, data);
    auto shared = std::make_shared<const std::string>(std::move(data));
    remember(sha256, shared);
    *blob = std::move(shared);
    return grpc::Status::OK;
}

std::shared_ptr<const std::string> InputCache::fromDisk(const std::string &sha256, std::uint64_t expectedSize)
{
    if (m_directory.isEmpty())
        return nullptr;
    QFile file(m_directory + QLatin1Char('/') + QString::fromStdString(sha256));
    if (!file.open(QIODevice::ReadOnly))
        return nullptr;
    std::string data = file.readAll().toStdString();
    file.close();
    if (data.size() != expectedSize || !matches(data, sha256)) {
        qCWarning(lcContributor).noquote() << "cached input" << file.fileName() << "is damaged; fetching it again";
        file.remove();
        return nullptr;
    }
    // Touch it: the disk cache drops the least recently used first.
    file.open(QIODevice::ReadWrite);
    file.setFileTime(QDateTime::currentDateTime(), QFileDevice::FileModificationTime);
    return std::make_shared<const std::string>(std::move(data));
}

void InputCache::store(const std::string &sha256, const std::string &data)
{
    if (m_directory.isEmpty())
        return;
    QSaveFile file(m_directory + QLatin1Char('/') + QString::fromStdString(sha256));
    if (!file.open(QIODevice::WriteOnly) || file.write(data.data(), qint64(data.size())) != qint64(data.size())
        || !file.commit()) {
        qCWarning(lcContributor).noquote() << "cannot keep input" << QString::fromStdString(sha256)
                                           << "on disk:" << file.errorString();
        return;
    }
    trimDisk();
}

void InputCache::trimDisk()
{
    QDir directory(m_directory);
    QFileInfoList files = directory.entryInfoList(QDir::Files, QDir::Time); // newest first
    std::uint64_t total = 0;
    for (const QFileInfo &file : files)
        total += std::uint64_t(file.size());
    while (total > m_diskBytes && files.size() > 1) {
        const QFileInfo oldest = files.takeLast();
        total -= std::uint64_t(oldest.size());
        QFile::remove(oldest.filePath());
    }
}

void InputCache::remember(const std::string &sha256, std::shared_ptr<const std::string> blob)
{
    m_recency.push_front(sha256);
    m_bytes += blob->size();
    m_entries.emplace(sha256, std::make_pair(std::move(blob), m_recency.begin()));
    while (m_bytes > m_memoryBytes && m_recency.size() > 1) {
        const std::string oldest = m_recency.back();
        m_recency.pop_back();
        m_bytes -= m_entries[oldest].first->size();
        m_entries.erase(oldest);
    }
}

} // namespace tributary
