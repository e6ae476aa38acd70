// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * The entry points of Lightbox's C shim over OpenJPH (src/main/native/lightbox_openjph.cpp), which the build puts in
 * the jar when g++ and libopenjph-dev are there. OpenJPH has no C API, hence the shim; it needs libopenjph.so.0.9
 * (Debian: libopenjph0.9) at run time.
 */
record OpenJphApi(MethodHandle header, MethodHandle decode, MethodHandle encode, MethodHandle free,
        MethodHandle version) {

    static final String RESOURCE = "/native/linux-x86_64/liblightbox-openjph.so";
    /** The decoding process (src/main/native/lightbox_openjph_worker.cpp), built beside the shim. */
    static final String WORKER_RESOURCE = "/native/linux-x86_64/lightbox-openjph-worker";
    /** Bytes for the error messages the shim writes. */
    static final int ERROR_CAPACITY = 1024;
    /** Indices into the header array lb_ojph_header fills. */
    static final int WIDTH = 0, HEIGHT = 1, COMPONENTS = 2, BIT_DEPTH = 3, SIGNED = 4, COLOUR_TRANSFORM = 5,
            REVERSIBLE = 6, HEADER_INTS = 7;

    /** The shim and OpenJPH, or empty when either is missing (another platform, a build without g++, no library). */
    static Optional<OpenJphApi> load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Optional.empty();
        }
        SymbolLookup lib;
        try (InputStream in = OpenJphApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            // The loader needs a file; the jar's copy cannot be mapped in place.
            Path file = Files.createTempFile("liblightbox-openjph", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            lib = SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IOException | IllegalArgumentException | IllegalCallerException | SecurityException notUsable) {
            // IllegalArgumentException: dlopen failed, most often because libopenjph.so.0.9 is not installed.
            return Optional.empty();
        }
        try {
            return Optional.of(new OpenJphApi(
                    NativeLibrary.function(lib, "lb_ojph_header",
                            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG)),
                    NativeLibrary.function(lib, "lb_ojph_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS,
                            JAVA_LONG, ADDRESS, JAVA_LONG)),
                    NativeLibrary.function(lib, "lb_ojph_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                            ADDRESS, JAVA_LONG)),
                    NativeLibrary.function(lib, "lb_ojph_free", FunctionDescriptor.ofVoid(ADDRESS)),
                    NativeLibrary.function(lib, "lb_ojph_version", FunctionDescriptor.of(ADDRESS))));
        } catch (RuntimeException missingSymbol) {
            return Optional.empty();
        }
    }

    /**
     * The decoding process copied out of the jar to an executable file, or empty when the build made none or it
     * cannot be copied or made executable.
     */
    static Optional<Path> worker() {
        try (InputStream in = OpenJphApi.class.getResourceAsStream(WORKER_RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            Path file = Files.createTempFile("lightbox-openjph-worker", "");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file.toFile().setExecutable(true, true) ? Optional.of(file) : Optional.empty();
        } catch (IOException | SecurityException notUsable) {
            return Optional.empty();
        }
    }


    /** The OpenJPH version the shim was built against, e.g. "0.9.0". */
    String versionString() {
        try {
            MemorySegment text = (MemorySegment) version.invokeExact();
            return text.reinterpret(32).getString(0);
        } catch (Throwable t) {
            return "unknown";
        }
    }
}
