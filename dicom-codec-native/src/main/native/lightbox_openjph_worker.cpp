// SPDX-License-Identifier: Apache-2.0
// A decoding process for untrusted HTJ2K: Lightbox keeps a few of these running and sends them frames, so that when
// OpenJPH 0.9 aborts on a corrupt codestream (its assert()s are on in Debian's build) only this process dies, never
// the JVM. Built with the shim's source (lightbox_openjph.cpp) by build.sh; it calls the shim's C functions.
//
// The protocol, on standard input and output, every integer little-endian (the byte order of the only platform built):
//   request:  int32 sample_bytes, int32 width, int32 height, int32 components, int64 output bytes, int64 n; n bytes
//   response: int32 status, int32 info[7] (as lb_ojph_header fills it), int64 n; n bytes
// status 0: decoded, the n bytes are the samples; 1: not decoded because the header does not match the width,
// height and components asked for or its samples do not fit sample_bytes (info says why); -1: refused or failed,
// the n bytes are the message. The process ends at the end of its input, or on a malformed request.

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

extern "C" {
int lb_ojph_header(const uint8_t* in, size_t n, int32_t* info, char* err, size_t err_cap);
int lb_ojph_decode(const uint8_t* in, size_t n, int32_t sample_bytes, uint8_t* out, size_t out_cap, char* err,
        size_t err_cap);
}

namespace {

// A frame of DICOM encapsulated pixel data fits in a Java array.
constexpr uint64_t LIMIT = 0x7FFFFFF7ull;

bool read_fully(void* buf, size_t n) {
    auto* p = static_cast<uint8_t*>(buf);
    while (n > 0) {
        ssize_t got = read(0, p, n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return false;
        }
        p += got;
        n -= static_cast<size_t>(got);
    }
    return true;
}

bool write_fully(const void* buf, size_t n) {
    const auto* p = static_cast<const uint8_t*>(buf);
    while (n > 0) {
        ssize_t put = write(1, p, n);
        if (put < 0 && errno == EINTR) {
            continue;
        }
        if (put <= 0) {
            return false;
        }
        p += put;
        n -= static_cast<size_t>(put);
    }
    return true;
}

bool respond(int32_t status, const int32_t* info, const void* data, uint64_t n) {
    uint8_t head[4 + 7 * 4 + 8];
    memcpy(head, &status, 4);
    memcpy(head + 4, info, 7 * 4);
    memcpy(head + 32, &n, 8);
    return write_fully(head, sizeof head) && write_fully(data, static_cast<size_t>(n));
}

} // namespace

int main() {
    // A JVM that has gone away closes the pipe: end quietly rather than on SIGPIPE.
    signal(SIGPIPE, SIG_IGN);
    // Frames are megabytes: larger pipes mean fewer context switches per frame (best effort; Linux allows 1 MiB).
    fcntl(0, F_SETPIPE_SZ, 1 << 20);
    fcntl(1, F_SETPIPE_SZ, 1 << 20);
    std::vector<uint8_t> in, out;
    char err[1024];
    for (;;) {
        uint8_t head[4 * 4 + 8 + 8];
        if (!read_fully(head, sizeof head)) {
            return 0;
        }
        int32_t ask[4];
        uint64_t out_cap, n;
        memcpy(ask, head, sizeof ask);
        memcpy(&out_cap, head + 16, 8);
        memcpy(&n, head + 24, 8);
        if (n > LIMIT || out_cap > LIMIT) {
            return 2;
        }
        in.resize(static_cast<size_t>(n));
        if (!read_fully(in.data(), in.size())) {
            return 2;
        }
        int32_t info[7] = {0, 0, 0, 0, 0, 0, 0};
        err[0] = 0;
        bool ok;
        if (lb_ojph_header(in.data(), in.size(), info, err, sizeof err) != 0) {
            ok = respond(-1, info, err, strlen(err));
        } else if (info[0] != ask[1] || info[1] != ask[2] || info[2] != ask[3] || info[3] > 8 * ask[0]) {
            ok = respond(1, info, nullptr, 0);
        } else {
            out.resize(static_cast<size_t>(out_cap));
            if (lb_ojph_decode(in.data(), in.size(), ask[0], out.data(), out.size(), err, sizeof err) != 0) {
                ok = respond(-1, info, err, strlen(err));
            } else {
                ok = respond(0, info, out.data(), out.size());
            }
        }
        if (!ok) {
            return 0;
        }
    }
}
