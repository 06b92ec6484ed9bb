// The model layer without a server: schemas, naming, dirty tracking, callbacks up to the write,
// JSON, single-table inheritance bookkeeping and the error category.
#include "support/fake_server.hpp"
#include "support/fake_client_config.hpp"

#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

template <class T>
T run(asio::awaitable<T> op)
{
    asio::io_context io;
    std::optional<T> result;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e) result.emplace(std::move(value));
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
}

void run(asio::awaitable<void> op)
{
    asio::io_context io;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
}

struct Product : model<Product> {
    std::string id;
    std::string category;
    std::optional<double> price;
    std::optional<int> stock_quantity;
    std::set<std::string> tags;
    std::chrono::sys_seconds created_at{};
    std::chrono::sys_seconds updated_at{};

    static void define(model_definition<Product>& s)
    {
        s.field("category", &Product::category);
        s.field("price", &Product::price).validates(presence());
        s.field("stock_quantity", &Product::stock_quantity);
        s.field("tags", &Product::tags);
        s.before_save([](Product& p) {
            if (!p.stock_quantity) p.stock_quantity = 0;
        });
    }
};

struct ProductCategory : model<ProductCategory> {
    std::string name;
    static void define(model_definition<ProductCategory>& s)
    {
        s.field("name", &ProductCategory::name);
        s.partition_key("name");
        s.no_generated_id();
    }
};

struct Archive : model<Archive> {
    std::string id;
    int revision = 7;
    static void define(model_definition<Archive>& s)
    {
        s.table_name("legacy-archive");
        s.field("revision", &Archive::revision);
        s.id_prefix("arc_");
        s.timestamps(false);
    }
};

TEST(ModelSchema, DeclaredAndConventionalFields)
{
    const auto& d = Product::class_descriptor();
    std::vector<std::string> names;
    for (const auto& f : d.fields) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"category", "price", "stock_quantity", "tags", "id",
                                               "created_at", "updated_at"}));
    EXPECT_EQ(d.type_name, "Product");
    ASSERT_TRUE(d.id_field.has_value());
    EXPECT_EQ(*d.id_field, "id");
    EXPECT_EQ(Archive::class_descriptor().find_field("created_at"), nullptr);
    EXPECT_EQ(Archive::class_descriptor().id_prefix, std::optional<std::string>("arc_"));
    EXPECT_FALSE(ProductCategory::class_descriptor().id_field.has_value());
    EXPECT_EQ(ProductCategory::class_descriptor().partition_key,
              std::optional<std::string>("name"));
}

TEST(ModelNaming, TableNamesFromTypeNamesAndNamespace)
{
    set_model_naming({});
    naming_options none;
    none.namespace_ = "";
    set_model_naming(none);
    EXPECT_EQ(Product::table_name(), "products");
    EXPECT_EQ(ProductCategory::table_name(), "product_categories");
    EXPECT_EQ(Archive::table_name(), "legacy-archive");

    naming_options ns;
    ns.namespace_ = "myapp";
    set_model_naming(ns);
    EXPECT_EQ(Product::table_name(), "myapp_products");
    ns.separator = "-";
    set_model_naming(ns);
    EXPECT_EQ(Product::table_name(), "myapp-products");
    // An explicit name ignores the namespace.
    EXPECT_EQ(Archive::table_name(), "legacy-archive");

    naming_options from_env;
    from_env.env = environment::from_map({{std::string(namespace_variable), "staging"}});
    set_model_naming(from_env);
    EXPECT_EQ(Product::table_name(), "staging_products");
    set_model_naming(none);
}

TEST(ModelNaming, TheEnvironmentIsReadOncePerNaming)
{
    auto reads = std::make_shared<int>(0);
    naming_options counted;
    counted.env.get = [reads](std::string_view) -> std::optional<std::string> {
        ++*reads;
        return "staging";
    };
    set_model_naming(counted);
    EXPECT_EQ(Product::table_name(), "staging_products");
    EXPECT_EQ(Product::table_name(), "staging_products");
    EXPECT_EQ(*reads, 1);

    // A new naming is read again, and its name replaces the one made before.
    counted.separator = "-";
    set_model_naming(counted);
    EXPECT_EQ(Product::table_name(), "staging-products");
    EXPECT_EQ(*reads, 2);
    naming_options none;
    none.namespace_ = "";
    set_model_naming(none);
    EXPECT_EQ(Product::table_name(), "products");
}

TEST(ModelNaming, SetTableNameValidates)
{
    struct Widget : model<Widget> {
        std::string id;
        static void define(model_definition<Widget>&) {}
    };
    naming_options none;
    none.namespace_ = "";
    set_model_naming(none);
    EXPECT_EQ(Widget::table_name(), "widgets");
    Widget::set_table_name("widgets-v2");
    EXPECT_EQ(Widget::table_name(), "widgets-v2");
    try {
        Widget::set_table_name("no spaces allowed");
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("Widget"), std::string::npos) << e.what();
    }
    EXPECT_EQ(Widget::table_name(), "widgets-v2");
}

struct Twice : model<Twice> {
    std::string a;
    static void define(model_definition<Twice>& s)
    {
        s.field("a", &Twice::a);
        s.field("a", &Twice::a);
    }
};

struct BadLock : model<BadLock> {
    std::string id;
    static void define(model_definition<BadLock>& s) { s.locking("lock_version"); }
};

TEST(ModelSchema, RefusesInvalidDeclarations)
{
    try {
        (void)Twice::class_descriptor();
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        EXPECT_NE(std::string(e.what()).find("field \"a\" declared twice"), std::string::npos)
            << e.what();
    }
    try {
        (void)BadLock::class_descriptor();
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        EXPECT_NE(std::string(e.what()).find("lock field \"lock_version\""), std::string::npos)
            << e.what();
    }
}

// --- Dirty tracking --------------------------------------------------------------------------

TEST(ModelDirty, NewRecordComparesWithDefaultConstructedOne)
{
    Product p;
    EXPECT_TRUE(p.new_record());
    EXPECT_FALSE(p.persisted());
    EXPECT_FALSE(p.changed());
    p.category = "books";
    p.price = 12.5;
    EXPECT_TRUE(p.changed());
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"category", "price"}));
    const auto changes = p.changes();
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].attribute, "category");
    EXPECT_FALSE(changes[0].old_value.has_value());
    EXPECT_EQ(changes[0].new_value, attribute_value("books"));
    EXPECT_EQ(changes[1].new_value, attribute_value(12.5));
    EXPECT_TRUE(p.changed(&Product::price));
    EXPECT_FALSE(p.changed(&Product::stock_quantity));

    p.restore_attributes();
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(p.category, "");
    EXPECT_FALSE(p.price.has_value());
}

