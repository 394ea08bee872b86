#include "coordinator/store/wal_checkpointer.h"

#include "coordinator/store/sqlite_connection.h"

#include <sqlite3.h>

#include <pthread.h>

namespace tributary::coordinator {

using engine::Status;

Status WalCheckpointer::start(const std::string &path, std::unique_ptr<WalCheckpointer> *checkpointer)
{
    checkpointer->reset();
    std::unique_ptr<SqliteConnection> connection;
    if (auto status = SqliteConnection::open(path, SqliteConnection::Role::Checkpointer, &connection); !status)
        return Status::error("cannot open the checkpoint connection: " + status.message());
    checkpointer->reset(new WalCheckpointer(std::move(connection)));
    return Status::ok();
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteConnection> connection)
    : m_connection(std::move(connection))
    , m_thread([this] { run(); })
{
}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void WalCheckpointer::committed(int walPages)
{
    if (walPages < kCheckpointPages)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_requested = true;
    }
    m_wake.notify_one();
}

void WalCheckpointer::run()
{
    pthread_setname_np(pthread_self(), "store-checkpoint");
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_requested || m_stopping; });
        if (m_stopping)
            return;
        m_requested = false;
        lock.unlock();
        // PASSIVE: copy what it can without waiting for readers or the writer. A busy or
        // partial result is normal; the next commit past the mark asks again.
        sqlite3_wal_checkpoint_v2(m_connection->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
    }
}

} // namespace tributary::coordinator
