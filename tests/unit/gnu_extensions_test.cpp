// Built with -std=gnu++20, as CMake builds by default: there GNU's 128-bit integers count as
// std::integral, and a constructor taking any integral type would silently cut them to 64 bits.
#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/attribute_converter.hpp>

#include <gtest/gtest.h>

#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace dynomite {
namespace {

__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

static_assert(std::integral<int128> && std::integral<uint128>,
              "this file must be compiled in GNU mode to test anything");
static_assert(!std::is_constructible_v<number, int128>);
static_assert(!std::is_constructible_v<number, uint128>);
static_assert(!std::is_constructible_v<attribute_value, int128>);
static_assert(!std::is_constructible_v<attribute_value, uint128>);
static_assert(!attribute_convertible<int128>, "a model field cannot be a 128-bit integer");
static_assert(!attribute_convertible<uint128>);

TEST(gnu_extensions, sixty_four_bit_integers_keep_every_digit)
{
    EXPECT_EQ(number(std::numeric_limits<std::int64_t>::min()).text(), "-9223372036854775808");
    EXPECT_EQ(number(std::numeric_limits<std::uint64_t>::max()).text(), "18446744073709551615");
    EXPECT_EQ(to_attribute(std::numeric_limits<std::int64_t>::max()),
              attribute_value(number("9223372036854775807")));
    std::uint64_t read = 0;
    EXPECT_FALSE(from_attribute(attribute_value(number("18446744073709551615")), read));
    EXPECT_EQ(read, std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace dynomite