TEST(ModelDirty, LoadedRecordComparesWithItsSnapshot)
{
    Product p = Product::from_item({{"id", "product-1"},
                                    {"category", "books"},
                                    {"price", 10},
                                    {"tags", string_set{{"a", "b"}}},
                                    {"legacy_rating", 4}});
    EXPECT_TRUE(p.persisted());
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(p.price, 10.0);
    EXPECT_EQ(p.tags, (std::set<std::string>{"a", "b"}));

    p.price = 11;
    p.tags.clear();
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"price", "tags"}));
    EXPECT_EQ(p.attribute_was("price"), attribute_value(10));
    EXPECT_EQ(p.attribute_was(&Product::price), std::optional<double>(10.0));
    const auto changes = p.changes();
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[1].old_value, attribute_value(string_set{{"a", "b"}}));
    EXPECT_FALSE(changes[1].new_value.has_value()) << "an empty set is not stored";

    p.restore_attribute("price");
    EXPECT_EQ(p.price, 10.0);
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"tags"}));
    p.restore_attributes();
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(p.tags, (std::set<std::string>{"a", "b"}));
}

TEST(ModelDirty, EquivalentValuesAreNotChanges)
{
    Product p = Product::from_item({{"id", "product-1"}, {"price", number("10.50")}});
    p.price = 10.5;
    EXPECT_FALSE(p.changed()) << "the snapshot holds the loaded value as the field converts it";
    EXPECT_EQ(p.attribute_was("price"), attribute_value(number("10.5")));
    p.category = "";
    EXPECT_FALSE(p.changed()) << "an empty string is not stored, as absent";
}

struct Loaded : model<Loaded> {
    std::string id;
    std::string name;
    int count = 0;
    bool active = false;
    std::optional<std::string> nickname;
    std::string note;

    static void define(model_definition<Loaded>& s)
    {
        s.field("name", &Loaded::name);
        s.field("count", &Loaded::count);
        s.field("active", &Loaded::active);
        s.field("nickname", &Loaded::nickname);
        s.field("note", &Loaded::note);
    }
};

TEST(ModelDirty, FieldsLoadedExactlyUseTheItemAsTheirSnapshot)
{
    Loaded r = Loaded::from_item({{"id", "l"},
                                  {"name", "Ann"},
                                  {"count", number("7.0")},
                                  {"active", true},
                                  {"nickname", "Annie"},
                                  {"note", ""}});
    EXPECT_FALSE(r.changed()) << r.changed_attributes().size() << " changed";
    EXPECT_EQ(r.count, 7);
    EXPECT_EQ(r.attribute_was("count"), attribute_value(7)) << "numbers compare by value";
    EXPECT_FALSE(r.attribute_changed("note")) << "an empty string reads back as absent";

    r.name = "Bob";
    r.count = 8;
    r.active = false;
    r.nickname.reset();
    r.note = "new";
    EXPECT_EQ(r.changed_attributes(),
              (std::vector<std::string>{"name", "count", "active", "nickname", "note"}));
    const auto changes = r.changes();
    ASSERT_EQ(changes.size(), 5u);
    EXPECT_EQ(changes[0].old_value, attribute_value("Ann"));
    EXPECT_EQ(changes[1].old_value, attribute_value(7));
    EXPECT_EQ(changes[2].old_value, attribute_value(true));
    EXPECT_EQ(changes[3].old_value, attribute_value("Annie"));
    EXPECT_EQ(changes[4].old_value, attribute_value("")) << "the item holds an empty string";

    r.restore_attributes();
    EXPECT_EQ(r.name, "Ann");
    EXPECT_EQ(r.count, 7);
    EXPECT_TRUE(r.active);
    EXPECT_EQ(r.nickname, std::optional<std::string>("Annie"));
    EXPECT_EQ(r.note, "");
    EXPECT_FALSE(r.changed());
}

TEST(ModelDirty, ClearingAnEmptyStringTheItemHoldsIsAChange)
{
    Loaded r = Loaded::from_item({{"id", "l"}, {"nickname", ""}, {"name", ""}});
    ASSERT_EQ(r.nickname, std::optional<std::string>(""));
    EXPECT_FALSE(r.changed()) << r.changed_attributes().size() << " changed";

    r.nickname.reset();
    EXPECT_TRUE(r.attribute_changed("nickname"));
    auto changes = r.changes();
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].attribute, "nickname");
    EXPECT_EQ(changes[0].old_value, attribute_value(""));
    EXPECT_FALSE(changes[0].new_value.has_value()) << "written as a REMOVE";
    EXPECT_EQ(r.attribute_was("nickname"), attribute_value(""));

    r.restore_attribute("nickname");
    EXPECT_EQ(r.nickname, std::optional<std::string>(""));
    EXPECT_FALSE(r.changed());

    r.name.clear();
    EXPECT_FALSE(r.changed()) << "the empty string the item holds";

    // NULL to an empty string: both are stored as nothing, but the item holds NULL.
    Loaded n = Loaded::from_item({{"id", "n"}, {"nickname", null_value{}}});
    EXPECT_FALSE(n.changed());
    n.nickname = "";
    EXPECT_EQ(n.changed_attributes(), (std::vector<std::string>{"nickname"}));
    EXPECT_EQ(n.changes().at(0).old_value, attribute_value(null_value{}));
}

TEST(ModelDirty, FieldsMissingFromTheLoadedItemKeepTheirDefaultsUnchanged)
{
    Loaded r = Loaded::from_item({{"id", "l"}, {"name", "Ann"}});
    EXPECT_EQ(r.count, 0);
    EXPECT_FALSE(r.changed()) << r.changed_attributes().size() << " changed";
    EXPECT_EQ(r.attribute_was("count"), attribute_value(0));
    r.count = 3;
    EXPECT_EQ(r.changed_attributes(), (std::vector<std::string>{"count"}));
    r.restore_attributes();
    EXPECT_EQ(r.count, 0);
}

