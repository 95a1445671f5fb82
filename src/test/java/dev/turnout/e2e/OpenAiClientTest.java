package dev.turnout.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.turnout.Gateway;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official openai-java client, unchanged but for its base URL, talking to the gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiClientTest {

    private Vertx vertx;
    private SimServer sim;
    private Gateway gateway;
    private OpenAIClient openai;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        // A visible per-token delay so that a buffering gateway could not pass the streaming test.
        sim = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withTokens(12).withTokenMs(60));
        gateway = Fixtures.gateway(vertx, String.join("\n",
                "versions:",
                "  support-v1: { url: '" + sim.baseUrl() + "', model: 'ft:support:v1' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 1 } }",
                "  embed: { split: { support-v1: 1 } }",
                ""));
        openai = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + gateway.port() + "/v1")
                .apiKey("sk-any")
                .timeout(Duration.ofSeconds(20))
                .maxRetries(0)
                .build();
    }

    @AfterAll
    void stop() {
        openai.close();
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    private static ChatCompletionCreateParams question() {
        return ChatCompletionCreateParams.builder()
                .model("support-bot")
                .addUserMessage("My parcel is late, what can I do?")
                .build();
    }

    @Test
    void shouldAnswerAChatCompletion() {
        ChatCompletion completion = openai.chat().completions().create(question());
        assertThat(completion.model()).isEqualTo("ft:support:v1");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(text -> assertThat(text).isNotBlank());
    }

    @Test
    void shouldStreamChunksBeforeTheStreamEnds() {
        List<Long> arrivals = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(question())) {
            Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
            while (chunks.hasNext()) {
                ChatCompletionChunk chunk = chunks.next();
                arrivals.add(System.nanoTime());
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
            }
        }
        assertThat(arrivals.size()).isGreaterThanOrEqualTo(12);
        // The simulator waits 60 ms between tokens: chunks delivered as they are produced arrive
        // spread over the stream, not all at once at its end.
        long firstToLast = arrivals.get(arrivals.size() - 1) - arrivals.get(0);
        assertThat(Duration.ofNanos(firstToLast)).isGreaterThan(Duration.ofMillis(300));
        assertThat(text.toString()).isEqualTo(openai.chat().completions().create(question())
                .choices().get(0).message().content().orElseThrow());
    }

    @Test
    void shouldCreateAnEmbedding() {
        CreateEmbeddingResponse response = openai.embeddings().create(EmbeddingCreateParams.builder()
                .model("embed").input("where is my parcel").build());
        assertThat(response.data()).hasSize(1);
        List<Float> vector = response.data().get(0).embedding();
        assertThat(vector).isNotEmpty();
        double norm = Math.sqrt(vector.stream().mapToDouble(v -> v * v).sum());
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    }
}
