// SPDX-License-Identifier: Apache-2.0
package org.lightbox.codec.nativelib;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * The entry points of OpenJPEG 2.5 (libopenjp2.so.7) used by {@link OpenJpegCodec}, and the memory stream that feeds
 * it: OpenJPEG reads and writes through callbacks, which here work on a native {@link #STATE_BYTES}-byte state
 * (buffer address, length, position), so no Java object has to be reached from native code.
 */
record OpenJpegApi(MethodHandle streamCreate, MethodHandle streamDestroy, MethodHandle setRead,
        MethodHandle setWrite, MethodHandle setSkip, MethodHandle setSeek, MethodHandle setUserData,
        MethodHandle setUserDataLength, MethodHandle createDecompress, MethodHandle defaultDecoderParameters,
        MethodHandle setupDecoder, MethodHandle setErrorHandler, MethodHandle readHeader, MethodHandle decode,
        MethodHandle endDecompress, MethodHandle imageDestroy, MethodHandle destroyCodec,
        Optional<MethodHandle> setThreads, Optional<Encoder> encoder, MemorySegment readFn, MemorySegment writeFn,
        MemorySegment skipFn, MemorySegment seekFn, MemorySegment errorFn) {

    /** The compression entry points, apart so that a library without them still decodes. */
    record Encoder(MethodHandle createCompress, MethodHandle defaultEncoderParameters, MethodHandle imageCreate,
            MethodHandle setupEncoder, MethodHandle startCompress, MethodHandle encode, MethodHandle endCompress) {}

    // Sizes and offsets of openjpeg.h 2.5 on LP64, checked against the header with offsetof. The parameter
    // structures get room to spare: the library clears its own sizeof of them, which a later release may grow.
    static final long DPARAMETERS_BYTES = 8252 + 4096;
    static final long CPARAMETERS_BYTES = 18720 + 4096;
    static final long CP_DISTO_ALLOC = 20;
    static final long TCP_NUMLAYERS = 4796;
    static final long TCP_RATES = 4800;
    static final long NUMRESOLUTION = 5600;
    static final long IRREVERSIBLE = 5616;
    static final long TCP_MCT = 18698;
    static final long IMAGE_BYTES = 48;
    static final long IMAGE_NUMCOMPS = 16;
    static final long IMAGE_COLOR_SPACE = 20;
    static final long IMAGE_COMPS = 24;
    static final long COMP_BYTES = 64;
    static final long COMP_DX = 0;
    static final long COMP_DY = 4;
    static final long COMP_W = 8;
    static final long COMP_H = 12;
    static final long COMP_PREC = 24;
    static final long COMP_SGND = 32;
    static final long COMP_FACTOR = 40;
    static final long COMP_DATA = 48;
    static final long CMPTPARM_BYTES = 36;
    static final int CODEC_J2K = 0;
    static final int CLRSPC_SRGB = 1;
    static final int CLRSPC_GRAY = 2;

    /** Stream state: buffer address, buffer length, position; then the first error message, NUL-terminated. */
    static final long STATE_BYTES = 24;
    static final long MESSAGE_BYTES = 512;

    static Optional<OpenJpegApi> load() {
        Optional<SymbolLookup> opened = NativeLibrary.open("libopenjp2.so.7");
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        SymbolLookup lib = opened.get();
        Linker l = Linker.nativeLinker();
        try {
            MethodHandles.Lookup me = MethodHandles.lookup();
            MethodHandle read = me.findStatic(OpenJpegApi.class, "read",
                    MethodType.methodType(long.class, MemorySegment.class, long.class, MemorySegment.class));
            MethodHandle write = me.findStatic(OpenJpegApi.class, "write",
                    MethodType.methodType(long.class, MemorySegment.class, long.class, MemorySegment.class));
            MethodHandle skip = me.findStatic(OpenJpegApi.class, "skip",
                    MethodType.methodType(long.class, long.class, MemorySegment.class));
            MethodHandle seek = me.findStatic(OpenJpegApi.class, "seek",
                    MethodType.methodType(int.class, long.class, MemorySegment.class));
            MethodHandle error = me.findStatic(OpenJpegApi.class, "error",
                    MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class));
            FunctionDescriptor io = FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
            FunctionDescriptor setFn = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS);
            FunctionDescriptor codecStream = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
            return Optional.of(new OpenJpegApi(
                    NativeLibrary.function(lib, "opj_stream_create", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_INT)),
                    NativeLibrary.function(lib, "opj_stream_destroy", FunctionDescriptor.ofVoid(ADDRESS)),
                    NativeLibrary.function(lib, "opj_stream_set_read_function", setFn),
                    NativeLibrary.function(lib, "opj_stream_set_write_function", setFn),
                    NativeLibrary.function(lib, "opj_stream_set_skip_function", setFn),
                    NativeLibrary.function(lib, "opj_stream_set_seek_function", setFn),
                    NativeLibrary.function(lib, "opj_stream_set_user_data", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_stream_set_user_data_length", FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)),
                    NativeLibrary.function(lib, "opj_create_decompress", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                    NativeLibrary.function(lib, "opj_set_default_decoder_parameters", FunctionDescriptor.ofVoid(ADDRESS)),
                    NativeLibrary.function(lib, "opj_setup_decoder", codecStream),
                    NativeLibrary.function(lib, "opj_set_error_handler", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_read_header", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_end_decompress", codecStream),
                    NativeLibrary.function(lib, "opj_image_destroy", FunctionDescriptor.ofVoid(ADDRESS)),
                    NativeLibrary.function(lib, "opj_destroy_codec", FunctionDescriptor.ofVoid(ADDRESS)),
                    // Since OpenJPEG 2.2; without it every frame is decoded on the calling thread only.
                    lib.find("opj_codec_set_threads")
                            .map(f -> l.downcallHandle(f, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))),
                    loadEncoder(lib),
                    l.upcallStub(read, io, Arena.global()),
                    l.upcallStub(write, io, Arena.global()),
                    l.upcallStub(skip, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS), Arena.global()),
                    l.upcallStub(seek, FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS), Arena.global()),
                    l.upcallStub(error, FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), Arena.global())));
        } catch (RuntimeException | ReflectiveOperationException missing) {
            return Optional.empty();
        }
    }

    private static Optional<Encoder> loadEncoder(SymbolLookup lib) {
        try {
            // The offsets into opj_cparameters_t above are 2.5's; other versions moved fields.
            MethodHandle version = NativeLibrary.function(lib, "opj_version", FunctionDescriptor.of(ADDRESS));
            if (!((MemorySegment) version.invokeExact()).reinterpret(32).getString(0).startsWith("2.5.")) {
                return Optional.empty();
            }
            return Optional.of(new Encoder(
                    NativeLibrary.function(lib, "opj_create_compress", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                    NativeLibrary.function(lib, "opj_set_default_encoder_parameters", FunctionDescriptor.ofVoid(ADDRESS)),
                    NativeLibrary.function(lib, "opj_image_create", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT)),
                    NativeLibrary.function(lib, "opj_setup_encoder", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_start_compress", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)),
                    NativeLibrary.function(lib, "opj_end_compress", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS))));
        } catch (Throwable missing) {
            return Optional.empty();
        }
    }


    /** A stream state over {@code buffer}, with room for the first error message after it. */
    static MemorySegment state(Arena arena, MemorySegment buffer) {
        MemorySegment s = arena.allocate(STATE_BYTES + MESSAGE_BYTES, 8);
        s.set(JAVA_LONG, 0, buffer.address());
        s.set(JAVA_LONG, 8, buffer.byteSize());
        s.set(JAVA_LONG, 16, 0);
        return s;
    }

    /** The first error OpenJPEG reported on this state's codec, or null. */
    static String message(MemorySegment state) {
        String m = state.getString(STATE_BYTES).strip();
        return m.isEmpty() ? null : m;
    }

    static long position(MemorySegment state) {
        return state.get(JAVA_LONG, 16);
    }

    // The callbacks below run inside native code: an exception escaping them would end the JVM, so none may.

    /** opj_stream_read_fn: copies up to {@code n} bytes; (OPJ_SIZE_T) -1 at the end. */
    private static long read(MemorySegment into, long n, MemorySegment user) {
        try {
            MemorySegment s = user.reinterpret(STATE_BYTES);
            long length = s.get(JAVA_LONG, 8);
            long pos = s.get(JAVA_LONG, 16);
            long count = Math.min(n, length - pos);
            if (count <= 0) {
                return -1;
            }
            MemorySegment data = MemorySegment.ofAddress(s.get(JAVA_LONG, 0)).reinterpret(length);
            MemorySegment.copy(data, pos, into.reinterpret(count), 0, count);
            s.set(JAVA_LONG, 16, pos + count);
            return count;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** opj_stream_write_fn: appends to the fixed output buffer; (OPJ_SIZE_T) -1, an error, when it is full. */
    private static long write(MemorySegment from, long n, MemorySegment user) {
        try {
            MemorySegment s = user.reinterpret(STATE_BYTES);
            long length = s.get(JAVA_LONG, 8);
            long pos = s.get(JAVA_LONG, 16);
            if (n < 0 || n > length - pos) {
                return -1;
            }
            MemorySegment data = MemorySegment.ofAddress(s.get(JAVA_LONG, 0)).reinterpret(length);
            MemorySegment.copy(from.reinterpret(n), 0, data, pos, n);
            s.set(JAVA_LONG, 16, pos + n);
            return n;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** opj_stream_skip_fn: never 0 for a non-zero request, or OpenJPEG's skip loop would spin for ever. */
    private static long skip(long n, MemorySegment user) {
        try {
            MemorySegment s = user.reinterpret(STATE_BYTES);
            long length = s.get(JAVA_LONG, 8);
            long pos = s.get(JAVA_LONG, 16);
            long to = Math.clamp(pos + n, 0, length);
            if (to == pos) {
                return n == 0 ? 0 : -1;
            }
            s.set(JAVA_LONG, 16, to);
            return to - pos;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** opj_stream_seek_fn: absolute position; OPJ_FALSE outside the buffer. */
    private static int seek(long to, MemorySegment user) {
        try {
            MemorySegment s = user.reinterpret(STATE_BYTES);
            if (to < 0 || to > s.get(JAVA_LONG, 8)) {
                return 0;
            }
            s.set(JAVA_LONG, 16, to);
            return 1;
        } catch (Throwable t) {
            return 0;
        }
    }

    /** opj_msg_callback for errors: keeps the first message, which names the cause; later ones are generic. */
    private static void error(MemorySegment message, MemorySegment user) {
        try {
            MemorySegment box = user.reinterpret(STATE_BYTES + MESSAGE_BYTES).asSlice(STATE_BYTES);
            if (box.get(JAVA_BYTE, 0) != 0 || message.equals(MemorySegment.NULL)) {
                return;
            }
            MemorySegment text = message.reinterpret(MESSAGE_BYTES - 1);
            long i = 0;
            for (byte b; i < MESSAGE_BYTES - 1 && (b = text.get(JAVA_BYTE, i)) != 0; i++) {
                box.set(JAVA_BYTE, i, b);
            }
            box.set(JAVA_BYTE, i, (byte) 0);
        } catch (Throwable t) {
            // nothing to do: the failing call's return value still reports the error
        }
    }
}
