#pragma once

// WriteBackCache: what one store transaction has read or changed in the hot rows — job,
// node and attempt rows, book balances and job costs — kept in memory and written once
// when the transaction commits instead of once per change.
//
// A batch of 128 results touches the same job row, the same escrow book and a handful of
// node rows over and over; without this each result would re-read and re-write them.
// SqliteTransaction owns one, consults it before SQL, flushes it before COMMIT (and
// before any query that reads those tables in bulk) and drops it on ROLLBACK. It is plain
// data: no SQL here.

#include "coordinator/store/records.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace tributary::coordinator {

struct WriteBackCache {
    template<typename Record>
    struct Entry {
        Record record;
        bool dirty = false; // changed since it was read or last written
    };

    // An attempt's row and, apart, what is to become of its output bytes.
    struct AttemptEntry {
        AttemptRecord record;
        bool known = false; // record holds the row (an output change alone does not)
        bool dirty = false;
        enum class Output { Unchanged, Store, Clear } output = Output::Unchanged;
        std::string outputBytes; // for Store

        // The row as the transaction sees it, pending output change included.
        AttemptRecord view() const
        {
            AttemptRecord seen = record;
            if (output != Output::Unchanged)
                seen.hasOutput = output == Output::Store;
            return seen;
        }
    };
    using AttemptKey = std::pair<std::string, std::uint32_t>; // task id, attempt number

    // Rows as this transaction sees them. Jobs are kept without their inputs.
    std::unordered_map<std::string, Entry<JobRecord>> jobs;
    std::unordered_map<std::string, Entry<NodeRecord>> nodes;
    std::map<AttemptKey, AttemptEntry> attempts;
    // Balances this transaction has read, as they stand now (pending postings included).
    std::unordered_map<std::string, std::int64_t> balances;
    // Amounts posted to a book (or added to a job's cost) and not yet in the table.
    std::unordered_map<std::string, std::int64_t> balanceDeltas;
    std::unordered_map<std::string, std::int64_t> jobCostDeltas;
    // Each task's state as its row holds it (read, inserted or written by this
    // transaction), and how each job's per-state task counts change at commit.
    std::unordered_map<std::string, TaskState> taskStates;
    using CountDeltas = std::array<std::int64_t, 5>; // by TaskState, Queued first
    std::unordered_map<std::string, CountDeltas> taskCountDeltas;

    void clear()
    {
        forget(jobs);
        forget(nodes);
        attempts.clear();
        forget(balances);
        forget(balanceDeltas);
        forget(jobCostDeltas);
        forget(taskStates);
        forget(taskCountDeltas);
    }

private:
    // clear() on an unordered_map walks every bucket it ever grew, and one transaction that
    // inserts a job's 20,000 tasks would make every later one pay for that: drop big tables.
    template<typename Map>
    static void forget(Map &map)
    {
        if (map.bucket_count() > 256)
            Map().swap(map);
        else
            map.clear();
    }
};

} // namespace tributary::coordinator
