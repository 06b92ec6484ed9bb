// Names for models: C++ type names, snake case, English plurals and DynamoDB table names.
#pragma once

#include <dynomite/core/environment.hpp>
#include <dynomite/core/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dynomite {

namespace detail {

// The compiler spells T inside this text: "... [with T = myapp::Product; ...]" for GCC,
// "... [T = myapp::Product]" for clang.
template <class T>
constexpr std::string_view function_signature() noexcept
{
    return __PRETTY_FUNCTION__;
}

/// The type named by the `T = ` entry of a function_signature<T>() text.
std::string type_name_from_signature(std::string_view signature);

}  // namespace detail

/// The type as the compiler spells it, namespaces and template arguments included:
/// "myapp::Box<int>".
template <class T>
std::string qualified_type_name_of()
{
    return detail::type_name_from_signature(detail::function_signature<T>());
}

/// The last component of a qualified name, without its template arguments: "Box" for
/// "myapp::Box<int>", "Inner" for "a::Outer<b::C>::Inner<int>", "Product" for
/// "(anonymous namespace)::Product". A leading "struct ", "class ", "enum " or "const " is
/// dropped.
std::string unqualified_type_name(std::string_view qualified);

/// The unqualified C++ name of T (GCC and clang): "Product" for myapp::Product.
template <class T>
std::string type_name_of()
{
    return unqualified_type_name(qualified_type_name_of<T>());
}

/// "ProductCategory" -> "product_category", "HTTPRequest" -> "http_request", "Post2" -> "post2",
/// "Post2Comment" -> "post2_comment". An underscore goes before an upper-case letter that
/// follows a lower-case letter or a digit, and before the last capital of an acronym followed by
/// a lower-case letter. Characters other than ASCII letters and digits become separators;
/// separators are never doubled, nor kept at either end.
std::string to_snake_case(std::string_view name);

/// The English plural of a word, or of the last word of a snake_case or CamelCase name
/// ("line_item" -> "line_items", "LineItem" -> "LineItems"), after Rails' inflections:
/// - uncountable words stay as they are (equipment, information, money, news, series, sheep...);
/// - irregulars: person -> people, man -> men, woman -> women, child -> children,
///   mouse -> mice, ox -> oxen, foot -> feet, tooth -> teeth, goose -> geese, datum -> data,
///   medium -> media, criterion -> criteria, index -> indices, matrix -> matrices,
///   vertex -> vertices, axis -> axes, quiz -> quizzes, and -o words taking -oes (hero, echo,
///   potato, tomato, veto, buffalo); compounds ending in person, child, woman or mouse follow
///   ("salesperson" -> "salespeople");
/// - f/fe -> ves only for a known list (knife, wife, life, leaf, loaf, half, calf, wolf, shelf,
///   self, elf, thief, scarf, sheaf, and compounds such as "bookshelf"); other words take -s
///   ("roof" -> "roofs", "safe" -> "safes");
/// - consonant + y -> ies ("category" -> "categories"), vowel + y -> ys ("day" -> "days");
/// - x, z, ch, sh and ss -> es; -us -> uses ("status" -> "statuses", "bus" -> "buses");
///   -sis -> ses ("analysis" -> "analyses"); other -is -> ises ("iris" -> "irises"); alias,
///   atlas, bias, canvas and gas -> es;
/// - irregular plurals ("people", "children") and any other word ending in s ("posts",
///   "categories") are taken as already plural and stay as they are; the rest take -s.
/// The case of the input is kept: "Person" -> "People", "BOX" -> "BOXES".
std::string pluralize(std::string_view word);

/// DYNOMITE_NAMESPACE: the environment variable naming the default table namespace.
inline constexpr std::string_view namespace_variable = "DYNOMITE_NAMESPACE";

struct naming_options {
    /// Put before every table name, followed by `separator`: "myapp" gives "myapp_products".
    /// When not set, DYNOMITE_NAMESPACE (read through `env`) is used if set and not empty;
    /// set it to an empty string to use no namespace whatever the environment says.
    std::optional<std::string> namespace_;
    std::string separator = "_";
    /// Where DYNOMITE_NAMESPACE is read; tests substitute their own.
    environment env;
};

/// DynamoDB's rule: 3 to 255 characters, each a letter, a digit, '_', '-' or '.'.
/// errc::invalid_argument otherwise, `why` naming the problem.
error_code validate_table_name(std::string_view name, std::string* why = nullptr);

/// The table name for a model type name: snake case, plural, and the namespace if any
/// ("Product" -> "products", or "myapp_products" in namespace "myapp";
/// "ProductCategory" -> "product_categories"). Fails with errc::invalid_argument when the result
/// is not a valid table name (validate_table_name's rules); `out` is left unchanged then.
error_code table_name_for(std::string_view type_name, const naming_options& options,
                          std::string& out, std::string* why = nullptr);

/// As above; throws dynomite::error on failure.
std::string table_name_for(std::string_view type_name, const naming_options& options = {});

/// The table name for model type T, from type_name_of<T>(); throws dynomite::error on failure.
template <class T>
std::string table_name_for(const naming_options& options = {})
{
    return table_name_for(type_name_of<T>(), options);
}

}  // namespace dynomite
