// SPDX-License-Identifier: Apache-2.0
// A C ABI over OpenJPH's C++ API (0.9), so that Java can call it through the FFM API.
// Every C++ exception stays inside this file: a corrupt codestream must give an error code, never a JVM crash.
// OpenJPH 0.9, as Debian builds it (assert() on), is not safe on corrupt input: fuzzing made it loop, abort and
// corrupt its heap on bad main headers, tile-part headers and packet headers. check_markers() and check_packets()
// refuse those inputs before OpenJPH parses them. What remains: corrupt code-block *contents* can still trip an
// assert() in OpenJPH's HT block decoder (1 in about 16,000 random mutations here); only a separate process or an
// OpenJPH built without assertions and with later fuzzing fixes removes that.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <openjph/ojph_arch.h>
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>
#include <openjph/ojph_version.h>

namespace {

// OpenJPH 0.9 reports an error by printing it to a global FILE* and throwing std::runtime_error("ojph error");
// configure_error() does nothing in that version. So the error stream is a cookie stream, unbuffered, that appends
// to a buffer of the calling thread: the message reaches the caller, not the server's stderr.
thread_local std::string last_error;

ssize_t capture(void*, const char* data, size_t size) {
    if (last_error.size() < 1024) {
        last_error.append(data, size);
    }
    return static_cast<ssize_t>(size);
}

ssize_t discard(void*, const char*, size_t size) {
    return static_cast<ssize_t>(size);
}

std::once_flag streams_set;

void install_handlers() {
    std::call_once(streams_set, [] {
        cookie_io_functions_t io{};
        io.write = capture;
        FILE* stream = fopencookie(nullptr, "w", io);
        if (stream != nullptr) {
            setvbuf(stream, nullptr, _IONBF, 0);
        }
        ojph::set_error_stream(stream);
        // Warnings and information would go to the server's stderr; the caller only needs errors. (A null stream
        // is no way to silence them: 0.9 prints to it without a check.)
        cookie_io_functions_t none{};
        none.write = discard;
        FILE* sink = fopencookie(nullptr, "w", none);
        if (sink != nullptr) {
            setvbuf(sink, nullptr, _IONBF, 0);
            ojph::set_warning_stream(sink);
            ojph::set_info_stream(sink);
        }
    });
    last_error.clear();
}

// The message OpenJPH printed, if any, else the exception's own.
void report(char* err, size_t err_cap, const char* message) {
    std::string text = last_error.empty() ? std::string(message) : last_error;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    if (err != nullptr && err_cap > 0) {
        snprintf(err, err_cap, "%s", text.c_str());
    }
}

// What the header says, after the checks this shim needs before decoding.
struct header {
    int32_t width, height, comps, bitdepth, is_signed, colour_transform, reversible;
};

unsigned read16(const uint8_t* p) {
    return static_cast<unsigned>(p[0]) << 8 | p[1];
}

uint32_t read32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16
            | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// OpenJPH 0.9 trusts the main header: an inconsistent SIZ makes it loop for minutes, a QCD that disagrees with COD
// trips an assert() that aborts the process. Fuzzing found both, so the main header is checked here first, and a
// truncated or foreign stream is refused with a clear message.
uint64_t check_siz(const uint8_t* seg, size_t length) {
    if (length < 41) {
        throw std::runtime_error("the SIZ marker segment is too short");
    }
    uint32_t xsiz = read32(seg + 4), ysiz = read32(seg + 8), xo = read32(seg + 12), yo = read32(seg + 16);
    uint32_t xt = read32(seg + 20), yt = read32(seg + 24), xto = read32(seg + 28), yto = read32(seg + 32);
    unsigned comps = read16(seg + 36);
    if (comps < 1 || length != 38 + 3 * static_cast<size_t>(comps)) {
        throw std::runtime_error("the SIZ marker segment's length does not match its components");
    }
    if (xo >= xsiz || yo >= ysiz || xt == 0 || yt == 0 || xto > xo || yto > yo
            || static_cast<uint64_t>(xt) + xto <= xo || static_cast<uint64_t>(yt) + yto <= yo) {
        throw std::runtime_error("the SIZ marker segment describes an impossible image or tile grid");
    }
    uint64_t tiles = ((static_cast<uint64_t>(xsiz) - xto + xt - 1) / xt)
            * ((static_cast<uint64_t>(ysiz) - yto + yt - 1) / yt);
    if (tiles > 65535) {
        throw std::runtime_error("the SIZ marker segment describes more than 65535 tiles");
    }
    for (unsigned c = 0; c < comps; ++c) {
        const uint8_t* comp = seg + 38 + 3 * c;
        if ((comp[0] & 0x7F) > 37 || comp[1] == 0 || comp[2] == 0) {
            throw std::runtime_error("the SIZ marker segment describes an impossible component");
        }
    }
    return tiles;
}

// A tile-part header, from after SOT to SOD: OpenJPH 0.9 asserts on a marker it does not know there, and ignores
// coding parameters it does not support there; so only PLT and COM are let through.
// Returns where the tile-part's data starts.
size_t check_tile_part_header(const uint8_t* in, size_t pos, size_t end) {
    for (;;) {
        if (pos + 2 > end) {
            throw std::runtime_error("a tile-part header has no SOD marker");
        }
        unsigned marker = read16(in + pos);
        if (marker == 0xFF93) {
            return pos + 2;
        }
        if (marker != 0xFF58 && marker != 0xFF64) {
            throw std::runtime_error("a tile-part header holds marker " + std::to_string(marker)
                    + ", which OpenJPH does not support there");
        }
        if (pos + 4 > end) {
            throw std::runtime_error("a tile-part header is truncated");
        }
        size_t length = read16(in + pos + 2);
        if (length < 2 || pos + 2 + length > end) {
            throw std::runtime_error("a marker segment runs past the end of its tile-part");
        }
        pos += 2 + length;
    }
}


// What the packet check needs of the main header.
struct layout {
    uint32_t width = 0, height = 0, x0 = 0, y0 = 0;
    unsigned comps = 0, levels = 0, xcb = 0, ycb = 0, progression = 0, layers = 0, scod = 0;
    std::vector<unsigned> kmax;  // per subband in QCD order: LL, then HL, LH, HH from the coarsest level
};

// Reads packet-header bits, with the bit unstuffing after 0xFF (ISO 15444-1 B.10.1).
struct header_bits {
    const uint8_t* data;
    size_t pos, end;
    unsigned avail = 0, cur = 0;
    bool stuffed = false;

