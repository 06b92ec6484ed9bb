#include "transport/crc32.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <string_view>

namespace {

using dynomite::detail::crc32;
using dynomite::detail::crc32_update;
using dynomite::detail::crc32_update_portable;
using dynomite::detail::crc32_uses_clmul;

// Bit-at-a-time CRC-32, independent of the table-driven implementation under test.
std::uint32_t bitwise_crc32(std::string_view data)
{
    std::uint32_t crc = 0xFFFFFFFFu;
    for (const char c : data) {
        crc ^= static_cast<unsigned char>(c);
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

std::string random_bytes(std::size_t size, unsigned seed)
{
    std::mt19937 engine(seed);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(byte(engine));
    return out;
}

TEST(crc32, known_vectors)
{
    EXPECT_EQ(crc32(""), 0u);
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
    EXPECT_EQ(crc32("a"), 0xE8B7BE43u);
    EXPECT_EQ(crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
    EXPECT_EQ(crc32(std::string(1000000, 'a')), 0xDC25BFBCu);
    std::string all_bytes;
    for (int i = 0; i < 1024; ++i) all_bytes.push_back(static_cast<char>(i % 256));
    EXPECT_EQ(crc32(all_bytes), 0xB70B4C26u);
}

TEST(crc32, dynamodb_bodies)
{
    // DynamoDB sends the CRC of the body as a decimal x-amz-crc32 header.
    EXPECT_EQ(crc32("{}"), 2745614147u);
    EXPECT_EQ(crc32(R"({"TableNames":[]})"), 1315925753u);
    EXPECT_EQ(crc32(R"({"Item":{"pk":{"S":"user#1"},"n":{"N":"42"}}})"), 1385695984u);
}

TEST(crc32, empty_chunk_keeps_state)
{
    EXPECT_EQ(crc32_update(0, ""), 0u);
    EXPECT_EQ(crc32_update(0xCBF43926u, ""), 0xCBF43926u);
}

TEST(crc32, incremental_equals_one_shot_at_every_split)
{
    const std::string data = random_bytes(100, 1);
    const std::uint32_t whole = crc32(data);
    const std::string_view view = data;
    for (std::size_t split = 0; split <= data.size(); ++split) {
        EXPECT_EQ(crc32_update(crc32(view.substr(0, split)), view.substr(split)), whole)
            << "split at " << split;
    }
}

TEST(crc32, incremental_in_uneven_chunks)
{
    const std::string data = random_bytes(70000, 2);
    std::uint32_t state = 0;
    std::size_t position = 0;
    for (std::size_t chunk = 1; position < data.size(); chunk = chunk * 3 % 1021 + 1) {
        const std::string_view piece = std::string_view(data).substr(position, chunk);
        state = crc32_update(state, piece);
        position += piece.size();
    }
    EXPECT_EQ(state, crc32(data));
    EXPECT_EQ(state, bitwise_crc32(data));
}

TEST(crc32, matches_bitwise_reference_for_all_lengths_and_alignments)
{
    const std::string data = random_bytes(300, 3);
    for (std::size_t offset = 0; offset < 8; ++offset) {
        for (std::size_t length = 0; offset + length <= 200; ++length) {
            const std::string_view piece = std::string_view(data).substr(offset, length);
            ASSERT_EQ(crc32(piece), bitwise_crc32(piece))
                << "offset " << offset << ", length " << length;
        }
    }
}

// Lengths around the folded path's block sizes (16 and 64 bytes), at every alignment and from
// a non-zero state, against the tables and the bitwise reference.
TEST(crc32, folded_and_portable_paths_agree)
{
    if (!crc32_uses_clmul())
        std::cout << "[ note     ] this processor has no PCLMULQDQ: crc32_update is the portable path\n";
    const std::string data = random_bytes(70000, 5);
    for (std::size_t offset = 0; offset < 16; ++offset) {
        for (std::size_t length = 0; length <= 400; ++length) {
            const std::string_view piece = std::string_view(data).substr(offset, length);
            for (const std::uint32_t state : {0u, 0xCBF43926u}) {
                ASSERT_EQ(crc32_update(state, piece), crc32_update_portable(state, piece))
                    << "offset " << offset << ", length " << length << ", state " << state;
            }
        }
    }
    for (const std::size_t length : {4095u, 4096u, 4097u, 65536u, 69999u}) {
        const std::string_view piece = std::string_view(data).substr(1, length);
        EXPECT_EQ(crc32(piece), bitwise_crc32(piece)) << "length " << length;
        EXPECT_EQ(crc32_update_portable(0, piece), bitwise_crc32(piece)) << "length " << length;
    }
}

TEST(crc32, detects_a_single_flipped_bit)
{
    std::string data = random_bytes(4096, 4);
    const std::uint32_t original = crc32(data);
    data[1234] = static_cast<char>(data[1234] ^ 0x10);
    EXPECT_NE(crc32(data), original);
}

}  // namespace
