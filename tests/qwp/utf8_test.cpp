// The strict UTF-8 validator shared by the QWP encoder, the decoder and the ILP writer. Its
// ASCII skip works in 64-, 16- and 8-byte steps, so every case is also tried at every offset
// across those step boundaries, and a random differential test compares it with a plain
// code-point decoder.

#include "qwp/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using questdb::qwp::utf8_kind;
using questdb::qwp::Utf8Kind;
using Bytes = std::vector<std::uint8_t>;

Utf8Kind kind_of(const Bytes& b) {
    return utf8_kind(b.data(), b.size());
}

// Plain reference: decode each code point and check the RFC 3629 ranges.
Utf8Kind reference_kind(const Bytes& b) {
    Utf8Kind kind = Utf8Kind::ascii;
    std::size_t i = 0;
    while (i < b.size()) {
        const std::uint8_t c = b[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07u;
        } else {
            return Utf8Kind::invalid;
        }
        if (b.size() - i <= extra)
            return Utf8Kind::invalid;
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((b[i + k] & 0xC0) != 0x80)
                return Utf8Kind::invalid;
            cp = (cp << 6) | (b[i + k] & 0x3Fu);
        }
        const std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return Utf8Kind::invalid;
        kind = Utf8Kind::multibyte;
        i += extra + 1;
    }
    return kind;
}

// `piece` placed at `at` inside `total` bytes of ASCII.
Bytes embed(const Bytes& piece, std::size_t at, std::size_t total) {
    Bytes b(total, 'a');
    for (std::size_t k = 0; k < piece.size(); ++k)
        b[at + k] = piece[k];
    return b;
}

const std::vector<Bytes> kValidCharacters = {
    {0xC2, 0x80},              // U+0080, the first two-byte character
    {0xDF, 0xBF},              // U+07FF
    {0xE0, 0xA0, 0x80},        // U+0800, the first three-byte character
    {0xED, 0x9F, 0xBF},        // U+D7FF, just below the surrogates
    {0xEE, 0x80, 0x80},        // U+E000, just above them
    {0xEF, 0xBF, 0xBF},        // U+FFFF
    {0xF0, 0x90, 0x80, 0x80},  // U+10000, the first four-byte character
    {0xF4, 0x8F, 0xBF, 0xBF},  // U+10FFFF, the last code point
};

const std::vector<Bytes> kInvalidSequences = {
    {0x80},                    // a continuation byte with no lead
    {0xBF},                    //
    {0xC0, 0x80},              // overlong NUL
    {0xC1, 0xBF},              // overlong U+007F
    {0xE0, 0x80, 0x80},        // overlong three-byte
    {0xE0, 0x9F, 0xBF},        //
    {0xED, 0xA0, 0x80},        // U+D800, a surrogate
    {0xED, 0xBF, 0xBF},        // U+DFFF
    {0xF0, 0x80, 0x80, 0x80},  // overlong four-byte
    {0xF0, 0x8F, 0xBF, 0xBF},  //
    {0xF4, 0x90, 0x80, 0x80},  // U+110000
    {0xF5, 0x80, 0x80, 0x80},  // a lead byte no character uses
    {0xFF},                    //
    {0xC3, 0x28},              // a lead followed by ASCII
    {0xE2, 0x28, 0xA1},        //
    {0xE2, 0x82, 0x28},        //
    {0xF0, 0x9F, 0x98, 0x28},  //
};

TEST(Utf8, EmptyAndAsciiOfEveryLengthAreAscii) {
    for (std::size_t n = 0; n <= 200; ++n) {
        Bytes b(n);
        for (std::size_t k = 0; k < n; ++k)
            b[k] = static_cast<std::uint8_t>(k % 128);  // NUL and controls are ASCII too
        EXPECT_EQ(kind_of(b), Utf8Kind::ascii) << n;
    }
}

// Each piece inside ASCII text of several lengths (the piece alone, and across the 16- and
// 64-byte steps of the ASCII skip), at every offset, must classify as `expected`.
void expect_at_every_offset(const std::vector<Bytes>& pieces, Utf8Kind expected) {
    for (const auto& piece : pieces) {
        for (const std::size_t total :
             {piece.size(), std::size_t{17}, std::size_t{80}, std::size_t{150}}) {
            for (std::size_t at = 0; at + piece.size() <= total; ++at) {
                EXPECT_EQ(kind_of(embed(piece, at, total)), expected)
                    << "at " << at << " of " << total;
            }
        }
    }
}

TEST(Utf8, EveryValidBoundaryCharacterIsFoundAtEveryOffset) {
    expect_at_every_offset(kValidCharacters, Utf8Kind::multibyte);
}

TEST(Utf8, EveryInvalidSequenceIsRejectedAtEveryOffset) {
    expect_at_every_offset(kInvalidSequences, Utf8Kind::invalid);
}

TEST(Utf8, ACharacterCutByTheEndIsRejected) {
    for (const auto& ch : kValidCharacters) {
        for (std::size_t keep = 1; keep < ch.size(); ++keep) {
            for (const std::size_t total : {std::size_t{16}, std::size_t{64}, std::size_t{129}}) {
                const Bytes cut(ch.begin(), ch.begin() + static_cast<std::ptrdiff_t>(keep));
                EXPECT_EQ(kind_of(embed(cut, total - keep, total)), Utf8Kind::invalid)
                    << keep << " of " << ch.size() << " bytes, total " << total;
            }
        }
    }
}

TEST(Utf8, AgreesWithAPlainDecoderOnRandomText) {
    std::mt19937 rng(20261207);
    std::uniform_int_distribution<int> pick(0, 99);
    std::uniform_int_distribution<int> any_byte(0, 255);
    std::uniform_int_distribution<std::size_t> length(0, 300);
    std::size_t counts[3] = {};
    for (int round = 0; round < 20'000; ++round) {
        Bytes b;
        const std::size_t n = length(rng);
        // Mostly ASCII runs with valid characters between them and, now and then, a random
        // byte: the mix real text columns have, plus damage anywhere.
        const int damage_per_mille = round % 3 == 0 ? 0 : 5;
        while (b.size() < n) {
            const int p = pick(rng);
            if (p < 85) {
                b.push_back(static_cast<std::uint8_t>(any_byte(rng) & 0x7F));
            } else if (p < 99 || damage_per_mille == 0) {
                const auto& ch = kValidCharacters[static_cast<std::size_t>(any_byte(rng)) %
                                                  kValidCharacters.size()];
                b.insert(b.end(), ch.begin(), ch.end());
            } else {
                b.push_back(static_cast<std::uint8_t>(any_byte(rng)));
            }
        }
        const Utf8Kind expected = reference_kind(b);
        ASSERT_EQ(kind_of(b), expected) << "round " << round;
        ++counts[static_cast<int>(expected)];
    }
    // The generator must reach all three outcomes for the comparison to mean anything.
    EXPECT_GT(counts[0], 100u);
    EXPECT_GT(counts[1], 1000u);
    EXPECT_GT(counts[2], 1000u);
}

}  // namespace