TEST(ModelAttributes, AssigningTheEmptyValueAnItemHoldsIsNoChange)
{
    Product p = Product::from_item(
        {{"id", "product-1"}, {"mood", ""}, {"legacy_rating", null_value{}}});
    p["mood"] = "";
    p["legacy_rating"] = null_value{};
    EXPECT_FALSE(p.changed()) << p.changed_attributes().size() << " changed";
    // Another value stored as nothing is a change: a REMOVE.
    p["mood"] = null_value{};
    p["legacy_rating"] = "";
    const auto changes = p.changes();
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_FALSE(changes[0].new_value.has_value() || changes[1].new_value.has_value());
}

TEST(ModelAttributes, UndeclaredAttributesAreKept)
{
    Product p = Product::from_item(
        {{"id", "product-1"}, {"category", "books"}, {"legacy_rating", 4}, {"notes", "x"}});
    EXPECT_EQ(p.undeclared_attributes(), (attribute_map{{"legacy_rating", 4}, {"notes", "x"}}));
    p.category = "music";
    const attribute_map item = p.attributes();
    EXPECT_EQ(item.at("legacy_rating"), attribute_value(4));
    EXPECT_EQ(item.at("notes"), attribute_value("x"));
    EXPECT_EQ(item.at("category"), attribute_value("music"));
    EXPECT_EQ(p.read_attribute("notes"), attribute_value("x"));
    EXPECT_EQ(p.read_attribute("category"), attribute_value("music"));
    EXPECT_FALSE(p.read_attribute("nothing").has_value());
}

