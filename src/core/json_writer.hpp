// A minimal JSON writer that appends straight into a request body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// Writes JSON tokens into a caller-owned string, inserting commas itself.
/// Only produces well-formed output when calls are balanced; nesting depth is the caller's.
class json_writer {
public:
    explicit json_writer(std::string& out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    void key(std::string_view k);
    void string(std::string_view s);
    /// Writes text as a JSON number verbatim (caller guarantees it is numeric).
    void raw_number(std::string_view text);
    /// Writes a DynamoDB number's text in JSON's spelling, which DynamoDB's is looser than:
    /// ".5" as 0.5, "5." as 5, "007" as 7.
    void decimal(std::string_view number_text);
    void integer(std::int64_t v);
    void boolean(bool b);
    void null();
    /// Writes data as a base64 string, without an intermediate copy.
    void binary(std::span<const std::byte> data);

    // Shorthands for "key": value members.
    void member(std::string_view k, std::string_view s) { key(k); string(s); }
    void member(std::string_view k, const char* s) { key(k); string(s); }
    void member(std::string_view k, bool b) { key(k); boolean(b); }
    void member(std::string_view k, std::int64_t v) { key(k); integer(v); }
    void member(std::string_view k, int v) { key(k); integer(v); }

    std::string& out() noexcept { return out_; }

private:
    void separate();
    void open(char bracket);
    void close(char bracket);
    std::string& out_;
    bool need_comma_ = false;
};

/// Appends data in base64 (standard alphabet, padded).
void append_base64(std::string& out, std::span<const std::byte> data);

}  // namespace dynomite::detail
