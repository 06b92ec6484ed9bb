// Model naming: C++ type names, snake case, plurals and table names.
#include <dynomite/core/diagnostics.hpp>
#include <dynomite/core/naming.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace naming_test {

struct Product {};
struct LineItem {};
template <class T>
struct Box {
};
template <class T>
struct Outer {
    struct Inner {};
};
enum class Status { active };

}  // namespace naming_test

namespace {

struct Hidden {};

}  // namespace

namespace dynomite {
namespace {

TEST(type_name_of, strips_namespaces_and_template_arguments)
{
    EXPECT_EQ(type_name_of<naming_test::Product>(), "Product");
    EXPECT_EQ(type_name_of<naming_test::Box<naming_test::Product>>(), "Box");
    EXPECT_EQ(type_name_of<naming_test::Outer<naming_test::Box<int>>::Inner>(), "Inner");
    EXPECT_EQ(type_name_of<naming_test::Status>(), "Status");
    EXPECT_EQ(type_name_of<Hidden>(), "Hidden");
    EXPECT_EQ(type_name_of<int>(), "int");
    EXPECT_EQ(type_name_of<unsigned int>(), "unsigned int");
    struct Local {};
    EXPECT_EQ(type_name_of<Local>(), "Local");
}

TEST(type_name_of, qualified_names_keep_everything)
{
    EXPECT_EQ(qualified_type_name_of<naming_test::Box<int>>(), "naming_test::Box<int>");
    EXPECT_EQ(qualified_type_name_of<naming_test::Product>(), "naming_test::Product");
    const std::string array = qualified_type_name_of<int[3]>();
    EXPECT_TRUE(array == "int [3]" || array == "int[3]") << array;
}

TEST(type_name_of, reads_gcc_and_clang_signatures)
{
    EXPECT_EQ(detail::type_name_from_signature(
                  "constexpr std::string_view dynomite::detail::function_signature() [with T = "
                  "a::Box<std::pair<int, b::C> >; std::string_view = "
                  "std::basic_string_view<char>]"),
              "a::Box<std::pair<int, b::C> >");
    EXPECT_EQ(detail::type_name_from_signature(
                  "std::string_view dynomite::detail::function_signature() [T = a::Product]"),
              "a::Product");
    EXPECT_EQ(detail::type_name_from_signature("f() [with T = int [3]; U = x]"), "int [3]");
    // Without a "T = " entry there is nothing to extract: the text comes back as it is.
    EXPECT_EQ(detail::type_name_from_signature("void f()"), "void f()");
}

TEST(unqualified_type_name, handles_the_spellings_of_both_compilers)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Product", "Product"},
        {"myapp::Product", "Product"},
        {"myapp::models::Product", "Product"},
        {"myapp::Box<other::Thing>", "Box"},
        {"a::Outer<b::C>::Inner<d::E>", "Inner"},
        {"(anonymous namespace)::Product", "Product"},
        {"{anonymous}::Product", "Product"},
        {"run()::Local", "Local"},
        {"struct a::Product", "Product"},
        {"class a::Product", "Product"},
        {"const enum a::Status", "Status"},
        {"  a::Spaced  ", "Spaced"},
        {"f()::<lambda()>", "<lambda()>"},
        {"", ""},
    };
    for (const auto& [qualified, expected] : cases) {
        EXPECT_EQ(unqualified_type_name(qualified), expected) << qualified;
    }
}

TEST(to_snake_case, splits_words)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Product", "product"},
        {"ProductCategory", "product_category"},
        {"HTTPRequest", "http_request"},
        {"Post2", "post2"},
        {"Post2Comment", "post2_comment"},
        {"getHTTP2Response", "get_http2_response"},
        {"ABC", "abc"},
        {"A", "a"},
        {"already_snake", "already_snake"},
        {"Product_Category", "product_category"},
        {"  Product  Category ", "product_category"},
        {"line-item", "line_item"},
        {"__Private", "private"},
        {"X1Y2", "x1_y2"},
        {"", ""},
        {"::", ""},
    };
    for (const auto& [name, expected] : cases) {
        EXPECT_EQ(to_snake_case(name), expected) << name;
    }
}

