package dev.turnout.rollout.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

class MemoryRolloutStoreTest extends RolloutStoreContractTest {

    private final ManualClock clock = new ManualClock();
    private final RolloutStore store = new MemoryRolloutStore(clock);

    @Override
    protected RolloutStore newStore() {
        return store;
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.now = clock.now.plus(duration);
    }

    /** Time that moves only when the test says. */
    private static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
