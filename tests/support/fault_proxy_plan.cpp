// FaultPlan: the seeded, socket-free half of the fault proxy (which fault, how long).

#include <algorithm>
#include <sstream>

#include "support/fault_proxy.hpp"

namespace questdb::test {

FaultPlan::FaultPlan(std::uint64_t seed, FaultSchedule schedule)
    : schedule_(schedule), rng_(seed) {}

std::chrono::milliseconds FaultPlan::uniform(std::chrono::milliseconds lo,
                                             std::chrono::milliseconds hi) {
    if (hi <= lo) {
        return lo;
    }
    std::uniform_int_distribution<std::int64_t> pick(lo.count(), hi.count());
    return std::chrono::milliseconds(pick(rng_));
}

FaultDecision FaultPlan::next_chunk() {
    // One roll per chunk keeps the sequence stable when a probability is changed to zero:
    // the draw count per chunk does not depend on which fault hits.
    const double roll = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    const auto& s = schedule_;
    double edge = s.cut_probability;
    if (roll < edge) {
        return {FaultKind::cut, {}};
    }
    edge += s.stall_probability;
    if (roll < edge) {
        return {FaultKind::stall, uniform(s.stall_min, s.stall_max)};
    }
    edge += s.delay_probability;
    if (roll < edge) {
        return {FaultKind::delay, uniform(s.delay_min, s.delay_max)};
    }
    edge += s.fragment_probability;
    if (roll < edge) {
        return {FaultKind::fragment, {}};
    }
    return {};
}

std::size_t FaultPlan::next_piece_bytes() {
    const auto most = std::max<std::size_t>(1, schedule_.fragment_max_bytes);
    return std::uniform_int_distribution<std::size_t>(1, most)(rng_);
}

std::chrono::milliseconds FaultPlan::next_restart_in() {
    if (schedule_.restart_every_max.count() <= 0) {
        return {};
    }
    return std::max(std::chrono::milliseconds(1),
                    uniform(schedule_.restart_every_min, schedule_.restart_every_max));
}

std::chrono::milliseconds FaultPlan::next_downtime() {
    return uniform(schedule_.downtime_min, schedule_.downtime_max);
}

std::string FaultCounts::to_string() const {
    std::ostringstream out;
    out << "delays=" << delays << " fragments=" << fragments << " (pieces=" << fragment_pieces
        << ") stalls=" << stalls << " cuts=" << cuts << " restarts=" << restarts
        << " restart_failures=" << restart_failures << " connections=" << connections
        << " upstream_refused=" << upstream_refused << " bytes_to_server=" << bytes_to_server
        << " bytes_to_client=" << bytes_to_client;
    return out.str();
}

}  // namespace questdb::test
