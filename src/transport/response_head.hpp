// The head of an HTTP/1.1 response, read without Beast when it is in the plain form DynamoDB
// sends: a status line, well-formed fields and a Content-Length. No I/O here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dynomite::detail {

/// What the client reads of a response head. The views point into the parsed bytes.
struct response_head {
    unsigned status = 0;
    std::uint64_t content_length = 0;
    bool keep_alive = false;
    /// Each the first of its name, empty when absent.
    std::string_view request_id;
    std::string_view date;
    bool has_crc32 = false;
    std::string_view crc32;
};

enum class head_parse {
    /// The head is complete and simple; `head_size` bytes hold it, the body follows them.
    parsed,
    /// No end of the head yet, and fewer than `max_head` bytes: read more.
    need_more,
    /// Anything else: a head without Content-Length (chunked, read to the end of the
    /// connection, or without a body by its status), a repeated Content-Length, a folded
    /// line, any byte a field may not hold, a version other than 1.0 or 1.1, a head longer
    /// than `max_head`. A general parser reads it from the start, and judges it.
    general,
};

/// Reads a response head at the start of `data`. Accepts only what Beast's parser reads the
/// same way, so that each response is understood as before, and leaves all else to it.
head_parse parse_response_head(std::string_view data, std::size_t max_head, response_head& out,
                               std::size_t& head_size) noexcept;

}  // namespace dynomite::detail
