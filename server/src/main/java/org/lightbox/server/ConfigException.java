// SPDX-License-Identifier: Apache-2.0
package org.lightbox.server;

/** The configuration cannot be used: an unknown key, a bad value, an unsupported setting. Start-up stops. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