TEST(ModelAttributes, WriteAndAssignAttributes)
{
    Product p;
    p.assign_attributes({{"category", "books"}, {"price", 3}, {"stock_quantity", 9}});
    EXPECT_EQ(p.category, "books");
    EXPECT_EQ(p.price, 3.0);
    EXPECT_EQ(p.stock_quantity, 9);
    p.write_attribute("price", null_value{});
    EXPECT_FALSE(p.price.has_value());
    p.write_attribute("nope", 1);
    EXPECT_EQ(p.read_attribute("nope"), attribute_value(1)) << "an undeclared attribute is kept";
    try {
        p.write_attribute("stock_quantity", "many");
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("Product.stock_quantity"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(p.stock_quantity, 9) << "a failed assignment leaves the field unchanged";
}

struct Tally : model<Tally> {
    std::string id;
    int count = 5;
    bool open = true;
    std::string label = "x";
    std::optional<int> limit = 3;

    static void define(model_definition<Tally>& s)
    {
        s.field("count", &Tally::count);
        s.field("open", &Tally::open);
        s.field("label", &Tally::label);
        s.field("limit", &Tally::limit);
        s.timestamps(false);
    }
};

TEST(ModelAttributes, NullClearsOnlyAFieldThatCanHoldNoValue)
{
    Tally t;
    t.write_attribute("limit", null_value{});
    EXPECT_FALSE(t.limit.has_value());
    t.write_attribute("label", null_value{});
    EXPECT_EQ(t.label, "") << "an empty string is not stored: the attribute is removed";
    EXPECT_FALSE(t.attributes().contains("label"));
    const auto refused = [&](std::string_view field) {
        try {
            t.write_attribute(field, null_value{});
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(refused("count").find("Tally.count: NULL means no value, but this field always "
                                    "holds one (it would be written as 0)"),
              std::string::npos)
        << refused("count");
    EXPECT_NE(refused("open").find("(it would be written as false)"), std::string::npos);
    EXPECT_EQ(t.count, 5) << "a refused NULL leaves the field as it was";
    EXPECT_TRUE(t.open);
    EXPECT_THROW(t.assign_attributes({{"label", "y"}, {"count", null_value{}}}), error);

    std::string why;
    EXPECT_EQ(t.assign_json(R"({"count": null})", &why), errc::invalid_argument);
    EXPECT_NE(why.find("Tally.count: NULL means no value"), std::string::npos) << why;
    EXPECT_EQ(t.count, 5);
    EXPECT_FALSE(t.assign_json(R"({"limit": null, "label": null})", &why)) << why;
}

TEST(ModelAttributes, FieldNameByMember)
{
    Product p;
    EXPECT_EQ(p.field_name(&Product::stock_quantity), "stock_quantity");
    struct Other {
        int x = 0;
    };
    EXPECT_THROW((void)p.field_name(&Other::x), error);
    EXPECT_FALSE(p.attribute_changed("unknown")) << "an undeclared attribute never assigned";
    EXPECT_FALSE(p.attribute_was("unknown").has_value());
}

TEST(ModelAttributes, LoadRejectsAValueOfTheWrongType)
{
    try {
        (void)Product::from_item({{"id", "p"}, {"stock_quantity", "lots"}});
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("Product.stock_quantity"), std::string::npos)
            << e.what();
    }
}

// An item whose value its field cannot hold: the error names the model, the field, the item's
// key and the value, and keeps the converter's code.
TEST(ModelAttributes, LoadErrorsNameTheItemTheFieldAndTheValue)
{
    struct bad_case {
        attribute_map item;
        std::string field;
        std::string names;
        error_code code;
    };
    const std::vector<bad_case> cases = {
        {{{"id", "p1"}, {"stock_quantity", number("1.5")}},
         "stock_quantity",
         "Product.stock_quantity of item {id: \"p1\"} in table \"products\": cannot load 1.5: ",
         errc::number_precision_loss},
        {{{"id", "p2"}, {"price", number("98765432109876543210987654321098765432")}},
         "price",
         "Product.price of item {id: \"p2\"} in table \"products\": cannot load "
         "98765432109876543210987654321098765432: ",
         errc::number_precision_loss},
        {{{"id", "p3"}, {"category", null_value{}}},
         "category",
         "Product.category of item {id: \"p3\"} in table \"products\": cannot load NULL: ",
         errc::invalid_argument},
    };
    for (const bad_case& c : cases) {
        try {
            (void)Product::from_item(c.item);
            ADD_FAILURE() << "expected an error for " << c.field;
        } catch (const error& e) {
            EXPECT_EQ(e.code(), c.code) << e.what();
            EXPECT_EQ(e.diag().message.rfind(c.names, 0), 0u) << e.diag().message;
        }
        Product record;
        bad_item bad;
        EXPECT_FALSE(detail::load_record(record, c.item, nullptr, &bad));
        EXPECT_EQ(bad.key, (attribute_map{{"id", c.item.at("id")}}));
        EXPECT_EQ(bad.field, c.field);
        EXPECT_EQ(bad.value, c.item.at(c.field));
        EXPECT_EQ(bad.code, c.code);
        EXPECT_EQ(bad.message.rfind(c.names, 0), 0u) << bad.message;
    }
    Product good;
    bad_item untouched;
    EXPECT_TRUE(detail::load_record(good, {{"id", "p4"}, {"stock_quantity", 2}}, nullptr,
                                    &untouched));
    EXPECT_EQ(good.stock_quantity, 2);
    EXPECT_TRUE(untouched.field.empty());
}

TEST(ModelAttributes, BadItemsIsASharedList)
{
    const bad_items report;
    const bad_items copy = report;
    EXPECT_TRUE(report.empty());
    copy.add(bad_item{{{"id", "a"}}, "price", attribute_value(1), errc::invalid_argument, "m"});
    ASSERT_EQ(report.size(), 1u);
    EXPECT_EQ(report.items().front().field, "price");
    report.clear();
    EXPECT_TRUE(copy.empty());
}

// --- Defaults and callbacks --------------------------------------------------------------------

std::vector<std::string> trace;

struct Article : model<Article> {
    std::string id;
    std::string title;
    std::string status;
    std::string token;
    bool halt_at_before_save = false;
    bool halt_at_before_create = false;
    bool around_skips = false;

    bool check_title() const { return !title.empty(); }
    void note_initialized() { trace.push_back("after_initialize"); }

    static void define(model_definition<Article>& s)
    {
        s.field("title", &Article::title).validates(presence());
        s.field("status", &Article::status).default_value("draft");
        s.field("token", &Article::token).default_value([] { return std::string("t-1"); });
        s.after_initialize(&Article::note_initialized);
        s.before_validation([](Article&) { trace.push_back("before_validation"); });
        s.after_validation([](Article&) { trace.push_back("after_validation"); });
        s.before_save([](Article& a) {
            trace.push_back("before_save");
            return !a.halt_at_before_save;
        });
        s.around_save([](Article& a, proceed next) -> asio::awaitable<void> {
            trace.push_back("around_save:before");
            if (!a.around_skips) co_await next();
            trace.push_back("around_save:after");
        });
        s.before_create([](Article& a) {
            trace.push_back("before_create");
            return a.halt_at_before_create ? halt : callback_result::proceed;
        });
        s.after_save([](Article&) { trace.push_back("after_save"); });
    }
};

TEST(ModelDefaults, BuildAppliesDefaultsAndAfterInitialize)
{
    trace.clear();
    Article a = Article::build();
    EXPECT_EQ(a.status, "draft");
    EXPECT_EQ(a.token, "t-1");
    EXPECT_EQ(trace, (std::vector<std::string>{"after_initialize"}));
    Article plain;
    EXPECT_EQ(plain.status, "") << "a plain construction is not observed by the model";
}

TEST(ModelCallbacks, BeforeSaveHaltStopsTheSave)
{
    trace.clear();
    Article a;
    a.title = "t";
    a.halt_at_before_save = true;
    EXPECT_FALSE(run(a.save()));
    EXPECT_TRUE(a.new_record());
    EXPECT_EQ(trace,
              (std::vector<std::string>{"before_validation", "after_validation", "before_save"}));
    EXPECT_EQ(a.errors().full_messages(),
              (std::vector<std::string>{"Save halted by a before_save or around_save callback"}));
    EXPECT_EQ(a.status, "draft") << "defaults apply to a record being created";
    EXPECT_EQ(a.id.rfind("article-", 0), 0u) << a.id;
    EXPECT_EQ(a.id.size(), std::string("article-").size() + 16);
    try {
        run(a.save_or_throw());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::record_not_saved);
        EXPECT_NE(std::string(e.what()).find("Save halted"), std::string::npos) << e.what();
    }
}

TEST(ModelCallbacks, HaltInsideAroundRunsTheAroundsRest)
{
    trace.clear();
    Article a;
    a.title = "t";
    a.halt_at_before_create = true;
    EXPECT_FALSE(run(a.save()));
    EXPECT_EQ(trace, (std::vector<std::string>{"before_validation", "after_validation",
                                               "before_save", "around_save:before", "before_create",
                                               "around_save:after"}));
    EXPECT_EQ(
        a.errors().full_messages(),
        (std::vector<std::string>{"Create halted by a before_create or around_create callback"}));
}

TEST(ModelCallbacks, AroundThatDoesNotProceedHalts)
{
    trace.clear();
    Article a;
    a.title = "t";
    a.around_skips = true;
    EXPECT_FALSE(run(a.save()));
    EXPECT_EQ(trace,
              (std::vector<std::string>{"before_validation", "after_validation", "before_save",
                                        "around_save:before", "around_save:after"}));
    ASSERT_EQ(a.errors().size(), 1u);
    EXPECT_TRUE(a.new_record());
}

TEST(ModelCallbacks, InvalidRecordIsNotSaved)
{
    trace.clear();
    Article a;
    EXPECT_FALSE(run(a.save()));
    EXPECT_EQ(trace, (std::vector<std::string>{"before_validation", "after_validation"}));
    EXPECT_EQ(a.errors().full_messages(), (std::vector<std::string>{"Title can't be blank"}));
    try {
        run(a.save_or_throw());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::record_invalid);
        EXPECT_EQ(std::string(e.what()).rfind("Validation failed: Title can't be blank", 0), 0u)
            << e.what();
    }
}

TEST(ModelCallbacks, SaveWithoutValidationSkipsValidators)
{
    trace.clear();
    Article a;
    a.halt_at_before_save = true;
    save_options options;
    options.validate = false;
    EXPECT_FALSE(run(a.save(options)));
    EXPECT_EQ(trace, (std::vector<std::string>{"before_save"}));
}

struct Guarded : model<Guarded> {
    std::string id;
    static void define(model_definition<Guarded>& s)
    {
        s.before_validation([](Guarded&) { return false; });
        s.before_destroy([](Guarded&) { return halt; });
    }
};

TEST(ModelCallbacks, BeforeValidationHaltFailsValidation)
{
    Guarded g;
    EXPECT_FALSE(g.valid_locally());
    EXPECT_FALSE(run(g.valid()));
    EXPECT_EQ(g.errors().full_messages(),
              (std::vector<std::string>{
                  "Validation halted by a before_validation or around_validation callback"}));
}

TEST(ModelCallbacks, BeforeDestroyHaltStopsTheDestroy)
{
    Guarded g = Guarded::from_item({{"id", "g-1"}});
    EXPECT_FALSE(run(g.destroy()));
    EXPECT_TRUE(g.persisted());
    EXPECT_EQ(g.errors().full_messages(),
              (std::vector<std::string>{
                  "Destroy halted by a before_destroy or around_destroy callback"}));
    try {
        run(g.destroy_or_throw());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::record_not_destroyed);
    }
}