TEST(pluralize, follows_english_rules)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        // Regular.
        {"product", "products"},
        {"user", "users"},
        {"photo", "photos"},
        {"roof", "roofs"},
        {"safe", "safes"},
        {"chief", "chiefs"},
        // -y.
        {"category", "categories"},
        {"city", "cities"},
        {"day", "days"},
        {"key", "keys"},
        {"toy", "toys"},
        {"guy", "guys"},
        {"soliloquy", "soliloquies"},
        {"y", "ies"},
        // Sibilants.
        {"box", "boxes"},
        {"buzz", "buzzes"},
        {"church", "churches"},
        {"dish", "dishes"},
        {"class", "classes"},
        {"address", "addresses"},
        // -us, -is.
        {"status", "statuses"},
        {"bus", "buses"},
        {"campus", "campuses"},
        {"analysis", "analyses"},
        {"basis", "bases"},
        {"iris", "irises"},
        // Already plural.
        {"posts", "posts"},
        {"categories", "categories"},
        {"statuses", "statuses"},
        {"people", "people"},
        {"children", "children"},
        {"men", "men"},
        {"data", "data"},
        {"mice", "mice"},
        // Uncountable.
        {"equipment", "equipment"},
        {"information", "information"},
        {"news", "news"},
        {"series", "series"},
        {"sheep", "sheep"},
        {"money", "money"},
        {"metadata", "metadata"},
        // Irregular.
        {"person", "people"},
        {"man", "men"},
        {"woman", "women"},
        {"child", "children"},
        {"mouse", "mice"},
        {"ox", "oxen"},
        {"foot", "feet"},
        {"tooth", "teeth"},
        {"goose", "geese"},
        {"datum", "data"},
        {"medium", "media"},
        {"criterion", "criteria"},
        {"index", "indices"},
        {"matrix", "matrices"},
        {"vertex", "vertices"},
        {"axis", "axes"},
        {"quiz", "quizzes"},
        {"hero", "heroes"},
        {"potato", "potatoes"},
        {"alias", "aliases"},
        {"gas", "gases"},
        // Compounds of irregulars, where safe.
        {"salesperson", "salespeople"},
        {"grandchild", "grandchildren"},
        {"chairwoman", "chairwomen"},
        {"human", "humans"},
        {"german", "germans"},
        {"box", "boxes"},
        {"salespeople", "salespeople"},
        // f/fe words from the known list.
        {"knife", "knives"},
        {"wife", "wives"},
        {"midwife", "midwives"},
        {"life", "lives"},
        {"leaf", "leaves"},
        {"half", "halves"},
        {"wolf", "wolves"},
        {"shelf", "shelves"},
        {"bookshelf", "bookshelves"},
        {"thief", "thieves"},
        {"behalf", "behalfs"},
        // Names of several words.
        {"line_item", "line_items"},
        {"sales_person", "sales_people"},
        {"order_status", "order_statuses"},
        {"LineItem", "LineItems"},
        {"SalesPerson", "SalesPeople"},
        {"HTTPRequest", "HTTPRequests"},
        {"HTTPPerson", "HTTPPeople"},
        {"post2", "post2s"},
        {"v2_", "v2_s"},
        // Case.
        {"Person", "People"},
        {"PERSON", "PEOPLE"},
        {"BOX", "BOXES"},
        {"Category", "Categories"},
        {"CITY", "CITIES"},
        {"ITEM2", "ITEM2S"},
        {"", ""},
    };
    for (const auto& [word, expected] : cases) {
        EXPECT_EQ(pluralize(word), expected) << word;
    }
}

TEST(validate_table_name, applies_dynamodb_rules)
{
    EXPECT_FALSE(validate_table_name("abc"));
    EXPECT_FALSE(validate_table_name("My_Table-1.v2"));
    EXPECT_FALSE(validate_table_name(std::string(255, 'a')));

    std::string why;
    EXPECT_EQ(validate_table_name("ab", &why), errc::invalid_argument);
    EXPECT_EQ(why, "table name \"ab\" is too short: 2 characters, DynamoDB requires 3 to 255");

    EXPECT_EQ(validate_table_name(std::string(256, 'a'), &why), errc::invalid_argument);
    EXPECT_EQ(why, "table name \"" + std::string(64, 'a') +
                       "...\" is too long: 256 characters, DynamoDB requires 3 to 255");

    EXPECT_EQ(validate_table_name("my table", &why), errc::invalid_argument);
    EXPECT_EQ(why,
              "table name \"my table\" has ' ' at offset 2; only letters, digits, '_', '-' and "
              "'.' are allowed");

    EXPECT_EQ(validate_table_name(std::string("ab\x01", 3), &why), errc::invalid_argument);
    EXPECT_EQ(why,
              "table name \"ab?\" has byte 0x01 at offset 2; only letters, digits, '_', '-' and "
              "'.' are allowed");

    EXPECT_EQ(validate_table_name("caf\xc3\xa9", &why), errc::invalid_argument);
    EXPECT_EQ(why,
              "table name \"caf??\" has byte 0xc3 at offset 3; only letters, digits, '_', '-' "
              "and '.' are allowed");
    EXPECT_EQ(validate_table_name("a/b"), errc::invalid_argument);
}

