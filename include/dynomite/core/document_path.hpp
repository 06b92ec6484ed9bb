// Document paths: a top-level attribute, then map keys and list indexes ("a.b[0][1].c").
#pragma once

#include <dynomite/core/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dynomite {

/// DynamoDB's limit on the length of an attribute name or map key, in bytes.
inline constexpr std::size_t max_attribute_name_length = 65535;

/// One step of a document path: an attribute name or map key, or a list index.
class path_segment {
public:
    /// A name taken literally: dots and brackets are part of it.
    static path_segment of_name(std::string name);
    static path_segment of_index(std::size_t index);

    bool is_name() const noexcept { return v_.index() == 0; }
    bool is_index() const noexcept { return v_.index() == 1; }
    /// Throw dynomite::error(errc::invalid_argument) when the segment is of the other kind.
    const std::string& name() const;
    std::size_t index() const;

    friend bool operator==(const path_segment&, const path_segment&) = default;

private:
    explicit path_segment(std::variant<std::string, std::size_t> v) : v_(std::move(v)) {}
    std::variant<std::string, std::size_t> v_;
};

/// The path of an attribute inside an item. Every name is sent through an expression
/// attribute name placeholder, so reserved words ("size", "name") and any character other
/// than '.', '[' and ']' can appear in parsed names; names containing those three are built
/// from segments instead.
class document_path {
public:
    /// The empty path, which no expression accepts; it only exists to be assigned to.
    document_path() = default;

    /// Parse `text`; throw dynomite::error(errc::invalid_argument) when it is not a path.
    document_path(const char* text);
    document_path(std::string_view text);
    document_path(const std::string& text);

    /// Parses "name", "a.b", "tags[2]", "a.b[0][1].c". Fails with errc::invalid_argument,
    /// naming the path and the byte position, for an empty path or name, a path that does not
    /// start with a name, an unclosed '[' or a stray ']', an index that is not a decimal
    /// number or does not fit in std::size_t, text directly after ']', and a name longer
    /// than max_attribute_name_length. `out` is left unchanged on failure.
    static error_code parse(std::string_view text, document_path& out, std::string* why = nullptr);

    /// A top-level attribute whose name is taken literally ("a.b" is one name).
    static document_path attribute(std::string name);
    /// A path from its segments: the first must be a name; names must be 1 to
    /// max_attribute_name_length bytes. Throws dynomite::error(errc::invalid_argument).
    static document_path from_segments(std::vector<path_segment> segments);

    /// This path followed by map key `name` (taken literally); on the empty path, the
    /// top-level attribute `name`.
    document_path member(std::string name) const;
    /// This path followed by list index `index`; throws on the empty path.
    document_path element(std::size_t index) const;
    document_path operator[](std::size_t index) const { return element(index); }

    bool empty() const noexcept { return segments_.empty(); }
    const std::vector<path_segment>& segments() const noexcept { return segments_; }
    /// The top-level attribute's name; throws on the empty path.
    const std::string& attribute_name() const;
    /// This path up to its first list index ("a.b[2].c": "a.b"), whole without one. A
    /// projection reads list elements packed from index 0 ("a[2]" of [5, 7, 9]: [9]); reading
    /// the list whole keeps each element at its index.
    document_path up_to_first_index() const;

    /// Whether `prefix`'s segments start this path (a path starts with itself).
    bool starts_with(const document_path& prefix) const noexcept;
    /// Whether one path starts the other: DynamoDB refuses such paths in one update or
    /// projection ("a" and "a.b", or twice the same path). "a[0]" and "a[1]" do not overlap.
    bool overlaps(const document_path& other) const noexcept;

    /// The dotted form, "a.b[0]", for messages (names are written as they are).
    std::string to_string() const;

    friend bool operator==(const document_path&, const document_path&) = default;

private:
    std::vector<path_segment> segments_;
};

namespace detail {
/// `text` in double quotes for a message, cut after 64 bytes (at a character boundary) with
/// "..." so that a huge key or path cannot make a huge message.
std::string quoted(std::string_view text);
}  // namespace detail

}  // namespace dynomite
