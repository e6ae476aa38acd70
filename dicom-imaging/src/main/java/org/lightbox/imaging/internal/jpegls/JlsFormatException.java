// SPDX-License-Identifier: Apache-2.0
package org.lightbox.imaging.internal.jpegls;

/** A codestream that breaks T.87; the codec turns it into a {@code CodecException} naming the frame. */
final class JlsFormatException extends RuntimeException {
    JlsFormatException(String message) {
        super(message, null, false, false);
    }
}
