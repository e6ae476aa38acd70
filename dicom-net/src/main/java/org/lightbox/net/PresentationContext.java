// SPDX-License-Identifier: Apache-2.0
package org.lightbox.net;

/** An accepted presentation context: its ID, abstract syntax and the one transfer syntax agreed for it. */
public record PresentationContext(int id, String abstractSyntax, String transferSyntax) {}
