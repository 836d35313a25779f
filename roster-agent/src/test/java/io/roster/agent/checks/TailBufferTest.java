package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tail buffer against a plain model: after any writes it holds the last {@code capacity} bytes. */
class TailBufferTest {

    @Test
    void keepsTheLastBytesForSeededRandomWrites() {
        for (long seed = 1; seed <= 200; seed++) {
            Random rnd = new Random(seed);
            int capacity = rnd.nextInt(40);
            TailBuffer tail = new TailBuffer(capacity);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int writes = rnd.nextInt(20);
            for (int w = 0; w < writes; w++) {
                byte[] chunk = new byte[rnd.nextInt(3 * capacity + 2)];
                rnd.nextBytes(chunk);
                int off = chunk.length == 0 ? 0 : rnd.nextInt(chunk.length);
                int len = chunk.length - off == 0 ? 0 : rnd.nextInt(chunk.length - off + 1);
                tail.write(chunk, off, len);
                all.write(chunk, off, len);
            }
            byte[] expected = all.toByteArray();
            byte[] last = Arrays.copyOfRange(expected, Math.max(0, expected.length - capacity), expected.length);
            assertThat(tail.bytes()).as("seed %d", seed).isEqualTo(last);
            assertThat(tail.total()).isEqualTo(expected.length);
        }
    }

    @Test
    void scriptOutputSaysWhatWasDropped() {
        TailBuffer tail = new TailBuffer(4);
        tail.write("abc".getBytes(), 0, 3);
        assertThat(tail.scriptOutput()).isEqualTo("abc");
        tail.write("defg".getBytes(), 0, 4);
        assertThat(tail.scriptOutput()).isEqualTo("Captured 4 of 7 bytes\n...\ndefg");
    }
}
