// SPDX-License-Identifier: Apache-2.0
package org.lightbox.archive.query;

/**
 * How a query ended.
 *
 * @param matches the number of matches handed to the sink
 * @param cancelled whether it stopped because the sink reported cancellation
 */
public record QueryOutcome(long matches, boolean cancelled) {}
