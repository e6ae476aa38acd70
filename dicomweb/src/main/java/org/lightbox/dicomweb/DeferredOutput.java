// SPDX-License-Identifier: Apache-2.0
package org.lightbox.dicomweb;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A response body that is held back until it passes a threshold, then streamed. While it is held, the status and
 * headers can still change (a failure becomes a clean error answer; a Warning found at the end of a small result is
 * still sent); once it passes the threshold, or is closed, {@code commit} runs once (setting the final headers) and
 * the bytes go to the response. So a large answer streams in bounded memory, and a small one is sent whole, with one
 * first write large enough for compression to apply.
 */
final class DeferredOutput extends OutputStream {
    private final Supplier<OutputStream> target;
    private final Runnable commit;
    private final int threshold;
    private byte[] held = new byte[8192];
    private int count;
    private OutputStream out;

    /**
     * @param target the response's stream, asked for once, at the commit
     * @param commit sets the status and headers, just before the first byte goes out
     * @param threshold how many bytes are held at most
     */
    DeferredOutput(Supplier<OutputStream> target, Runnable commit, int threshold) {
        this.target = target;
        this.commit = commit;
        this.threshold = threshold;
    }

    /** Whether the headers have gone (the status can no longer change). */
    boolean committed() {
        return out != null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (out != null) {
            out.write(b, off, len);
            return;
        }
        if (count + len <= threshold) {
            if (count + len > held.length) {
                held = Arrays.copyOf(held, Math.min(threshold, Math.max(count + len, held.length * 2)));
            }
            System.arraycopy(b, off, held, count, len);
            count += len;
            return;
        }
        open();
        out.write(b, off, len);
    }

    private void open() throws IOException {
        commit.run();
        out = target.get();
        if (count > 0) {
            out.write(held, 0, count);
        }
        held = null;
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** Commits if that has not happened and sends what is held; the response's stream is left to the server. */
    @Override
    public void close() throws IOException {
        if (out == null) {
            open();
        }
        out.flush();
    }

    /** Drops what is held, when the answer is to be an error instead; false when it has already begun. */
    boolean discard() {
        if (out != null) {
            return false;
        }
        count = 0;
        return true;
    }
}
