// Type names, snake case, English plurals and DynamoDB table names.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/naming.hpp>
#include "core/ascii.hpp"
#include "core/or_throw.hpp"
#include "core/quoting.hpp"

#include <algorithm>
#include <array>

namespace dynomite {
namespace {

using detail::ascii_lower;
using detail::ascii_upper;
using detail::is_ascii_digit;
using detail::is_ascii_letter;
using detail::is_ascii_lower;
using detail::is_ascii_upper;

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

int depth_change(char c)
{
    switch (c) {
        case '<':
        case '(':
        case '[':
        case '{':
            return 1;
        case '>':
        case ')':
        case ']':
        case '}':
            return -1;
        default:
            return 0;
    }
}

}  // namespace

namespace detail {

std::string type_name_from_signature(std::string_view signature)
{
    const std::size_t open = signature.find('[');
    const std::size_t marker = signature.find("T = ", open == std::string_view::npos ? 0 : open);
    if (marker == std::string_view::npos) return std::string(signature);
    const std::size_t begin = marker + 4;
    int depth = 0;
    std::size_t end = begin;
    for (; end < signature.size(); ++end) {
        const char c = signature[end];
        if (depth == 0 && (c == ';' || c == ']')) break;
        depth += depth_change(c);
    }
    return std::string(trimmed(signature.substr(begin, end - begin)));
}

}  // namespace detail

std::string unqualified_type_name(std::string_view qualified)
{
    std::string_view name = trimmed(qualified);
    for (bool stripped = true; stripped;) {
        stripped = false;
        for (const std::string_view keyword :
             {"const ", "volatile ", "struct ", "class ", "enum ", "union "}) {
            if (name.substr(0, keyword.size()) == keyword) {
                name = trimmed(name.substr(keyword.size()));
                stripped = true;
            }
        }
    }
    // The last component is what follows the last "::" outside brackets.
    int depth = 0;
    std::size_t last_start = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (depth == 0 && name.substr(i, 2) == "::") {
            last_start = i + 2;
            ++i;
            continue;
        }
        depth += depth_change(name[i]);
    }
    name = name.substr(last_start);
    // Template arguments go, unless the name is nothing else ("<lambda()>").
    const std::size_t arguments = name.find('<');
    if (arguments != std::string_view::npos && arguments > 0) name = name.substr(0, arguments);
    return std::string(trimmed(name));
}

std::string to_snake_case(std::string_view name)
{
    std::string out;
    out.reserve(name.size() + 4);
    bool separate = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (!is_ascii_letter(c) && !is_ascii_digit(c)) {
            separate = true;
            continue;
        }
        if (is_ascii_upper(c) && i > 0) {
            const char previous = name[i - 1];
            const bool next_is_lower = i + 1 < name.size() && is_ascii_lower(name[i + 1]);
            if (is_ascii_lower(previous) || is_ascii_digit(previous) ||
                (is_ascii_upper(previous) && next_is_lower)) {
                separate = true;
            }
        }
        if (separate && !out.empty()) out += '_';
        separate = false;
        out += ascii_lower(c);
    }
    return out;
}

namespace {

struct irregular {
    std::string_view singular;
    std::string_view plural;
    bool in_compounds;  // also at the end of a longer word: "salesperson"
};

constexpr std::array irregulars = {
    irregular{"person", "people", true},
    irregular{"man", "men", false},
    irregular{"woman", "women", true},
    irregular{"child", "children", true},
    irregular{"mouse", "mice", true},
    irregular{"louse", "lice", false},
    irregular{"ox", "oxen", false},
    irregular{"foot", "feet", false},
    irregular{"tooth", "teeth", false},
    irregular{"goose", "geese", false},
    irregular{"datum", "data", false},
    irregular{"medium", "media", false},
    irregular{"criterion", "criteria", false},
    irregular{"index", "indices", false},
    irregular{"matrix", "matrices", false},
    irregular{"vertex", "vertices", false},
    irregular{"axis", "axes", false},
    irregular{"quiz", "quizzes", false},
    irregular{"hero", "heroes", false},
    irregular{"echo", "echoes", false},
    irregular{"potato", "potatoes", true},
    irregular{"tomato", "tomatoes", true},
    irregular{"veto", "vetoes", false},
    irregular{"buffalo", "buffaloes", false},
    irregular{"alias", "aliases", false},
    irregular{"atlas", "atlases", false},
    irregular{"bias", "biases", false},
    irregular{"canvas", "canvases", false},
    irregular{"gas", "gases", false},
    irregular{"knife", "knives", true},
    irregular{"wife", "wives", true},
    irregular{"life", "lives", false},
    irregular{"leaf", "leaves", true},
    irregular{"loaf", "loaves", true},
    irregular{"half", "halves", false},
    irregular{"calf", "calves", false},
    irregular{"wolf", "wolves", true},
    irregular{"shelf", "shelves", true},
    irregular{"self", "selves", false},
    irregular{"elf", "elves", false},
    irregular{"thief", "thieves", true},
    irregular{"scarf", "scarves", false},
    irregular{"sheaf", "sheaves", false},
};

constexpr std::array<std::string_view, 16> uncountables = {
    "equipment", "information", "rice", "money",  "species",  "series",   "fish",     "sheep",
    "deer",      "moose",       "news", "police", "metadata", "feedback", "software", "aircraft",
};

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether `form` names the whole word, or ends it when the form is allowed in compounds.
bool matches(std::string_view word, std::string_view form, bool in_compounds)
{
    return word == form || (in_compounds && ends_with(word, form));
}

bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// How to turn the last word into its plural: keep its first `keep` characters, then append.
struct inflection {
    std::size_t keep;
    std::string_view append;
};

inflection inflect(std::string_view word)
{
    const std::size_t n = word.size();
    const inflection unchanged{n, {}};
    if (std::find(uncountables.begin(), uncountables.end(), word) != uncountables.end()) {
        return unchanged;
    }
    for (const irregular& entry : irregulars) {
        if (matches(word, entry.singular, entry.in_compounds)) {
            return {n - entry.singular.size(), entry.plural};
        }
    }
    for (const irregular& entry : irregulars) {
        if (matches(word, entry.plural, entry.in_compounds)) return unchanged;
    }
    if (ends_with(word, "ss") || ends_with(word, "us")) return {n, "es"};
    if (ends_with(word, "sis")) return {n - 2, "es"};
    if (ends_with(word, "is")) return {n, "es"};
    if (ends_with(word, "s")) return unchanged;
    if (ends_with(word, "x") || ends_with(word, "z") || ends_with(word, "ch") ||
        ends_with(word, "sh")) {
        return {n, "es"};
    }
    if (ends_with(word, "y")) {
        const bool after_vowel = n >= 2 && is_vowel(word[n - 2]) && !ends_with(word, "quy");
        return after_vowel ? inflection{n, "s"} : inflection{n - 1, "ies"};
    }
    return {n, "s"};
}

// Where the last word of a snake_case or CamelCase name begins.
std::size_t last_word_start(std::string_view s)
{
    std::size_t start = s.size();
    while (start > 0 && is_ascii_letter(s[start - 1])) {
        const std::size_t i = start - 1;
        if (i > 0 && is_ascii_upper(s[i])) {
            const char previous = s[i - 1];
            const bool next_is_lower = i + 1 < s.size() && is_ascii_lower(s[i + 1]);
            if (is_ascii_lower(previous) || (is_ascii_upper(previous) && next_is_lower)) return i;
        }
        start = i;
    }
    return start;
}

}  // namespace