naming_options with_environment(std::map<std::string, std::string, std::less<>> variables)
{
    naming_options options;
    options.env = environment::from_map(std::move(variables));
    return options;
}

TEST(table_name_for, makes_plural_snake_case_names)
{
    const naming_options options = with_environment({});
    EXPECT_EQ(table_name_for("Product", options), "products");
    EXPECT_EQ(table_name_for("ProductCategory", options), "product_categories");
    EXPECT_EQ(table_name_for("Person", options), "people");
    EXPECT_EQ(table_name_for("HTTPRequest", options), "http_requests");
    EXPECT_EQ(table_name_for("OrderStatus", options), "order_statuses");
    EXPECT_EQ(table_name_for("Ox", options), "oxen");
    EXPECT_EQ(table_name_for<naming_test::LineItem>(options), "line_items");
    EXPECT_EQ(table_name_for<naming_test::Box<int>>(options), "boxes");
}

TEST(table_name_for, adds_the_namespace)
{
    naming_options options = with_environment({});
    options.namespace_ = "myapp";
    EXPECT_EQ(table_name_for("Product", options), "myapp_products");
    options.separator = "-";
    EXPECT_EQ(table_name_for("Product", options), "myapp-products");
    options.separator = ".";
    EXPECT_EQ(table_name_for("LineItem", options), "myapp.line_items");
    options.separator = "";
    EXPECT_EQ(table_name_for("Product", options), "myappproducts");
}

TEST(table_name_for, reads_the_namespace_from_the_environment)
{
    naming_options options = with_environment({{"DYNOMITE_NAMESPACE", "staging"}});
    EXPECT_EQ(table_name_for("Product", options), "staging_products");
    // An explicit namespace wins, even an empty one.
    options.namespace_ = "prod";
    EXPECT_EQ(table_name_for("Product", options), "prod_products");
    options.namespace_ = "";
    EXPECT_EQ(table_name_for("Product", options), "products");
    // Empty means unset.
    EXPECT_EQ(table_name_for("Product", with_environment({{"DYNOMITE_NAMESPACE", ""}})),
              "products");
    // Without any environment lookup.
    naming_options no_lookup;
    no_lookup.env.get = nullptr;
    EXPECT_EQ(table_name_for("Product", no_lookup), "products");
}

TEST(table_name_for, explains_invalid_names)
{
    naming_options options = with_environment({{"DYNOMITE_NAMESPACE", "my app"}});
    std::string out = "unchanged";
    std::string why;
    EXPECT_EQ(table_name_for("Product", options, out, &why), errc::invalid_argument);
    EXPECT_EQ(out, "unchanged");
    EXPECT_EQ(why,
              "table name \"my app_products\" has ' ' at offset 2; only letters, digits, '_', "
              "'-' and '.' are allowed (made from type name \"Product\" in namespace \"my app\")");

    options = with_environment({});
    EXPECT_EQ(table_name_for("A", options, out, &why), errc::invalid_argument);
    EXPECT_EQ(why,
              "table name \"as\" is too short: 2 characters, DynamoDB requires 3 to 255 (made "
              "from type name \"A\")");

    EXPECT_EQ(table_name_for("::", options, out, &why), errc::invalid_argument);
    EXPECT_EQ(why, "type name \"::\" has no letter or digit to name a table");
    EXPECT_EQ(table_name_for("", options, out), errc::invalid_argument);

    options.namespace_ = std::string(250, 'n');
    EXPECT_EQ(table_name_for("Product", options, out, &why), errc::invalid_argument);
    EXPECT_NE(why.find("is too long: 259 characters"), std::string::npos) << why;
}

TEST(table_name_for, the_throwing_form_throws_with_the_explanation)
{
    try {
        table_name_for("A", with_environment({}));
        FAIL() << "no exception";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("table name \"as\" is too short"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace dynomite