TEST(ModelCallbacks, AfterFindRunsOnLoad)
{
    struct Seen : model<Seen> {
        std::string id;
        int loads = 0;
        static void define(model_definition<Seen>& s)
        {
            s.after_find([](Seen& x) { ++x.loads; });
        }
    };
    Seen s = Seen::from_item({{"id", "s"}});
    EXPECT_EQ(s.loads, 1);
}

TEST(ModelState, OperationsNeedingAnItemRefuseNewRecords)
{
    Product p;
    const auto expect_not_persisted = [](auto op) {
        try {
            run(std::move(op));
            FAIL() << "expected an error";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), model_errc::not_persisted);
            EXPECT_NE(std::string(e.what()).find("new (never saved)"), std::string::npos)
                << e.what();
        }
    };
    expect_not_persisted(p.reload());
    expect_not_persisted(p.delete_());
    expect_not_persisted(p.destroy());
    expect_not_persisted(p.touch());
    expect_not_persisted(p.increment("stock_quantity"));
}

TEST(ModelState, NoDatabaseIsAClearError)
{
    clear_default_database();
    Product p;
    p.price = 1;
    try {
        run(p.save());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        EXPECT_NE(std::string(e.what()).find("set_default_database"), std::string::npos);
    }
    EXPECT_FALSE(has_default_database());
}

// --- JSON ------------------------------------------------------------------------------------

struct Document : model<Document> {
    std::string id;
    std::string title;
    std::optional<double> score;
    bool published = false;
    bytes payload;
    std::set<std::string> tags;
    std::set<int> ranks;
    std::vector<std::string> lines;
    std::map<std::string, int> counts;
    std::chrono::sys_seconds created_at{};

    static void define(model_definition<Document>& s)
    {
        s.field("title", &Document::title);
        s.field("score", &Document::score);
        s.field("published", &Document::published);
        s.field("payload", &Document::payload);
        s.field("tags", &Document::tags);
        s.field("ranks", &Document::ranks);
        s.field("lines", &Document::lines);
        s.field("counts", &Document::counts);
    }
};

TEST(ModelJson, RoundTrip)
{
    Document d;
    d.id = "doc-1";
    d.title = "Hello \"world\"";
    d.score = 12.25;
    d.published = true;
    d.payload = to_bytes("hi");
    d.tags = {"a", "b"};
    d.ranks = {3, 1};
    d.lines = {"x", "y"};
    d.counts = {{"k", 2}};
    d.created_at = std::chrono::sys_seconds(std::chrono::seconds(1700000000));
    const std::string json = d.to_json();
    EXPECT_EQ(json, R"({"title":"Hello \"world\"","score":12.25,"published":true,"payload":"aGk=",)"
                    R"("tags":["a","b"],"ranks":[1,3],"lines":["x","y"],"counts":{"k":2},)"
                    R"("id":"doc-1","created_at":"2023-11-14T22:13:20Z"})");
    const Document back = Document::from_json(json);
    EXPECT_TRUE(back.new_record());
    EXPECT_EQ(back.id, d.id);
    EXPECT_EQ(back.title, d.title);
    EXPECT_EQ(back.score, d.score);
    EXPECT_EQ(back.published, true);
    EXPECT_EQ(back.payload, d.payload);
    EXPECT_EQ(back.tags, d.tags);
    EXPECT_EQ(back.ranks, d.ranks);
    EXPECT_EQ(back.lines, d.lines);
    EXPECT_EQ(back.counts, d.counts);
    EXPECT_EQ(back.created_at, d.created_at);
    EXPECT_EQ(back.to_json(), json);
}

struct Ledger : model<Ledger> {
    std::string id;
    number balance;
    std::vector<number> history;

    static void define(model_definition<Ledger>& s)
    {
        s.field("balance", &Ledger::balance);
        s.field("history", &Ledger::history);
    }
};

TEST(ModelJson, NumbersKeepEveryDigit)
{
    const std::vector<std::string> values = {
        "98765432109876543210987654321098765432", "-98765432109876543210987654321098765432",
        "1.2345678901234567890123456789012345678E-130", "-9.9999999999999999999999999999999999999E125",
        "0.000000000000000000000000000000000000012345678901234567890123456789", "1.50"};
    for (const std::string& text : values) {
        Ledger l;
        l.id = "l1";
        l.balance = number(text);
        l.history = {number(text), number("1")};
        const std::string json = l.to_json();
        EXPECT_NE(json.find(text), std::string::npos) << json;
        const Ledger back = Ledger::from_json(json);
        EXPECT_EQ(back.balance.text(), text);
        ASSERT_EQ(back.history.size(), 2u);
        EXPECT_EQ(back.history[0].text(), text);
        EXPECT_EQ(back.to_json(), json);
    }
}

TEST(ModelJson, NumbersAreSpelledAsJsonSpellsThem)
{
    // DynamoDB takes these spellings; JSON does not, and from_json would refuse its own output.
    const std::vector<std::pair<std::string, std::string>> spellings = {
        {".5", "0.5"},     {"-.5", "-0.5"}, {"5.", "5"},       {"007", "7"},
        {"+5", "5"},       {"00.50", "0.50"}, {"5.e3", "5e3"}, {"-00", "-0"},
        {"1.5E+07", "1.5E+07"}};
    for (const auto& [given, spelled] : spellings) {
        Ledger l;
        l.id = "l1";
        l.balance = number(given);
        l.history = {number(given)};
        const std::string json = l.to_json();
        EXPECT_NE(json.find("\"balance\":" + spelled + ","), std::string::npos) << given << json;
        EXPECT_NE(json.find("\"history\":[" + spelled + "]"), std::string::npos) << given << json;
        Ledger back;
        std::string why;
        EXPECT_FALSE(back.assign_json(json, &why)) << given << ": " << why;
        EXPECT_EQ(back.balance, l.balance) << given;
    }
}

