#pragma once

// Spot checks and trust. Under spot_check(p) each task is run again on a second node with
// probability p — less for nodes with a long record of results that other nodes
// confirmed, as BOINC's adaptive replication does: after kTrustedStreak confirmed results
// in a row the chance falls as 1/streak, down to p/10; one lost vote resets the streak.
//
// The draw is a hash of the task id and attempt, not a random number: a coordinator that
// restarts mid-decision makes the same one, and tests can predict it.

#include <cstdint>
#include <string_view>

namespace tributary::coordinator {

constexpr std::uint32_t kTrustedStreak = 10;

// The probability that a result from a node with this streak is checked.
double spotCheckProbability(double p, std::uint32_t verifiedStreak);

// A number in [0, 1) fixed by the task and attempt.
double spotCheckDraw(std::string_view taskId, std::uint32_t attempt);

} // namespace tributary::coordinator