std::string pluralize(std::string_view word)
{
    if (word.empty()) return {};
    const std::size_t start = last_word_start(word);
    const std::string_view last = word.substr(start);
    bool all_upper = true;
    std::size_t letters = 0;
    for (const char c : word) {
        if (is_ascii_letter(c)) {
            ++letters;
            if (!is_ascii_upper(c)) all_upper = false;
        }
    }
    all_upper = all_upper && letters >= 2;
    if (last.empty()) return std::string(word) + (all_upper ? "S" : "s");

    const inflection change = inflect(lowered(last));
    std::string out(word.substr(0, start + change.keep));
    std::string appended(change.append);
    if (all_upper) {
        for (char& c : appended) c = ascii_upper(c);
    } else if (change.keep == 0 && !appended.empty() && is_ascii_upper(last.front())) {
        appended.front() = ascii_upper(appended.front());
    }
    return out + appended;
}

namespace {

constexpr std::size_t min_table_name = 3;
constexpr std::size_t max_table_name = 255;

bool is_table_name_char(char c)
{
    return is_ascii_letter(c) || is_ascii_digit(c) || c == '_' || c == '-' || c == '.';
}

std::string shown_char(char c)
{
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    constexpr char hex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    return std::string("byte 0x") + hex[byte >> 4] + hex[byte & 0xf];
}

}  // namespace

error_code validate_table_name(std::string_view name, std::string* why)
{
    const auto fail = [&](const std::string& problem) {
        if (why) *why = "table name " + detail::quoted_printable(name) + " " + problem;
        return error_code(errc::invalid_argument);
    };
    if (name.size() < min_table_name || name.size() > max_table_name) {
        return fail(std::string(name.size() < min_table_name ? "is too short" : "is too long") +
                    ": " + std::to_string(name.size()) + " characters, DynamoDB requires 3 to 255");
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!is_table_name_char(name[i])) {
            return fail("has " + shown_char(name[i]) + " at offset " + std::to_string(i) +
                        "; only letters, digits, '_', '-' and '.' are allowed");
        }
    }
    return {};
}

error_code table_name_for(std::string_view type_name, const naming_options& options,
                          std::string& out, std::string* why)
{
    const std::string snake = to_snake_case(type_name);
    if (snake.empty()) {
        if (why) {
            *why = "type name " + detail::quoted_printable(type_name) +
                   " has no letter or digit to name a table";
        }
        return errc::invalid_argument;
    }
    std::string prefix;
    if (options.namespace_) {
        prefix = *options.namespace_;
    } else if (options.env.get) {
        prefix = options.env.get(namespace_variable).value_or(std::string());
    }
    std::string name = pluralize(snake);
    if (!prefix.empty()) name = prefix + options.separator + name;
    if (error_code ec = validate_table_name(name, why)) {
        if (why) {
            *why += " (made from type name " + detail::quoted_printable(type_name);
            if (!prefix.empty()) *why += " in namespace " + detail::quoted_printable(prefix);
            *why += ")";
        }
        return ec;
    }
    out = std::move(name);
    return {};
}

std::string table_name_for(std::string_view type_name, const naming_options& options)
{
    return detail::value_or_throw<std::string>([&](std::string& out, std::string* why) {
        return table_name_for(type_name, options, out, why);
    });
}

}  // namespace dynomite