    unsigned bit() {
        if (avail == 0) {
            if (pos >= end) {
                throw std::runtime_error("a packet header runs past the end of its tile");
            }
            cur = data[pos++];
            avail = stuffed ? 7 : 8;
            stuffed = cur == 0xFF;
        }
        --avail;
        return (cur >> avail) & 1;
    }

    unsigned bits(unsigned count) {
        unsigned v = 0;
        while (count-- > 0) {
            v = v << 1 | bit();
        }
        return v;
    }

    // A header ends on a byte; after a 0xFF one more byte belongs to it.
    void finish() {
        avail = 0;
        if (stuffed) {
            ++pos;
            stuffed = false;
        }
        if (pos > end) {
            throw std::runtime_error("a packet header runs past the end of its tile");
        }
    }
};

// A tag tree over w x h leaves (B.10.2), read for the first (and only) layer.
struct tag_tree {
    struct node { unsigned low = 0; bool known = false; };
    std::vector<std::vector<node>> levels;  // levels[0]: the leaves
    std::vector<std::pair<unsigned, unsigned>> dims;

    tag_tree(unsigned w, unsigned h) {
        for (;;) {
            dims.emplace_back(w, h);
            levels.emplace_back(static_cast<size_t>(w) * h);
            if (w == 1 && h == 1) {
                break;
            }
            w = (w + 1) / 2;
            h = (h + 1) / 2;
        }
    }