TEST(ModelJson, ANumberDynamoDbCannotStoreNamesItsPlace)
{
    Ledger l;
    std::string why;
    EXPECT_EQ(l.assign_json(R"({"history": [1, 1e200]})", &why), errc::invalid_argument);
    EXPECT_NE(why.find("history[1]: \"1e200\" is not a DynamoDB number"), std::string::npos)
        << why;
}

TEST(ModelJson, AbsentFieldsAreNullAndNullClears)
{
    Document d;
    d.score = 1;
    EXPECT_NE(d.to_json().find(R"("title":null)"), std::string::npos) << d.to_json();
    std::string why;
    EXPECT_FALSE(d.assign_json(R"({"score":null})", &why)) << why;
    EXPECT_FALSE(d.score.has_value());
}

TEST(ModelJson, Errors)
{
    Document d;
    std::string why;
    EXPECT_EQ(d.assign_json("not json", &why), errc::invalid_argument);
    EXPECT_NE(why.find("not valid JSON"), std::string::npos) << why;
    EXPECT_EQ(d.assign_json("[1]", &why), errc::invalid_argument);
    EXPECT_NE(why.find("not a JSON object"), std::string::npos) << why;
    EXPECT_EQ(d.assign_json(R"({"published":"yes"})", &why), errc::invalid_argument);
    EXPECT_NE(why.find("field \"published\""), std::string::npos) << why;
    try {
        (void)Document::from_json(R"({"ranks":["a"]})");
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("field \"ranks\""), std::string::npos) << e.what();
    }
}

// --- Single-table inheritance ----------------------------------------------------------------

struct Vehicle : model<Vehicle> {
    std::string id;
    int wheels = 0;
    static void define(model_definition<Vehicle>& s)
    {
        s.field("wheels", &Vehicle::wheels);
        s.inheritance_field("kind");
    }
};

struct Car : inherits<Car, Vehicle> {
    int doors = 4;
    static void define(model_definition<Car>& s) { s.field("doors", &Car::doors); }
};

struct SportsCar : inherits<SportsCar, Car> {
    static void define(model_definition<SportsCar>& s) { s.inheritance_name("sports"); }
};

struct Truck : inherits<Truck, Vehicle> {};

TEST(ModelInheritance, SubclassesShareTheTableAndAddFields)
{
    naming_options none;
    none.namespace_ = "";
    set_model_naming(none);
    EXPECT_EQ(Car::table_name(), "vehicles");
    EXPECT_EQ(SportsCar::table_name(), "vehicles");
    EXPECT_NE(Car::class_descriptor().find_field("wheels"), nullptr);
    EXPECT_NE(Car::class_descriptor().find_field("doors"), nullptr);
    EXPECT_EQ(Vehicle::class_descriptor().find_field("doors"), nullptr);
    EXPECT_EQ(Car::class_descriptor().parent, &Vehicle::class_descriptor());
    EXPECT_EQ(SportsCar::class_descriptor().root, &Vehicle::class_descriptor());
}

TEST(ModelInheritance, TypeNamesAndFilters)
{
    const auto car_names = Car::class_descriptor().inheritance_names();
    EXPECT_EQ(car_names, (std::vector<std::string>{"Car", "sports"}));
    const auto all = Vehicle::class_descriptor().inheritance_names();
    EXPECT_EQ(all.front(), "Vehicle");
    EXPECT_NE(std::find(all.begin(), all.end(), "Truck"), all.end());
    EXPECT_TRUE(detail::type_matches(Car::class_descriptor(), {{"kind", "sports"}}));
    EXPECT_FALSE(detail::type_matches(Car::class_descriptor(), {{"kind", "Truck"}}));
    EXPECT_FALSE(detail::type_matches(Car::class_descriptor(), {{"id", "x"}}));
    EXPECT_TRUE(detail::type_matches(Vehicle::class_descriptor(), {{"kind", "Truck"}}));
}

TEST(ModelInheritance, TypeIsWrittenAndRecordsKnowTheirClass)
{
    Car c;
    c.doors = 2;
    EXPECT_EQ(c.attributes().at("kind"), attribute_value("Car"));
    EXPECT_EQ(c.model_name(), "Car");
    const Vehicle& as_vehicle = c;
    EXPECT_EQ(as_vehicle.attributes().at("doors"), attribute_value(2))
        << "a Car seen as a Vehicle is still saved as a Car";
    EXPECT_NE(c.to_json().find(R"("kind":"Car")"), std::string::npos) << c.to_json();
    Truck t;
    EXPECT_EQ(t.attributes().at("kind"), attribute_value("Truck"));

    // A Car loaded as a plain Vehicle keeps the car's attributes and its type.
    Vehicle v = Vehicle::from_item({{"id", "v"}, {"kind", "Car"}, {"wheels", 4}, {"doors", 3}});
    EXPECT_EQ(v.attributes().at("kind"), attribute_value("Car"));
    EXPECT_EQ(v.attributes().at("doors"), attribute_value(3));
    EXPECT_EQ(v.undeclared_attributes(), (attribute_map{{"doors", 3}}));
}

TEST(ModelInheritance, RegistryMakesTheNamedClass)
{
    auto made = detail::polymorphic_registry<Vehicle>::make("sports");
    ASSERT_NE(made, nullptr);
    EXPECT_NE(dynamic_cast<SportsCar*>(made.get()), nullptr);
    EXPECT_EQ(detail::polymorphic_registry<Car>::make("Truck"), nullptr);
    try {
        detail::throw_unknown_type(Vehicle::class_descriptor(), "Bus");
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::unknown_type);
        EXPECT_NE(std::string(e.what()).find("\"Bus\""), std::string::npos) << e.what();
    }
}

struct Orphan : model<Orphan> {
    std::string id;
    static void define(model_definition<Orphan>&) {}
};
struct OrphanChild : inherits<OrphanChild, Orphan> {};

TEST(ModelInheritance, SubclassNeedsAnInheritanceField)
{
    try {
        (void)OrphanChild::class_descriptor();
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        EXPECT_NE(std::string(e.what()).find("inheritance_field"), std::string::npos) << e.what();
    }
}

// --- Requests, against a scripted server ------------------------------------------------------

struct Note : model<Note> {
    std::string id;
    std::string title;
    std::string body;
    int rank = 0;
    static void define(model_definition<Note>& s)
    {
        s.field("title", &Note::title);
        s.field("body", &Note::body);
        s.field("rank", &Note::rank);
        s.partition_key("id");
        s.table_name("notes");
    }
};

