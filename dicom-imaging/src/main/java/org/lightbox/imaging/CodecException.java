// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging;

import java.io.IOException;

/** A frame that a codec cannot decode or encode: corrupt or truncated data, or an unsupported variant. */
public final class CodecException extends IOException {
    private final String codec;
    private final int frame;

    public CodecException(String codec, int frame, String reason) {
        super(codec + ", frame " + (frame + 1) + ": " + reason);
        this.codec = codec;
        this.frame = frame;
    }

    public CodecException(String codec, int frame, String reason, Throwable cause) {
        this(codec, frame, reason);
        initCause(cause);
    }

    public String codec() {
        return codec;
    }

    /** The frame, counted from 0 (the message counts from 1, as DICOM does). */
    public int frame() {
        return frame;
    }
}
