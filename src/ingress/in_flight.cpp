#include "ingress/in_flight.hpp"

#include <algorithm>

namespace questdb::ingress {

std::int64_t InFlightWindow::on_sent(std::int64_t fsn, bool defers_commit) {
    sent_.push_back(Sent{next_seq_, fsn, defers_commit});
    return next_seq_++;
}

InFlightWindow::OkResult InFlightWindow::on_ok(std::int64_t sequence,
                                                const std::vector<TableTxn>& tables) {
    if (sent_.empty() || sequence < sent_.front().wire_seq || sequence > sent_.back().wire_seq) {
        return {std::nullopt, std::nullopt, false};
    }
    std::optional<std::int64_t> committed;
    while (!sent_.empty() && sent_.front().wire_seq <= sequence) {
        const Sent frame = sent_.front();
        sent_.pop_front();
        if (frame.fsn >= 0) {
            pending_commit_fsn_ = std::max(pending_commit_fsn_, frame.fsn);
        }
        if (!frame.defers_commit && pending_commit_fsn_ >= 0) {
            committed = pending_commit_fsn_;
        }
    }
    std::optional<std::int64_t> durable;
    if (committed && track_durable_) {
        awaiting_durable_.push_back(Committed{*committed, tables});
        durable = advance_durable();
    }
    return {committed, durable, true};
}

std::optional<std::int64_t> InFlightWindow::on_durable(const std::vector<TableTxn>& tables) {
    for (const auto& entry : tables) {
        auto& mark = durable_watermarks_[entry.table];
        mark = std::max(mark, entry.seq_txn);
    }
    return advance_durable();
}

std::optional<std::int64_t> InFlightWindow::advance_durable() {
    std::optional<std::int64_t> durable;
    while (!awaiting_durable_.empty()) {
        const auto& head = awaiting_durable_.front();
        const bool all_durable =
            std::all_of(head.tables.begin(), head.tables.end(), [&](const TableTxn& t) {
                auto it = durable_watermarks_.find(t.table);
                return it != durable_watermarks_.end() && it->second >= t.seq_txn;
            });
        if (!all_durable) {
            break;
        }
        durable = head.fsn;
        awaiting_durable_.pop_front();
    }
    return durable;
}

std::optional<std::int64_t> InFlightWindow::rejected_fsn(std::int64_t sequence) const {
    if (sent_.empty() || sent_.front().wire_seq != sequence) {
        return std::nullopt;
    }
    return sent_.front().fsn;
}

void InFlightWindow::reset() {
    sent_.clear();
    awaiting_durable_.clear();
    durable_watermarks_.clear();
    next_seq_ = 0;
    pending_commit_fsn_ = -1;
}

}  // namespace questdb::ingress