class ModelRequests : public ::testing::Test {
protected:
    ModelRequests() : db_(client(io_.get_executor(), config())) {}

    client_config config() const
    {
        client_config cfg = dynomite::test::fake_client_config(server_);
        cfg.retry.max_attempts = 1;
        return cfg;
    }

    template <class T>
    T run_here(asio::awaitable<T> op)
    {
        std::optional<T> result;
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io_, std::move(op), [&](std::exception_ptr e, T value) {
            failure = e;
            if (!e) result.emplace(std::move(value));
            done = true;
        });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!done && std::chrono::steady_clock::now() < deadline) {
            io_.restart();
            io_.run_one_for(std::chrono::milliseconds(20));
        }
        if (!done) throw std::runtime_error("the operation did not complete");
        if (failure) std::rethrow_exception(failure);
        return std::move(*result);
    }

    void run_here(asio::awaitable<void> op)
    {
        auto wrapped = [](asio::awaitable<void> inner) -> asio::awaitable<bool> {
            co_await std::move(inner);
            co_return true;
        };
        (void)run_here(wrapped(std::move(op)));
    }

    /// The JSON body and the operation (from X-Amz-Target) of request `i`.
    std::pair<std::string, boost::json::value> request(std::size_t i) const
    {
        const auto all = server_.requests();
        const auto& r = all.at(i);
        const std::string target = r.header("x-amz-target").value_or("");
        return {target.substr(target.find('.') + 1), boost::json::parse(r.body)};
    }

    test::fake_server server_;
    asio::io_context io_;
    database db_;
};

TEST_F(ModelRequests, UpdateSendsOnlyTheChangedAttributes)
{
    Note n = Note::from_item({{"id", "n1"}, {"title", "T"}, {"body", "B"}, {"rank", 1}, {"x", 9}});
    n.use_database(db_);
    n.title = "New";
    n.body.clear();
    EXPECT_TRUE(run_here(n.save()));
    ASSERT_EQ(server_.request_count(), 1u);
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    const auto& object = body.as_object();
    EXPECT_EQ(object.at("TableName").as_string(), "notes");
    EXPECT_EQ(object.at("UpdateExpression").as_string(), "SET #n0 = :v0 REMOVE #n1");
    EXPECT_EQ(object.at("ConditionExpression").as_string(), "attribute_exists(#n2)");
    const auto& names = object.at("ExpressionAttributeNames").as_object();
    EXPECT_EQ(names.at("#n0").as_string(), "title");
    EXPECT_EQ(names.at("#n1").as_string(), "body");
    EXPECT_EQ(names.at("#n2").as_string(), "id");
    EXPECT_EQ(names.size(), 3u) << "rank and the undeclared x are not sent";
    EXPECT_EQ(object.at("Key").as_object().at("id").as_object().at("S").as_string(), "n1");
    EXPECT_FALSE(n.changed());
    EXPECT_EQ(n.attributes().at("x"), attribute_value(9));
    EXPECT_FALSE(n.attributes().contains("body"));
}

TEST_F(ModelRequests, CreateIsConditionalOnTheKey)
{
    Note n;
    n.id = "n2";
    n.title = "T";
    n.use_database(db_);
    server_.enqueue(test::fake_action::aws_error(400, "ConditionalCheckFailedException",
                                                 "The conditional request failed"));
    try {
        run_here(n.save());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::record_not_unique);
        EXPECT_NE(std::string(e.what()).find("{id: \"n2\"}"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(n.new_record());
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "PutItem");
    EXPECT_EQ(body.as_object().at("ConditionExpression").as_string(), "attribute_not_exists(#n0)");
    const auto& item = body.as_object().at("Item").as_object();
    EXPECT_EQ(item.at("title").as_object().at("S").as_string(), "T");
    EXPECT_EQ(item.at("rank").as_object().at("N").as_string(), "0");
    EXPECT_FALSE(item.contains("body")) << "an empty string is not stored";
}

TEST_F(ModelRequests, AnOperatorThatIsNoneAfterAScalarFieldIsRefused)
{
    const auto message = [&](auto build) {
        try {
            build();
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument);
            return e.diag().message;
        }
        ADD_FAILURE() << "no error";
        return std::string();
    };
    // "title.starts" is no operator the parser recognises, but title is a string field.
    EXPECT_EQ(message([&] { (void)Note::on(db_).where("title.starts", "x"); }),
              "Note.where(\"title.starts\"): \"starts\" is not an operator (eq, ne, lt, lte, gt, "
              "gte, in, between and begins_with, in any case, each also after \"not_\"), and "
              "\"title\" is a scalar field of Note, with no nested path title.starts");
    EXPECT_NE(message([&] { (void)Note::on(db_).all().or_("rank.above", 1); }).find("rank"),
              std::string::npos);
    EXPECT_NE(message([&] { (void)Note::on(db_).where({{"rank.above", 1}}); }).find("rank"),
              std::string::npos);
    EXPECT_NE(message([&] {
                  (void)Note::on(db_).all().where(attribute_map{{"rank.above", 1}});
              }).find("rank"),
              std::string::npos);
    // Operators in any case, and nested paths under undeclared attributes, still work.
    EXPECT_EQ(Note::on(db_).where("rank.LT", 3).raw().spec().where, lt("rank", 3));
    EXPECT_EQ(Note::on(db_).where("meta.source", "x").raw().spec().where,
              eq(document_path("meta.source"), "x"));
    EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ModelRequests, BatchFindSendsUnprocessedKeysAgain)
{
    server_.enqueue(
        test::fake_action::ok(R"({"Responses":{"notes":[{"id":{"S":"b"},"title":{"S":"B"}}]},)"
                              R"("UnprocessedKeys":{"notes":{"Keys":[{"id":{"S":"a"}}]}}})"));
    server_.enqueue(test::fake_action::ok(
        R"({"Responses":{"notes":[{"id":{"S":"a"},"title":{"S":"A"}}]},"UnprocessedKeys":{}})"));
    const auto found =
        run_here(Note::on(db_).find_many(std::vector<attribute_value>{"a", "b", "c"}));
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].title, "A");
    EXPECT_EQ(found[1].title, "B");
    ASSERT_EQ(server_.request_count(), 2u);
    const auto [operation, second] = request(1);
    EXPECT_EQ(operation, "BatchGetItem");
    const auto& keys = second.as_object()
                           .at("RequestItems")
                           .as_object()
                           .at("notes")
                           .as_object()
                           .at("Keys")
                           .as_array();
    ASSERT_EQ(keys.size(), 1u) << "only the unprocessed key is asked again";
    EXPECT_EQ(keys[0].as_object().at("id").as_object().at("S").as_string(), "a");
}