    // Decodes leaf (x, y) until its value is known or reaches threshold; returns the value or threshold.
    unsigned decode(header_bits& hb, unsigned x, unsigned y, unsigned threshold) {
        unsigned low = 0;
        for (size_t l = levels.size(); l-- > 0;) {
            node& n = levels[l][static_cast<size_t>(y >> l) * dims[l].first + (x >> l)];
            if (n.low < low) {
                n.low = low;
            }
            while (!n.known && n.low < threshold) {
                if (hb.bit() != 0) {
                    n.known = true;
                } else {
                    ++n.low;
                }
            }
            low = n.low;
        }
        return low < threshold ? low : threshold;
    }
};

// OpenJPH 0.9 trusts the code-block lengths in packet headers: a corrupt one makes it write past its buffers
// (fuzzing found heap corruption in precinct::parse). For the common layout (one tile, one layer, one precinct per
// resolution, no image offset, no SOP/EPH) every packet header is read here first, and each HT code-block's
// lengths are checked against what HTJ2K allows and against the data. Other layouts are passed on unchecked.
// Returns, for the resolution-major orders (LRCP, RLCP, RPCL), where each resolution's packets end in data; else
// (and for unchecked layouts) nothing.
std::vector<size_t> check_packets(const layout& g, const std::vector<uint8_t>& data) {
    std::vector<size_t> ends;
    if (g.kmax.size() != 3 * static_cast<size_t>(g.levels) + 1 || g.layers != 1 || (g.scod & 7) != 0 || g.x0 != 0
            || g.y0 != 0 || g.width > 32768 || g.height > 32768) {
        return ends;
    }
    header_bits hb{data.data(), 0, data.size()};
    auto ceil_div = [](uint64_t a, unsigned shift) {
        return static_cast<uint32_t>((a + (1ull << shift) - 1) >> shift);
    };
    auto packet = [&](unsigned r) {
        // The subbands of resolution r: LL alone at 0, else HL, LH, HH of decomposition level levels - r + 1.
        struct band { uint32_t w, h; unsigned kmax; };
        band bands[3];
        unsigned count = 0;
        if (r == 0) {
            bands[count++] = {ceil_div(g.width, g.levels), ceil_div(g.height, g.levels), g.kmax[0]};
        } else {
            unsigned n = g.levels - r + 1;
            uint64_t half = 1ull << (n - 1);
            uint32_t wl = ceil_div(g.width, n), hl = ceil_div(g.height, n);
            uint32_t wh = g.width > half ? ceil_div(g.width - half, n) : 0;
            uint32_t hh = g.height > half ? ceil_div(g.height - half, n) : 0;
            size_t k = 1 + 3 * static_cast<size_t>(r - 1);
            bands[count++] = {wh, hl, g.kmax[k]};
            bands[count++] = {wl, hh, g.kmax[k + 1]};
            bands[count++] = {wh, hh, g.kmax[k + 2]};
        }
        bool empty_bit_read = false;
        uint64_t body = 0;
        for (unsigned b = 0; b < count; ++b) {
            uint32_t cbw = ceil_div(bands[b].w, g.xcb), cbh = ceil_div(bands[b].h, g.ycb);
            if (cbw == 0 || cbh == 0) {
                continue;
            }
            if (!empty_bit_read) {
                empty_bit_read = true;
                if (hb.bit() == 0) {
                    hb.finish();
                    return;
                }
            }
            tag_tree inclusion(cbw, cbh), zeros(cbw, cbh);
            for (uint32_t y = 0; y < cbh; ++y) {
                for (uint32_t x = 0; x < cbw; ++x) {
                    if (inclusion.decode(hb, x, y, 1) != 0) {
                        continue;
                    }
                    // OpenJPH's parser lets missing bit-planes equal to Kmax through; its decoder then asserts.
                    if (zeros.decode(hb, x, y, 75) >= bands[b].kmax) {
                        throw std::runtime_error("a packet header gives a code-block too many missing bit-planes");
                    }
                    unsigned passes = 1;
                    if (hb.bit() != 0) {
                        passes = 2;
                        if (hb.bit() != 0) {
                            unsigned v = hb.bits(2);
                            passes = 3 + v;
                            if (v == 3) {
                                v = hb.bits(5);
                                passes = 6 + v;
                                if (v == 31) {
                                    passes = 37 + hb.bits(7);
                                }
                            }
                        }
                    }
                    if (passes > 3) {
                        throw std::runtime_error("a code-block has more than 3 coding passes (OpenJPH reads 3)");
                    }
                    unsigned lblock = 3;
                    while (hb.bit() != 0) {
                        if (++lblock > 20) {
                            throw std::runtime_error("a packet header gives a code-block an impossible length");
                        }
                    }
                    unsigned cleanup = hb.bits(lblock);
                    // HTJ2K bounds (ISO 15444-15): a cleanup segment of 2 to 65534 bytes, a refinement one under 2047.
                    if (cleanup < 2 || cleanup >= 65535) {
                        throw std::runtime_error("a code-block's cleanup segment has an impossible length");
                    }
                    body += cleanup;
                    if (passes > 1) {
                        unsigned refinement = hb.bits(lblock + (passes > 2 ? 1 : 0));
                        if (refinement >= 2047) {
                            throw std::runtime_error("a code-block's refinement segment has an impossible length");
                        }
                        body += refinement;
                    }
                }
            }
        }
        if (!empty_bit_read) {
            // No code-blocks at all (tiny images): a one-bit empty header, which OpenJPH asserts is 0.
            if (hb.bit() != 0) {
                throw std::runtime_error("a packet without code-blocks claims to hold some");
            }
            hb.finish();
            return;
        }
        hb.finish();
        if (body > hb.end - hb.pos) {
            throw std::runtime_error("a packet's code-blocks run past the end of the tile");
        }
        hb.pos += body;
    };
    if (g.progression <= 2) {
        for (unsigned r = 0; r <= g.levels; ++r) {
            for (unsigned c = 0; c < g.comps; ++c) {
                packet(r);
            }
            ends.push_back(hb.pos);
        }
    } else {
        for (unsigned c = 0; c < g.comps; ++c) {
            for (unsigned r = 0; r <= g.levels; ++r) {
                packet(r);
            }
        }
    }
    return ends;
}

// Where check_markers found things: the end of the main header (the first SOT), the tile-parts as [SOT, end) and
// where their data starts, and the end of each resolution's packets in the tile's data (for one tile in a
// resolution-major order; else empty).
struct stream_map {
    size_t main_end = 0;
    std::vector<size_t> sot, data_start, end;
    std::vector<size_t> resolution_ends;
    size_t data_bytes = 0;
    unsigned levels = 0, progression = 0;
};

stream_map check_markers(const uint8_t* in, size_t n) {
    stream_map map;
    if (n < 4 || read16(in) != 0xFF4F || read16(in + 2) != 0xFF51) {
        throw std::runtime_error("not a JPEG 2000 codestream: it does not start with SOC and SIZ");
    }
    // Main header: every marker segment must lie inside the data, up to the first tile-part (SOT).
    size_t pos = 2;
    bool cap = false;
    int cods = 0, qcds = 0;
    unsigned levels = 0, wavelet = 0;
    uint64_t tiles = 0;
    layout g;
    size_t qcd_length = 0;
    const uint8_t* qcd = nullptr;
    unsigned qcd_style = 0;
    for (;;) {
        if (pos + 4 > n) {
            throw std::runtime_error("the main header is truncated");
        }
        unsigned marker = read16(in + pos);
        if (marker == 0xFF90) {
            map.main_end = pos;
            break;
        }
        if ((marker & 0xFF00) != 0xFF00 || marker < 0xFF30) {
            throw std::runtime_error("the main header holds no valid marker at byte " + std::to_string(pos));
        }
        size_t length = read16(in + pos + 2);
        if (length < 2 || pos + 2 + length > n) {
            throw std::runtime_error("a marker segment of the main header runs past the end of the data");
        }
        const uint8_t* seg = in + pos + 2;
        switch (marker) {
            case 0xFF51:
                if (pos != 2) {
                    throw std::runtime_error("a second SIZ marker segment");
                }
                tiles = check_siz(seg, length);
                g.width = read32(seg + 4) - read32(seg + 12);
                g.height = read32(seg + 8) - read32(seg + 16);
                g.x0 = read32(seg + 12);
                g.y0 = read32(seg + 16);
                g.comps = read16(seg + 36);
                break;
            case 0xFF50:
                cap = true;
                break;
            case 0xFF52:
                // Lcod, Scod, progression, layers (2), MCT, levels, code-block sizes, style, wavelet, precincts.
                if (length < 12) {
                    throw std::runtime_error("the COD marker segment is too short");
                }
                levels = seg[7];
                wavelet = seg[11];
                g.scod = seg[2];
                g.progression = seg[3];
                g.layers = read16(seg + 4);
                g.levels = levels;
                g.xcb = seg[8] + 2u;
                g.ycb = seg[9] + 2u;
                if ((seg[10] & 0x40) == 0) {
                    throw std::runtime_error("the code-blocks are not HT code-blocks: this is JPEG 2000, not HTJ2K");
                }
                // An unknown progression order makes OpenJPH 0.9 abort.
                if (levels > 32 || wavelet > 1 || seg[3] > 4 || read16(seg + 4) == 0 || seg[6] > 1 || seg[8] > 8
                        || seg[9] > 8 || seg[8] + seg[9] > 8
                        || length != ((seg[2] & 1) != 0 ? 13 + static_cast<size_t>(levels) : 12)) {
                    throw std::runtime_error("the COD marker segment is inconsistent");
                }
                ++cods;
                break;
            case 0xFF5C:
                if (length < 4) {
                    throw std::runtime_error("the QCD marker segment is too short");
                }
                qcd_length = length;
                qcd_style = seg[2] & 0x1F;
                qcd = seg;
                ++qcds;
                break;
            case 0xFF53: case 0xFF5D: case 0xFF5E: case 0xFF5F: case 0xFF60:
                throw std::runtime_error("the main header uses COC, QCC, RGN, POC or PPM, which OpenJPH ignores");
            default:
                break;
        }
        pos += 2 + length;
    }
    if (!cap) {
        throw std::runtime_error("the codestream has no CAP marker: it is JPEG 2000, not HTJ2K");
    }
    if (cods != 1 || qcds != 1) {
        throw std::runtime_error("the main header needs exactly one COD and one QCD marker segment");
    }
    size_t subbands = 3 * static_cast<size_t>(levels) + 1;
    // OpenJPH reads the reversible (5/3) wavelet with QCD style 0 only and the irreversible one with style 2 only.
    bool qcd_ok = wavelet == 1 ? qcd_style == 0 && qcd_length == 3 + subbands
                               : qcd_style == 2 && qcd_length == 3 + 2 * subbands;
    if (!qcd_ok) {
        throw std::runtime_error("the QCD marker segment does not match the decomposition levels of COD");
    }
    // Kmax per subband (ISO 15444-1 E.1): guard bits + exponent - 1.
    if (qcd_length == 3 + subbands || qcd_length == 3 + 2 * subbands) {
        unsigned guard = qcd[2] >> 5;
        for (size_t b = 0; b < subbands; ++b) {
            unsigned exponent = qcd_style == 0 ? qcd[3 + b] >> 3 : qcd[3 + 2 * b] >> 3;
            g.kmax.push_back(guard + exponent > 0 ? guard + exponent - 1 : 0);
        }
    }
    // Tile-parts: each SOT's Psot must fit; the stream must end with EOC (DICOM may pad one zero byte). A single
    // tile's data is gathered for the packet check.
    std::vector<uint8_t> tile_data;
    for (;;) {
        if (pos + 2 > n) {
            throw std::runtime_error("the codestream is truncated: no EOC marker");
        }
        unsigned marker = read16(in + pos);
        if (marker == 0xFFD9) {
            size_t rest = n - pos - 2;
            if (rest > 1 || (rest == 1 && in[n - 1] != 0)) {
                throw std::runtime_error("data follows the EOC marker");
            }
            if (tiles == 1) {
                map.resolution_ends = check_packets(g, tile_data);
            }
            break;
        }
        if (marker != 0xFF90 || pos + 12 > n || read16(in + pos + 2) != 10) {
            throw std::runtime_error("no tile-part (SOT) where one must start, at byte " + std::to_string(pos));
        }
        unsigned tile = read16(in + pos + 4);
        if (tile >= tiles || (in[pos + 11] != 0 && in[pos + 10] >= in[pos + 11])) {
            throw std::runtime_error("a tile-part (SOT) names a tile or part that cannot be");
        }
        uint32_t psot = static_cast<uint32_t>(in[pos + 6]) << 24 | static_cast<uint32_t>(in[pos + 7]) << 16
                | static_cast<uint32_t>(in[pos + 8]) << 8 | in[pos + 9];
        if (psot == 0) {
            // Psot 0: the last tile-part runs to EOC.
            if (n < 2 || n - pos < 14) {
                throw std::runtime_error("the codestream is truncated inside the last tile-part");
            }
            size_t end = n - 2;
            if (read16(in + end) != 0xFFD9 && n >= 3 && in[n - 1] == 0) {
                end = n - 3;
            }
            if (read16(in + end) != 0xFFD9) {
                throw std::runtime_error("the codestream is truncated: no EOC marker");
            }
            size_t start = check_tile_part_header(in, pos + 12, end);
            map.sot.push_back(pos);
            map.data_start.push_back(start);
            map.end.push_back(end);
            if (tiles == 1) {
                tile_data.insert(tile_data.end(), in + start, in + end);
                map.resolution_ends = check_packets(g, tile_data);
            }
            break;
        }
        if (psot < 14 || pos + psot > n) {
            throw std::runtime_error("the codestream is truncated: a tile-part runs past the end of the data");
        }
        size_t start = check_tile_part_header(in, pos + 12, pos + psot);
        map.sot.push_back(pos);
        map.data_start.push_back(start);
        map.end.push_back(pos + psot);
        if (tiles == 1) {
            tile_data.insert(tile_data.end(), in + start, in + pos + psot);
        }
        pos += psot;
    }
    map.data_bytes = tile_data.size();
    map.levels = g.levels;
    map.progression = g.progression;
    return map;
}

void put16(std::vector<uint8_t>& out, unsigned v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
    put16(out, v >> 16);
    put16(out, v & 0xFFFF);
}

// PS3.5 10.18 asks of HTJ2K Lossless RPCL (.202): RPCL progression, and TLM marker segments "to find the resolution
// breakpoints". OpenJPH 0.9 writes neither TLM nor tile-parts, so its single-tile RPCL codestream is rewritten here:
// one tile-part per resolution (cut where the packet walk of check_markers says each resolution's packets end) and a
// TLM marker segment at the end of the main header giving each tile-part's length (ISO 15444-1 A.7.1: Ztlm 0, Stlm
// with ST = 2 (16-bit Ttlm, the tile index) and SP = 1 (32-bit Ptlm)). The result is checked again before it is
// returned.
std::vector<uint8_t> rpcl_tile_parts(const uint8_t* in, size_t n) {
    stream_map map = check_markers(in, n);
    size_t parts = static_cast<size_t>(map.levels) + 1;
    if (map.progression != 2 || map.sot.size() != 1 || map.data_start[0] != map.sot[0] + 14
            || map.resolution_ends.size() != parts || map.resolution_ends.back() != map.data_bytes || parts > 255) {
        throw std::runtime_error("the encoder's codestream is not one RPCL tile of one tile-part that this shim can "
                "split by resolution");
    }
    std::vector<uint8_t> out(in, in + map.main_end);
    size_t tlm = 4 + 6 * parts;
    if (tlm > 65535) {
        throw std::runtime_error("too many tile-parts for one TLM marker segment");
    }
    put16(out, 0xFF55);
    put16(out, static_cast<unsigned>(tlm));
    out.push_back(0);     // Ztlm
    out.push_back(0x60);  // Stlm: ST = 2, SP = 1
    size_t from = 0;
    for (size_t r = 0; r < parts; ++r) {
        put16(out, 0);    // Ttlm: the only tile
        put32(out, static_cast<uint32_t>(14 + map.resolution_ends[r] - from));
        from = map.resolution_ends[r];
    }
    const uint8_t* data = in + map.data_start[0];
    from = 0;
    for (size_t r = 0; r < parts; ++r) {
        size_t bytes = map.resolution_ends[r] - from;
        put16(out, 0xFF90);                                       // SOT
        put16(out, 10);                                           // Lsot
        put16(out, 0);                                            // Isot
        put32(out, static_cast<uint32_t>(14 + bytes));            // Psot
        out.push_back(static_cast<uint8_t>(r));                   // TPsot
        out.push_back(static_cast<uint8_t>(parts));               // TNsot
        put16(out, 0xFF93);                                       // SOD
        out.insert(out.end(), data + from, data + from + bytes);
        from = map.resolution_ends[r];
    }
    put16(out, 0xFFD9);
    stream_map again = check_markers(out.data(), out.size());
    if (again.sot.size() != parts || again.data_bytes != map.data_bytes) {
        throw std::runtime_error("the codestream split into tile-parts does not read back");
    }
    return out;
}

header read_header(ojph::codestream& cs, ojph::mem_infile& file, const uint8_t* in, size_t n) {
    check_markers(in, n);
    file.open(in, n);
    cs.read_headers(&file);
    ojph::param_siz siz = cs.access_siz();
    header h{};
    ojph::point extent = siz.get_image_extent();
    ojph::point offset = siz.get_image_offset();
    if (extent.x <= offset.x || extent.y <= offset.y) {
        throw std::runtime_error("the image is empty");
    }
    h.width = static_cast<int32_t>(extent.x - offset.x);
    h.height = static_cast<int32_t>(extent.y - offset.y);
    h.comps = static_cast<int32_t>(siz.get_num_components());
    if (h.comps < 1 || h.comps > 4) {
        throw std::runtime_error("DICOM images have 1, 3 or 4 components, not " + std::to_string(h.comps));
    }
    h.bitdepth = static_cast<int32_t>(siz.get_bit_depth(0));
    h.is_signed = siz.is_signed(0) ? 1 : 0;
    for (ojph::ui32 c = 0; c < siz.get_num_components(); ++c) {
        ojph::point d = siz.get_downsampling(c);
        if (d.x != 1 || d.y != 1) {
            throw std::runtime_error("subsampled components are not supported");
        }
        if (static_cast<int32_t>(siz.get_bit_depth(c)) != h.bitdepth || (siz.is_signed(c) ? 1 : 0) != h.is_signed) {
            throw std::runtime_error("components of different bit depths are not supported");
        }
    }
    if (h.bitdepth < 1 || h.bitdepth > 16) {
        throw std::runtime_error("samples of " + std::to_string(h.bitdepth) + " bits are not supported (1 to 16)");
    }
    ojph::param_cod cod = cs.access_cod();
    h.colour_transform = cod.is_using_color_transform() ? 1 : 0;
    h.reversible = cod.is_reversible() ? 1 : 0;
    return h;
}

} // namespace

