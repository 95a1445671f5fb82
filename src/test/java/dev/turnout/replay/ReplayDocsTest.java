package dev.turnout.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ReplayDocsTest {

    private static ObjectNode document() {
        ObjectNode node = RecordedExchange.JSON.createObjectNode().put("id", "4f1c2a9be07d").put("alias", "support-bot")
                .put("candidate", "support-v2").put("diffAlias", "replay:4f1c2a9be07d").put("state", "running")
                .putNull("reason").put("from", "2026-11-23T00:00:00Z").put("to", "2026-11-23T12:00:00Z").put("limit", 1000)
                .put("ratePerSecond", 10.0).put("noiseSample", 0.5).put("startedAt", "2026-11-23T12:00:01.250Z");
        node.putNull("finishedAt");
        ObjectNode counts = node.putObject("counts");
        for (String name : ReplayDocs.COUNTS) counts.put(name, 3L);
        return node.put("instance", "gw-1");
    }

    @Test
    void shouldReadBackWhatAnInstanceWrites() {
        ObjectNode written = document();
        assertThat(ReplayDocs.decode("4f1c2a9be07d", written.toString())).isEqualTo(written);
        written.put("state", "cancelled").put("reason", "cancelled").put("finishedAt", "2026-11-23T12:00:09Z");
        assertThat(ReplayDocs.decode("4f1c2a9be07d", written.toString())).isEqualTo(written);
    }

    @Test
    void shouldKeepOnlyTheFieldsOfADocument() {
        ObjectNode stored = document().put("diffAlias", "support-bot").put("extra", "x".repeat(100));
        ObjectNode read = ReplayDocs.decode("4f1c2a9be07d", stored.toString());
        assertThat(read.has("extra")).isFalse();
        assertThat(read.get("diffAlias").asText()).as("derived from the id, not trusted").isEqualTo("replay:4f1c2a9be07d");
    }

    @Test
    void shouldRefuseWhatIsNotADocument() {
        assertRefused("{garbage", "not JSON");
        assertRefused("[1,2]", "not an object");
        assertRefused(document().put("id", "other").toString(), "id is not its key's");
        assertRefused(document().put("state", "paused").toString(), "state is not one of");
        assertRefused(document().put("limit", -1).toString(), "limit is not a count");
        assertRefused(document().put("ratePerSecond", "fast").toString(), "ratePerSecond is not a number");
        assertRefused(document().put("startedAt", "yesterday").toString(), "startedAt is not an instant");
        assertRefused(document().put("reason", 7).toString(), "reason is not text");
        assertRefused(document().put("counts", "many").toString(), "counts is not an object");
        ObjectNode badCount = document();
        ((ObjectNode) badCount.get("counts")).put("sent", 1.5);
        assertRefused(badCount.toString(), "sent is not a count");
        ObjectNode noInstance = document();
        noInstance.remove("instance");
        assertRefused(noInstance.toString(), "instance is not text");
        assertRefused(document().put("alias", "a".repeat(ReplayDocs.MAX_CHARS)).toString(), "longer than");
    }

    private static void assertRefused(String stored, String why) {
        assertThatThrownBy(() -> ReplayDocs.decode("4f1c2a9be07d", stored)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }
}
