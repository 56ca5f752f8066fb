#include "ingress/in_flight.hpp"

#include <gtest/gtest.h>

namespace {

using questdb::ingress::InFlightWindow;
using questdb::ingress::TableTxn;

TEST(InFlightWindow, CumulativeOkAcknowledgesEveryFrameUpToItsSequence) {
    InFlightWindow w;
    EXPECT_EQ(w.on_sent(10, false), 0);
    EXPECT_EQ(w.on_sent(11, false), 1);
    EXPECT_EQ(w.on_sent(12, false), 2);
    auto r = w.on_ok(1, {});
    ASSERT_TRUE(r.valid);
    EXPECT_EQ(r.acked_fsn, 11);
    EXPECT_EQ(w.outstanding(), 1u);
    r = w.on_ok(2, {});
    EXPECT_EQ(r.acked_fsn, 12);
    EXPECT_EQ(w.outstanding(), 0u);
}

TEST(InFlightWindow, AnOkOnADeferredFrameIsNotACommit) {  // checklist G19
    InFlightWindow w;
    w.on_sent(5, true);
    w.on_sent(6, true);
    w.on_sent(7, false);
    auto r = w.on_ok(1, {});
    ASSERT_TRUE(r.valid);
    EXPECT_FALSE(r.acked_fsn) << "frames 5 and 6 only deferred";
    r = w.on_ok(2, {});
    EXPECT_EQ(r.acked_fsn, 7) << "the committing frame acknowledges the whole group";
}

TEST(InFlightWindow, CatchUpFramesOccupySequencesButCarryNoFsn) {  // checklist G17
    InFlightWindow w;
    w.on_sent(-1, true);  // dictionary catch-up
    w.on_sent(-1, true);
    w.on_sent(3, false);
    EXPECT_FALSE(w.on_ok(1, {}).acked_fsn);
    EXPECT_EQ(w.on_ok(2, {}).acked_fsn, 3);
}

TEST(InFlightWindow, UnknownSequencesAreInvalid) {  // checklist G14
    InFlightWindow w;
    EXPECT_FALSE(w.on_ok(0, {}).valid) << "nothing outstanding";
    w.on_sent(1, false);
    EXPECT_FALSE(w.on_ok(5, {}).valid) << "beyond the newest frame sent";
    EXPECT_TRUE(w.on_ok(0, {}).valid);
    EXPECT_FALSE(w.on_ok(0, {}).valid) << "answered twice";
}

TEST(InFlightWindow, ErrorsNameTheOldestOutstandingFrame) {
    InFlightWindow w;
    w.on_sent(8, false);
    w.on_sent(9, false);
    EXPECT_EQ(w.rejected_fsn(0), 8);
    EXPECT_FALSE(w.rejected_fsn(1)) << "out of order";
}

TEST(InFlightWindow, DurableAcksTrailOksPerTable) {  // checklist G20
    InFlightWindow w;
    w.track_durable(true);
    w.on_sent(1, false);
    w.on_sent(2, false);
    w.on_sent(3, false);
    auto r1 = w.on_ok(0, {TableTxn{"a", 10}});
    EXPECT_EQ(r1.acked_fsn, 1);
    EXPECT_FALSE(r1.durable_fsn);
    EXPECT_FALSE(w.on_ok(1, {TableTxn{"a", 11}, TableTxn{"b", 4}}).durable_fsn);
    auto r3 = w.on_ok(2, {});
    EXPECT_EQ(r3.acked_fsn, 3);
    EXPECT_FALSE(r3.durable_fsn) << "an empty OK waits for its predecessors";
    EXPECT_EQ(w.on_durable({TableTxn{"a", 10}}), 1);
    EXPECT_FALSE(w.on_durable({TableTxn{"a", 11}})) << "b not durable yet";
    EXPECT_EQ(w.on_durable({TableTxn{"b", 4}}), 3) << "frame 3 (no tables) follows frame 2";
}

TEST(InFlightWindow, ResetStartsTheWireSequenceAgain) {
    InFlightWindow w;
    w.on_sent(1, false);
    w.on_sent(2, true);
    w.reset();
    EXPECT_EQ(w.outstanding(), 0u);
    EXPECT_EQ(w.on_sent(2, false), 0);
    EXPECT_EQ(w.on_ok(0, {}).acked_fsn, 2);
}

TEST(InFlightWindow, ResetForgetsTheOldConnectionsDurableWatermarks) {  // checklist G20
    InFlightWindow w;
    w.track_durable(true);
    w.on_sent(1, false);
    EXPECT_EQ(w.on_ok(0, {TableTxn{"a", 10}}).acked_fsn, 1);
    EXPECT_FALSE(w.on_durable({TableTxn{"b", 7}})) << "frame 1 waits for table a";
    w.reset();

    // The replay of frame 1, and frame 2, on the new connection wait for its watermarks.
    w.on_sent(1, false);
    w.on_sent(2, false);
    EXPECT_FALSE(w.on_ok(0, {TableTxn{"a", 10}}).durable_fsn);
    EXPECT_FALSE(w.on_ok(1, {TableTxn{"b", 7}}).durable_fsn);
    EXPECT_EQ(w.on_durable({TableTxn{"a", 10}}), 1)
        << "b's watermark from before reset() must not make frame 2 durable";
    EXPECT_EQ(w.on_durable({TableTxn{"b", 7}}), 2);
}

}  // namespace
