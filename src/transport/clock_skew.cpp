#include "transport/clock_skew.hpp"

#include <array>
#include <charconv>

namespace dynomite::detail {

bool is_clock_skew_error(std::string_view aws_type, std::string_view message) noexcept
{
    if (aws_type == "RequestTimeTooSkewed" || aws_type == "RequestExpired" ||
        aws_type == "RequestInTheFuture")
        return true;
    return aws_type == "InvalidSignatureException" &&
           (message.starts_with("Signature expired") ||
            message.starts_with("Signature not yet current"));
}

namespace {

bool read_number(std::string_view text, int& out) noexcept
{
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc();
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept
{
    // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
    if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' ||
        text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
        text.substr(25) != " GMT")
        return std::nullopt;
    constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    unsigned month = 0;
    while (month < months.size() && months[month] != text.substr(8, 3)) ++month;
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (month == months.size() || !read_number(text.substr(5, 2), day) ||
        !read_number(text.substr(12, 4), year) || !read_number(text.substr(17, 2), hour) ||
        !read_number(text.substr(20, 2), minute) || !read_number(text.substr(23, 2), second))
        return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month + 1),
                                           std::chrono::day(static_cast<unsigned>(day))};
    // 60 allows a leap second, read as the next second's start.
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return std::chrono::sys_days(date) + std::chrono::hours(hour) +
           std::chrono::minutes(minute) + std::chrono::seconds(second);
}

std::chrono::seconds clock_offset(std::chrono::sys_seconds server_time,
                                  std::chrono::system_clock::time_point local_time) noexcept
{
    return std::chrono::round<std::chrono::seconds>(server_time - local_time);
}

}  // namespace dynomite::detail
