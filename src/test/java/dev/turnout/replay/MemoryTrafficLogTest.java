package dev.turnout.replay;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory ring: bounded per alias in entries and in all in bytes, read by stored time and position. */
class MemoryTrafficLogTest {

    private static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");

    private static RecordedExchange exchange(String alias, int i, int answerChars) {
        return new RecordedExchange("", alias, "v1", "/chat/completions", "req-" + i, Instant.now(), 200, false, false, 1,
                null, "{}", "a".repeat(answerChars));
    }

    private static List<String> ids(TrafficLog log, String alias) {
        return await(log.read(alias, LONG_AGO, Instant.now().plusSeconds(1), 1_000)).stream()
                .map(RecordedExchange::requestId).toList();
    }

    @Test
    void shouldKeepTheLatestMaxEntriesPerAlias() {
        TrafficLog log = TrafficLog.memory(3, 1L << 20);
        for (int i = 0; i < 5; i++) await(log.append(exchange("bot", i, 10)));
        await(log.append(exchange("other", 9, 10)));
        assertThat(ids(log, "bot")).containsExactly("req-2", "req-3", "req-4");
        assertThat(ids(log, "other")).containsExactly("req-9");
    }

    @Test
    void shouldShedTheOldestWhenTheBytesRunOut() {
        // Each entry counts 2 * (2 + 1000) + 256 = 2260 bytes: three fit in 7000, four do not.
        TrafficLog log = TrafficLog.memory(100, 7_000);
        await(log.append(exchange("other", 0, 1_000)));
        for (int i = 1; i <= 3; i++) await(log.append(exchange("bot", i, 1_000)));
        assertThat(ids(log, "bot")).containsExactly("req-1", "req-2", "req-3");
        assertThat(ids(log, "other")).as("the oldest of all goes first, whichever alias it is")
                .isEmpty();
        await(log.append(exchange("bot", 4, 1_000)));
        assertThat(ids(log, "bot")).containsExactly("req-2", "req-3", "req-4");
    }

    @Test
    void shouldPageAfterAPositionAndSelectByTime() {
        TrafficLog log = TrafficLog.memory(100, 1L << 20);
        for (int i = 0; i < 5; i++) await(log.append(exchange("bot", i, 1)));
        Instant to = Instant.now().plusSeconds(1);
        List<RecordedExchange> first = await(log.read("bot", LONG_AGO, to, 2));
        assertThat(first).extracting(RecordedExchange::requestId).containsExactly("req-0", "req-1");
        assertThat(await(log.readAfter("bot", first.get(1).position(), to, 10))).extracting(RecordedExchange::requestId)
                .containsExactly("req-2", "req-3", "req-4");
        assertThat(await(log.read("bot", to, to.plusSeconds(1), 10))).isEmpty();
    }
}
