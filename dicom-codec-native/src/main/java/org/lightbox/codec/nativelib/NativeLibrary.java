// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Opening a shared library and binding its functions, the one way every native codec here does it. */
final class NativeLibrary {
    private static final Linker LINKER = Linker.nativeLinker();

    private NativeLibrary() {}

    /** The library by file name (e.g. "libcharls.so.2"), or empty when it is not installed. */
    static Optional<SymbolLookup> open(String name) {
        try {
            return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
        } catch (IllegalArgumentException | IllegalCallerException notInstalled) {
            return Optional.empty();
        }
    }

    /**
     * A handle on one function; a missing symbol is an {@link IllegalStateException}, which the loaders take as
     * "this library is not usable".
     */
    static MethodHandle function(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("no " + name)),
                descriptor);
    }
}