TEST_F(ModelRequests, BatchFindGivesUpOnKeysNeverProcessed)
{
    server_.set_default(test::fake_action::ok(
        R"({"Responses":{"notes":[]},"UnprocessedKeys":{"notes":{"Keys":[{"id":{"S":"a"}}]}}})"));
    try {
        (void)run_here(Note::on(db_).find_many(std::vector<attribute_value>{"a"}));
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::unprocessed_keys);
        EXPECT_NE(std::string(e.what()).find("1 keys still unprocessed"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(server_.request_count(), 10u);
}

TEST_F(ModelRequests, IncrementUsesAdd)
{
    Note n = Note::from_item({{"id", "n3"}, {"rank", 1}});
    n.use_database(db_);
    n.title = "pending";
    server_.enqueue(test::fake_action::ok(R"({"Attributes":{"rank":{"N":"6"}}})"));
    EXPECT_EQ(run_here(n.increment(&Note::rank, number(5))), number(6));
    EXPECT_EQ(n.rank, 6);
    EXPECT_EQ(n.changed_attributes(), (std::vector<std::string>{"title"}))
        << "other pending changes stay pending";
    const auto [operation, body] = request(0);
    EXPECT_EQ(operation, "UpdateItem");
    EXPECT_EQ(body.as_object().at("UpdateExpression").as_string(), "ADD #n0 :v0");
    EXPECT_EQ(body.as_object().at("ReturnValues").as_string(), "UPDATED_NEW");
    server_.enqueue(test::fake_action::ok(R"({"Attributes":{}})"));
    try {
        (void)run_here(n.increment("rank"));
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::malformed_response);
    }
}

struct Reply : model<Reply> {
    std::string thread;
    std::string seq;
    std::string text;
    static void define(model_definition<Reply>& s)
    {
        s.field("thread", &Reply::thread);
        s.field("seq", &Reply::seq);
        s.field("text", &Reply::text);
        s.partition_key("thread");
        s.sort_key("seq");
        s.table_name("replies");
    }
};

struct Tagged : model<Tagged> {
    std::string id;
    std::string version;
    static void define(model_definition<Tagged>& s)
    {
        s.field("version", &Tagged::version);
        s.locking("version");
        s.partition_key("id");
        s.table_name("tagged");
    }
};

template <class E>
void expect_error(E expected, const std::function<void()>& f, std::string_view says)
{
    try {
        f();
        ADD_FAILURE() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), expected) << e.what();
        EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
}

TEST_F(ModelRequests, RefusalsBeforeAnyRequest)
{
    Note n = Note::from_item({{"id", "n4"}, {"title", "T"}});
    n.use_database(db_);
    expect_error(
        errc::invalid_argument, [&] { run_here(n.toggle("title")); }, "holds a S, not a bool");
    expect_error(
        errc::invalid_argument, [&] { run_here(n.touch()); }, "no updated_at field");
    expect_error(
        errc::invalid_argument, [&] { run_here(n.touch({"title"})); },
        "\"title\" is not a declared time field");
    expect_error(
        model_errc::key_changed, [&] { (void)run_here(n.increment("id")); },
        "cannot increment key attribute \"id\"");
    expect_error(
        errc::invalid_argument, [&] { (void)run_here(Note::on(db_).find("a", "b")); },
        "has no sort key");
    expect_error(
        errc::invalid_argument,
        [&] { (void)run_here(Reply::on(db_).find_many(std::vector<attribute_value>{"a"})); },
        "give full keys");

    Reply r;
    r.thread = "t";
    r.use_database(db_);
    expect_error(
        errc::invalid_argument, [&] { run_here(r.save()); },
        "Reply has no value for its key attribute \"seq\"");

    Note bad;
    bad.id = "n5";
    bad.title = "\xff";
    bad.use_database(db_);
    expect_error(
        errc::invalid_utf8, [&] { run_here(bad.save()); }, "Note {id: \"n5\"}");

    Tagged t = Tagged::from_item({{"id", "t1"}, {"version", "v1"}});
    t.use_database(db_);
    t.version = "v2";
    expect_error(
        errc::invalid_argument, [&] { run_here(t.save()); },
        "the lock field \"version\" holds a S, not a number");
    EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ModelRequests, DeleteAndReloadOfAMissingItem)
{
    Note n = Note::from_item({{"id", "n6"}, {"title", "T"}});
    n.use_database(db_);
    server_.enqueue(test::fake_action::ok(R"({})"));
    expect_error(
        model_errc::record_not_found, [&] { run_here(n.reload()); }, "no longer exists");
    run_here(n.delete_());
    EXPECT_TRUE(n.destroyed());
    const auto [operation, body] = request(1);
    EXPECT_EQ(operation, "DeleteItem");
    EXPECT_FALSE(body.as_object().contains("ConditionExpression"));
}

struct Eager : model<Eager> {
    std::string id;
    static void define(model_definition<Eager>& s)
    {
        s.after_initialize([](Eager&) -> asio::awaitable<void> { co_return; });
    }
};

TEST(ModelCallbacksSync, AwaitableAfterInitializeCannotRunInBuild)
{
    expect_error(
        errc::invalid_configuration, [] { (void)Eager::build(); },
        "after_initialize callback returning an awaitable cannot run in build()");
    expect_error(
        errc::invalid_configuration,
        [] {
            (void)Eager::from_item({{"id", "e"}});
        },
        "cannot run in from_item()");
}

// --- Errors ----------------------------------------------------------------------------------

TEST(ModelErrors, Category)
{
    const error_code ec = model_errc::stale_object;
    EXPECT_STREQ(ec.category().name(), "dynomite.model");
    EXPECT_NE(ec.message().find("optimistic locking"), std::string::npos);
    EXPECT_NE(error_code(model_errc::record_not_found), error_code(errc::resource_not_found));
    for (int i = 1; i <= static_cast<int>(model_errc::not_persisted); ++i) {
        EXPECT_NE(model_category().message(i), "unknown model error") << i;
    }
    EXPECT_EQ(model_category().message(999), "unknown model error");
}

}  // namespace
