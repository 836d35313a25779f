package io.roster.it.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.state.CommandCodec;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the Raft command codec's decoder ({@link CommandCodec#decode}), what every
 * server runs on every log entry and snapshot it reads: random type bytes, JSON bodies built from
 * the wire types' field names with values of the wrong kind, truncated and bit-flipped bodies, and
 * BATCH framings with hostile counts and lengths. A decode must return a command (or null for an
 * unknown ignorable type) or throw the codec's declared errors ({@link IllegalStateException},
 * {@link UncheckedIOException}); anything else (a NullPointerException, an index out of bounds, an
 * OutOfMemoryError from a length) is a failure. {@code -Dfuzz.inputs=N}, {@code -Dfuzz.seed=S}.
 */
class CommandCodecFuzzTest {
    @Test
    void decoderAnswersOnlyWithCommandsOrDeclaredErrors() {
        int inputs = Integer.getInteger("fuzz.inputs", 10_000);
        // CI replays seed 1 (a regression test); longer runs pass -Dfuzz.seed and -Dfuzz.inputs
        long seed = Long.getLong("fuzz.seed", 1L);
        Random rnd = new Random(seed);
        List<String> failures = new ArrayList<>();
        int decoded = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < inputs && failures.size() < 20; i++) {
            byte[] in = generate(rnd);
            try {
                CommandCodec.decode(in);
                decoded++;
            } catch (IllegalStateException | UncheckedIOException e) {
                refused++;
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                failures.add("#" + i + " " + e.getClass().getSimpleName() + ": " + e.getMessage() + " on "
                        + HttpFuzzTest.abbreviate(in));
            }
        }
        System.out.printf("CommandCodecFuzzTest: %d inputs from seed %d in %d ms: %d decoded, %d refused, %d failures%n",
                inputs, seed, (System.nanoTime() - t0) / 1_000_000, decoded, refused, failures.size());
        failures.forEach(f -> System.out.println("CommandCodecFuzzTest: " + f));
        assertThat(failures).as("seed %d", seed).isEmpty();
        assertThat(decoded).as("some inputs decode (the generator reaches the commands' fields)").isPositive();
    }

    static byte[] generate(Random rnd) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            return b;
        }
        if (kind == 1) {
            // a BATCH framing with hostile counts and lengths around a real-looking entry
            byte[] one = single(rnd);
            ByteBuffer out = ByteBuffer.allocate(13 + one.length);
            out.put((byte) 9);
            out.putInt(rnd.nextBoolean() ? 1 : rnd.nextInt());
            out.putInt(rnd.nextBoolean() ? one.length : rnd.nextInt());
            out.put(one);
            return out.array();
        }
        byte[] b = single(rnd);
        if (kind == 2 && b.length > 1) {
            b[1 + rnd.nextInt(b.length - 1)] ^= (byte) (1 << rnd.nextInt(8));
        } else if (kind == 3 && b.length > 1) {
            b = java.util.Arrays.copyOf(b, 1 + rnd.nextInt(b.length - 1));
        }
        return b;
    }

    private static byte[] single(Random rnd) {
        int type = rnd.nextInt(20) == 0 ? rnd.nextInt(256) : 1 + rnd.nextInt(8);
        String body = rnd.nextInt(4) == 0 ? HttpFuzzTest.json(rnd, 0) : HttpFuzzTest.obj(rnd, 0);
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + 1];
        out[0] = (byte) type;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }
}
