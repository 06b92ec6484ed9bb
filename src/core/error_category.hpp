// One implementation of the library's error categories: a name and a table of messages.
#pragma once

#include <boost/system/error_category.hpp>

#include <span>
#include <string>
#include <string_view>

namespace dynomite::detail {

/// The message of one code of an error enumeration.
template <class E>
struct code_message {
    E code;
    std::string_view text;
};

/// An error category whose messages are looked up in `messages`; a value not there gets
/// `unknown`, followed by the value when `show_unknown_value`.
template <class E>
class table_error_category final : public boost::system::error_category {
public:
    table_error_category(const char* name, std::span<const code_message<E>> messages,
                         std::string_view unknown, bool show_unknown_value = false) noexcept
        : name_(name), messages_(messages), unknown_(unknown),
          show_unknown_value_(show_unknown_value)
    {
    }

    const char* name() const noexcept override { return name_; }

    std::string message(int value) const override
    {
        for (const code_message<E>& m : messages_) {
            if (static_cast<int>(m.code) == value) return std::string(m.text);
        }
        std::string out(unknown_);
        if (show_unknown_value_) out += " " + std::to_string(value);
        return out;
    }

private:
    const char* name_;
    std::span<const code_message<E>> messages_;
    std::string_view unknown_;
    bool show_unknown_value_;
};

}  // namespace dynomite::detail