extern "C" {

// Reads the main header. info receives width, height, components, bit depth, signed, colour transform, reversible.
// Returns 0, or -1 with a message in err.
int lb_ojph_header(const uint8_t* in, size_t n, int32_t* info, char* err, size_t err_cap) {
    try {
        install_handlers();
        ojph::codestream cs;
        ojph::mem_infile file;
        header h = read_header(cs, file, in, n);
        info[0] = h.width;
        info[1] = h.height;
        info[2] = h.comps;
        info[3] = h.bitdepth;
        info[4] = h.is_signed;
        info[5] = h.colour_transform;
        info[6] = h.reversible;
        return 0;
    } catch (const std::exception& e) {
        report(err, err_cap, e.what());
    } catch (const char* e) {
        // Some OpenJPH code throws bare string literals.
        report(err, err_cap, e);
    } catch (...) {
        report(err, err_cap, "unknown error");
    }
    return -1;
}

// Decodes a whole codestream to interleaved little-endian samples of sample_bytes (1 or 2) bytes each; signed samples
// are sign-extended to that width, values outside the bit depth (lossy) are clamped.
int lb_ojph_decode(const uint8_t* in, size_t n, int32_t sample_bytes, uint8_t* out, size_t out_cap, char* err,
        size_t err_cap) {
    try {
        install_handlers();
        ojph::codestream cs;
        ojph::mem_infile file;
        header h = read_header(cs, file, in, n);
        if (sample_bytes != 1 && sample_bytes != 2) {
            throw std::runtime_error("samples must take 1 or 2 bytes");
        }
        if (sample_bytes == 1 && h.bitdepth > 8) {
            throw std::runtime_error(std::to_string(h.bitdepth) + "-bit samples do not fit in one byte");
        }
        size_t need = static_cast<size_t>(h.width) * static_cast<size_t>(h.height) * static_cast<size_t>(h.comps)
                * static_cast<size_t>(sample_bytes);
        if (need > out_cap) {
            throw std::runtime_error("the output buffer is too small");
        }
        int32_t lo = h.is_signed ? -(1 << (h.bitdepth - 1)) : 0;
        int32_t hi = h.is_signed ? (1 << (h.bitdepth - 1)) - 1 : (1 << h.bitdepth) - 1;
        cs.set_planar(false);
        cs.create();
        size_t stride = static_cast<size_t>(h.comps) * static_cast<size_t>(sample_bytes);
        for (int32_t y = 0; y < h.height; ++y) {
            uint8_t* row = out + static_cast<size_t>(y) * static_cast<size_t>(h.width) * stride;
            for (int32_t c = 0; c < h.comps; ++c) {
                ojph::ui32 comp = 0;
                ojph::line_buf* line = cs.pull(comp);
                if (line == nullptr || comp >= static_cast<ojph::ui32>(h.comps)
                        || line->size < static_cast<size_t>(h.width)) {
                    throw std::runtime_error("the decoder returned no line");
                }
                const ojph::si32* src = line->i32;
                uint8_t* dst = row + static_cast<size_t>(comp) * static_cast<size_t>(sample_bytes);
                for (int32_t x = 0; x < h.width; ++x, dst += stride) {
                    int32_t v = src[x] < lo ? lo : src[x] > hi ? hi : src[x];
                    dst[0] = static_cast<uint8_t>(v);
                    if (sample_bytes == 2) {
                        dst[1] = static_cast<uint8_t>(v >> 8);
                    }
                }
            }
        }
        cs.close();
        return 0;
    } catch (const std::exception& e) {
        report(err, err_cap, e.what());
    } catch (const char* e) {
        // Some OpenJPH code throws bare string literals.
        report(err, err_cap, e);
    } catch (...) {
        report(err, err_cap, "unknown error");
    }
    return -1;
}

// Encodes interleaved little-endian samples (sample_bytes 1 or 2) of bitdepth bits. Only the low bitdepth bits of
// each sample count; signed samples are sign-extended from bit bitdepth - 1. reversible selects the 5/3 wavelet
// (lossless); otherwise the 9/7 wavelet with quantization step quality_step. Three components use the colour
// transform. progression is "RPCL", "LRCP", ... With thumbnail_parts (for HTJ2K Lossless RPCL, PS3.5 10.18, which
// needs progression "RPCL"), there are enough decomposition levels for the lowest resolution to be at most 64 samples
// wide or high, one tile-part per resolution and a TLM marker segment. On success *out holds a buffer to release
// with lb_ojph_free.
int lb_ojph_encode(const uint8_t* pixels, int32_t width, int32_t height, int32_t comps, int32_t sample_bytes,
        int32_t bitdepth, int32_t is_signed, int32_t reversible, float quality_step, const char* progression,
        int32_t thumbnail_parts, uint8_t** out, size_t* out_n, char* err, size_t err_cap) {
    *out = nullptr;
    *out_n = 0;
    try {
        install_handlers();
        if (width < 1 || height < 1 || (comps != 1 && comps != 3) || (sample_bytes != 1 && sample_bytes != 2)
                || bitdepth < 1 || bitdepth > 8 * sample_bytes) {
            throw std::runtime_error("unsupported image: " + std::to_string(comps) + " components of "
                    + std::to_string(bitdepth) + " bits in " + std::to_string(sample_bytes) + " bytes");
        }
        ojph::codestream cs;
        ojph::param_siz siz = cs.access_siz();
        siz.set_image_extent(ojph::point(static_cast<ojph::ui32>(width), static_cast<ojph::ui32>(height)));
        siz.set_num_components(static_cast<ojph::ui32>(comps));
        for (int32_t c = 0; c < comps; ++c) {
            siz.set_component(static_cast<ojph::ui32>(c), ojph::point(1, 1), static_cast<ojph::ui32>(bitdepth),
                    is_signed != 0);
        }
        siz.set_image_offset(ojph::point(0, 0));
        siz.set_tile_size(ojph::size(0, 0));
        siz.set_tile_offset(ojph::point(0, 0));
        ojph::param_cod cod = cs.access_cod();
        // Five levels as usual, fewer for images too small to split that often.
        ojph::ui32 levels = 5;
        int32_t smaller = width < height ? width : height;
        int32_t larger = width < height ? height : width;
        if (thumbnail_parts != 0) {
            // PS3.5 10.18: the lowest resolution at most 64 wide or high. When the smaller side cannot be split
            // further, it is already at most 2 there.
            while (((static_cast<int64_t>(larger) + (1ll << levels) - 1) >> levels) > 64
                    && (smaller >> (levels + 1)) >= 1) {
                ++levels;
            }
        }
        while (levels > 0 && (smaller >> levels) < 1) {
            --levels;
        }
        cod.set_num_decomposition(levels);
        cod.set_block_dims(64, 64);
        cod.set_progression_order(progression != nullptr ? progression : "RPCL");
        cod.set_color_transform(comps == 3);
        cod.set_reversible(reversible != 0);
        if (reversible == 0) {
            cs.access_qcd().set_irrev_quant(quality_step);
        }
        cs.set_planar(false);
        ojph::mem_outfile file;
        file.open();
        cs.write_headers(&file);
        ojph::ui32 comp = 0;
        ojph::line_buf* line = cs.exchange(nullptr, comp);
        size_t stride = static_cast<size_t>(comps) * static_cast<size_t>(sample_bytes);
        uint32_t mask = bitdepth == 32 ? 0xFFFFFFFFu : (1u << bitdepth) - 1;
        uint32_t sign = 1u << (bitdepth - 1);
        for (int32_t y = 0; y < height; ++y) {
            const uint8_t* row = pixels + static_cast<size_t>(y) * static_cast<size_t>(width) * stride;
            for (int32_t c = 0; c < comps; ++c) {
                const uint8_t* src = row + static_cast<size_t>(comp) * static_cast<size_t>(sample_bytes);
                ojph::si32* dst = line->i32;
                for (int32_t x = 0; x < width; ++x, src += stride) {
                    uint32_t v = src[0];
                    if (sample_bytes == 2) {
                        v |= static_cast<uint32_t>(src[1]) << 8;
                    }
                    v &= mask;
                    dst[x] = is_signed != 0 && (v & sign) != 0 ? static_cast<ojph::si32>(v | ~mask)
                                                                : static_cast<ojph::si32>(v);
                }
                line = cs.exchange(line, comp);
            }
        }
        cs.flush();
        size_t size = static_cast<size_t>(file.tell());
        const uint8_t* written = static_cast<const uint8_t*>(file.get_data());
        std::vector<uint8_t> split;
        if (thumbnail_parts != 0) {
            split = rpcl_tile_parts(written, size);
            written = split.data();
            size = split.size();
        }
        uint8_t* copy = static_cast<uint8_t*>(malloc(size == 0 ? 1 : size));
        if (copy == nullptr) {
            throw std::bad_alloc();
        }
        memcpy(copy, written, size);
        cs.close();
        *out = copy;
        *out_n = size;
        return 0;
    } catch (const std::exception& e) {
        report(err, err_cap, e.what());
    } catch (const char* e) {
        // Some OpenJPH code throws bare string literals.
        report(err, err_cap, e);
    } catch (...) {
        report(err, err_cap, "unknown error");
    }
    return -1;
}

void lb_ojph_free(void* p) {
    free(p);
}

// The OpenJPH version this shim was built against, e.g. "0.9.0".
const char* lb_ojph_version(void) {
    static char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", OPENJPH_VERSION_MAJOR, OPENJPH_VERSION_MINOR,
            OPENJPH_VERSION_PATCH);
    return version;
}

} // extern "C"
