// Document paths: parsing, building and comparing.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/document_path.hpp>
#include "core/ascii.hpp"
#include "core/or_throw.hpp"
#include "core/path_text.hpp"

#include <algorithm>
#include <limits>

namespace dynomite {
namespace {

using detail::is_ascii_digit;
using detail::throw_invalid;

error_code fail_at(std::string_view text, std::size_t position, std::string_view reason,
                   std::string* why)
{
    if (why) {
        *why = "invalid document path " + detail::quoted(text) + " at position " +
               std::to_string(position) + ": " + std::string(reason);
    }
    return errc::invalid_argument;
}

std::string name_length_message(std::size_t length)
{
    return "name of " + std::to_string(length) + " bytes, longer than " +
           std::to_string(max_attribute_name_length);
}

void check_name(const std::string& name)
{
    if (name.empty()) throw_invalid("document path with an empty name");
    if (name.size() > max_attribute_name_length) {
        throw_invalid("document path " + detail::quoted(name) + ": " +
                      name_length_message(name.size()));
    }
}

}  // namespace

path_segment path_segment::of_name(std::string name)
{
    return path_segment(
        std::variant<std::string, std::size_t>(std::in_place_index<0>, std::move(name)));
}

path_segment path_segment::of_index(std::size_t index)
{
    return path_segment(std::variant<std::string, std::size_t>(std::in_place_index<1>, index));
}

const std::string& path_segment::name() const
{
    if (!is_name()) throw_invalid("path segment [" + std::to_string(index()) + "] is an index");
    return std::get<0>(v_);
}

std::size_t path_segment::index() const
{
    if (!is_index()) throw_invalid("path segment " + detail::quoted(name()) + " is a name");
    return std::get<1>(v_);
}

document_path::document_path(const char* text)
{
    if (text == nullptr) throw_invalid("document path from a null pointer");
    *this = document_path(std::string_view(text));
}

document_path::document_path(const std::string& text) : document_path(std::string_view(text)) {}

document_path::document_path(std::string_view text)
{
    std::string why;
    if (parse(text, *this, &why)) throw_invalid(std::move(why));
}

error_code document_path::parse(std::string_view text, document_path& out, std::string* why)
{
    if (text.empty()) {
        if (why) *why = "invalid document path \"\": the path is empty";
        return errc::invalid_argument;
    }
    if (text[0] == '.')
        return fail_at(text, 0, "a path starts with an attribute name, not '.'", why);
    if (text[0] == '[')
        return fail_at(text, 0, "a path starts with an attribute name, not a list index", why);

    std::vector<path_segment> segments;
    const std::size_t n = text.size();
    std::size_t i = 0;
    for (;;) {
        const std::size_t start = i;
        while (i < n && text[i] != '.' && text[i] != '[' && text[i] != ']') ++i;
        if (i == start) {
            if (i < n && text[i] == ']') return fail_at(text, i, "']' without a matching '['", why);
            return fail_at(text, start, "empty name after '.'", why);
        }
        if (i - start > max_attribute_name_length)
            return fail_at(text, start, name_length_message(i - start), why);
        segments.push_back(path_segment::of_name(std::string(text.substr(start, i - start))));

        while (i < n && text[i] == '[') {
            const std::size_t open = i;
            const std::size_t close = text.find(']', open);
            if (close == std::string_view::npos) return fail_at(text, open, "unclosed '['", why);
            if (close == open + 1) return fail_at(text, open, "empty list index", why);
            std::size_t index = 0;
            for (std::size_t k = open + 1; k < close; ++k) {
                if (!is_ascii_digit(text[k]))
                    return fail_at(text, k, "a list index is a decimal number", why);
                const auto digit = static_cast<std::size_t>(text[k] - '0');
                if (index > (std::numeric_limits<std::size_t>::max() - digit) / 10)
                    return fail_at(text, open + 1, "list index too large", why);
                index = index * 10 + digit;
            }
            segments.push_back(path_segment::of_index(index));
            i = close + 1;
        }

        if (i == n) break;
        if (text[i] == ']') return fail_at(text, i, "']' without a matching '['", why);
        if (text[i] != '.') return fail_at(text, i, "expected '.' or '[' after ']'", why);
        ++i;
    }
    out.segments_ = std::move(segments);
    return {};
}

document_path document_path::attribute(std::string name)
{
    check_name(name);
    document_path p;
    p.segments_.push_back(path_segment::of_name(std::move(name)));
    return p;
}

document_path document_path::from_segments(std::vector<path_segment> segments)
{
    if (segments.empty()) throw_invalid("document path without segments");
    if (!segments.front().is_name()) {
        throw_invalid("document path starting with index [" +
                      std::to_string(segments.front().index()) +
                      "]; a path starts with an attribute name");
    }
    for (const path_segment& s : segments)
        if (s.is_name()) check_name(s.name());
    document_path p;
    p.segments_ = std::move(segments);
    return p;
}

document_path document_path::member(std::string name) const
{
    check_name(name);
    document_path p = *this;
    p.segments_.push_back(path_segment::of_name(std::move(name)));
    return p;
}

document_path document_path::element(std::size_t index) const
{
    if (empty()) throw_invalid("list index [" + std::to_string(index) + "] on the empty path");
    document_path p = *this;
    p.segments_.push_back(path_segment::of_index(index));
    return p;
}

const std::string& document_path::attribute_name() const
{
    if (empty()) throw_invalid("the empty document path has no attribute name");
    return segments_.front().name();
}

document_path document_path::up_to_first_index() const
{
    const auto index = std::find_if(segments_.begin(), segments_.end(),
                                    [](const path_segment& s) { return !s.is_name(); });
    document_path p;
    p.segments_.assign(segments_.begin(), index);
    return p;
}

bool document_path::starts_with(const document_path& prefix) const noexcept
{
    if (prefix.segments_.size() > segments_.size()) return false;
    for (std::size_t i = 0; i < prefix.segments_.size(); ++i)
        if (!(segments_[i] == prefix.segments_[i])) return false;
    return true;
}

bool document_path::overlaps(const document_path& other) const noexcept
{
    return starts_with(other) || other.starts_with(*this);
}

std::string document_path::to_string() const
{
    return detail::path_text(*this,
                             [](const std::string& name) -> const std::string& { return name; });
}

}  // namespace dynomite
