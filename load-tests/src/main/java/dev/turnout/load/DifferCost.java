package dev.turnout.load;

import dev.turnout.diff.AssembledResponse;
import dev.turnout.diff.DiffOptions;
import dev.turnout.diff.Exchange;
import dev.turnout.diff.ResponseAssembler;
import dev.turnout.diff.ResponseDiffer;
import dev.turnout.sim.SimText;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one compared pair costs the differ thread: assembling both captured answers from their
 * bytes (streamed, as SSE) and comparing them, for a short answer (16 tokens, like the benchmark's)
 * and a long one (2 000 tokens, where the capped quadratic metrics dominate). Mean over many pairs
 * after a warm-up, in microseconds. In-process, no network: the figure means something even on a
 * busy machine. Alone: {@code java -cp <classpath.txt>:target/turnout.jar:load-tests/target/turnout-load-tests.jar
 * dev.turnout.load.DifferCost [pairs]}.
 */
final class DifferCost {

    record Cost(double shortPairUs, double longPairUs) {}

    private DifferCost() {}

    public static void main(String[] args) {
        Cost cost = measure(args.length > 0 ? Integer.parseInt(args[0]) : 20_000);
        System.out.println("differ cost per pair: 16 tokens " + cost.shortPairUs() + " µs, 2 000 tokens " + cost.longPairUs() + " µs");
    }

    static Cost measure(int pairs) {
        return new Cost(perPair(16, pairs), perPair(2_000, Math.max(20, pairs / 100)));
    }

    private static double perPair(int tokens, int pairs) {
        byte[][] primary = new byte[pairs][];
        byte[][] candidate = new byte[pairs][];
        for (int i = 0; i < pairs; i++) {
            primary[i] = stream(SimText.words("v1", 42, "prompt " + i, tokens));
            candidate[i] = stream(SimText.words("v2", 42, "prompt " + i, tokens));
        }
        long sink = 0;
        for (int i = 0; i < Math.min(pairs, 2_000); i++) sink += compare(primary[i], candidate[i]); // warm-up
        long start = System.nanoTime();
        for (int i = 0; i < pairs; i++) sink += compare(primary[i], candidate[i]);
        double micros = (System.nanoTime() - start) / 1e3 / pairs;
        if (sink == 42) System.out.print(""); // keeps the work observable
        return Math.round(micros * 10) / 10.0;
    }

    private static int compare(byte[] primary, byte[] candidate) {
        AssembledResponse left = ResponseAssembler.fromBody(200, primary, true, false);
        AssembledResponse right = ResponseAssembler.fromBody(200, candidate, true, false);
        return ResponseDiffer.compare(new Exchange(left, 10, 1.0), new Exchange(right, 12, 1.5), DiffOptions.defaults(false))
                .verdict().ordinal();
    }

    /** The words as an OpenAI chat stream: one chunk per token, then finish, usage and [DONE]. */
    private static byte[] stream(List<String> words) {
        StringBuilder sse = new StringBuilder();
        String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,";
        for (String word : words) sse.append(head).append("\"delta\":{\"content\":\" ").append(word).append("\"},\"finish_reason\":null}]}\n\n");
        sse.append(head).append("\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":").append(words.size()).append("}}\n\n");
        sse.append("data: [DONE]\n\n");
        return sse.toString().getBytes(StandardCharsets.UTF_8);
    }
}
