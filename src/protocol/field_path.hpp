// Where in a request or response a codec is, for error messages: "Query: Items[3].price".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dynomite::detail {

class field_path {
public:
    explicit field_path(std::string_view operation) : text_(operation), root_(operation.size()) {}

    /// Removes the segment it was made for when it goes out of scope.
    class [[nodiscard]] scope {
    public:
        scope(field_path& path, std::size_t saved) : path_(path), saved_(saved) {}
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;
        ~scope() { path_.text_.resize(saved_); }

    private:
        field_path& path_;
        std::size_t saved_;
    };

    scope at(std::string_view field)
    {
        const std::size_t saved = text_.size();
        text_ += text_.size() == root_ ? ": " : ".";
        text_ += field;
        return {*this, saved};
    }

    scope at(std::size_t index)
    {
        const std::size_t saved = text_.size();
        text_ += '[';
        text_ += std::to_string(index);
        text_ += ']';
        return {*this, saved};
    }

    const std::string& text() const noexcept { return text_; }

    /// Sets `why` (when given) to "<path>: <what>".
    void describe(std::string* why, std::string_view what) const
    {
        if (!why) return;
        why->assign(text_);
        why->append(": ");
        why->append(what);
    }

private:
    std::string text_;
    std::size_t root_;
};

}  // namespace dynomite::detail
