// SPDX-License-Identifier: Apache-2.0
package org.lightbox.cli;

/** A command line that parses but makes no sense; the message is the one line shown, and the exit status is 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
