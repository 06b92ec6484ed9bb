// Models against DynamoDB: persistence, finders, locking, inheritance and callbacks.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

std::vector<std::string> trace;

// The Ruby example: validates :price, presence: true; before_save sets stock_quantity.
struct Product : model<Product> {
    std::string id;
    std::string category;
    std::optional<double> price;
    std::optional<int> stock_quantity;
    std::optional<std::string> description;
    std::set<std::string> tags;
    std::string sku;
    bool featured = false;
    bool halt_saves = false;
    std::chrono::sys_time<std::chrono::milliseconds> created_at{};
    std::chrono::sys_time<std::chrono::milliseconds> updated_at{};

    static void define(model_definition<Product>& s)
    {
        s.field("category", &Product::category);
        s.field("price", &Product::price).validates(presence());
        s.field("stock_quantity", &Product::stock_quantity);
        s.field("description", &Product::description);
        s.field("tags", &Product::tags);
        s.field("sku", &Product::sku).validates(uniqueness().allow_blank());
        s.field("featured", &Product::featured);
        s.partition_key("id");
        s.before_save([](Product& p) {
            if (!p.stock_quantity) p.stock_quantity = 0;
            trace.push_back("before_save");
            return !p.halt_saves;
        });
        s.around_save([](Product&, proceed next) -> asio::awaitable<void> {
            trace.push_back("around_save:in");
            co_await next();
            trace.push_back("around_save:out");
        });
        s.before_create([](Product&) { trace.push_back("before_create"); });
        s.after_create([](Product&) { trace.push_back("after_create"); });
        s.before_update([](Product&) { trace.push_back("before_update"); });
        s.after_update([](Product&) { trace.push_back("after_update"); });
        s.after_save([](Product&) { trace.push_back("after_save"); });
        s.before_destroy([](Product&) { trace.push_back("before_destroy"); });
        s.after_destroy([](Product&) { trace.push_back("after_destroy"); });
        s.after_find([](Product&) { trace.push_back("after_find"); });
        s.after_touch([](Product&) { trace.push_back("after_touch"); });
    }
};

// A table with a sort key, whose keys are discovered from DescribeTable.
struct Comment : model<Comment> {
    std::string post_id;
    std::string comment_id;
    std::string body;
    int votes = 0;

    static void define(model_definition<Comment>& s)
    {
        s.field("post_id", &Comment::post_id);
        s.field("comment_id", &Comment::comment_id);
        s.field("body", &Comment::body).validates(length().maximum(200));
        s.field("votes", &Comment::votes);
        s.timestamps(false);
    }
};

struct Page : model<Page> {
    std::string id;
    std::string title;
    int lock_version = 0;

    static void define(model_definition<Page>& s)
    {
        s.field("title", &Page::title);
        s.field("lock_version", &Page::lock_version);
        s.locking("lock_version");
        s.partition_key("id");
    }
};

struct Vehicle : model<Vehicle> {
    std::string id;
    std::string maker;
    static void define(model_definition<Vehicle>& s)
    {
        s.field("maker", &Vehicle::maker);
        s.inheritance_field("type");
        s.partition_key("id");
    }
};

struct Car : inherits<Car, Vehicle> {
    int doors = 4;
    static void define(model_definition<Car>& s) { s.field("doors", &Car::doors); }
};

struct Truck : inherits<Truck, Vehicle> {
    double payload_tons = 0;
    static void define(model_definition<Truck>& s)
    {
        s.field("payload_tons", &Truck::payload_tons);
    }
};

class ModelTest : public test::integration_test {
protected:
    ModelTest() : database_(db)
    {
        set_default_database(database_);
        trace.clear();
    }
    ~ModelTest() override { clear_default_database(); }

    struct key_spec {
        std::string name;
        scalar_attribute_type type = scalar_attribute_type::s;
    };
    struct index_spec {
        std::string name;
        key_spec hash;
        std::optional<key_spec> range;
    };

    /// A PAY_PER_REQUEST table with this key and these global indexes (projecting all).
    std::string make_table(std::string_view prefix, key_spec hash, std::optional<key_spec> range,
                           std::vector<index_spec> indexes = {})
    {
        create_table_request request;
        request.table_name = test::unique_table_name(prefix);
        request.billing_mode = billing_mode::pay_per_request;
        std::set<std::string> defined;
        const auto define = [&](const key_spec& k) {
            if (defined.insert(k.name).second) {
                request.attribute_definitions.push_back({k.name, k.type});
            }
        };
        define(hash);
        request.key_schema.push_back({hash.name, key_type::hash});
        if (range) {
            define(*range);
            request.key_schema.push_back({range->name, key_type::range});
        }
        for (const auto& index : indexes) {
            global_secondary_index gsi;
            gsi.index_name = index.name;
            define(index.hash);
            gsi.key_schema.push_back({index.hash.name, key_type::hash});
            if (index.range) {
                define(*index.range);
                gsi.key_schema.push_back({index.range->name, key_type::range});
            }
            gsi.projection.projection_type = projection_type::all;
            request.global_secondary_indexes.push_back(std::move(gsi));
        }
        const std::string name = request.table_name;
        track_table(name);
        run(db.create_table(request));
        run(wait_until_active(name));
        return name;
    }

    void use_product_table()
    {
        Product::set_table_name(make_table(
            "models-products", {"id"}, std::nullopt,
            {{"by_category", {"category"}, std::nullopt}, {"by_sku", {"sku"}, std::nullopt}}));
    }

    std::optional<attribute_map> raw_item(const std::string& table, attribute_map key)
    {
        get_item_request request;
        request.table_name = table;
        request.key = std::move(key);
        request.consistent_read = true;
        return run(db.get_item(request)).item;
    }

    void put_raw(const std::string& table, attribute_map item)
    {
        put_item_request request;
        request.table_name = table;
        request.item = std::move(item);
        run(db.put_item(request));
    }

    template <class E>
    static void expect_error(E expected, const std::function<void()>& f, std::string_view says)
    {
        try {
            f();
            ADD_FAILURE() << "expected an error";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), expected) << e.what();
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        }
    }

    Product saved_product(std::string category, double price)
    {
        Product p;
        p.category = std::move(category);
        p.price = price;
        EXPECT_TRUE(run(p.save())) << p.errors().to_string();
        return p;
    }

    dynomite::database database_;
};

TEST_F(ModelTest, ProductExampleCreateAndFind)
{
    use_product_table();
    Product p;
    p.category = "Electronics";
    p.price = 299.99;
    ASSERT_TRUE(run(p.save())) << p.errors().to_string();
    EXPECT_TRUE(p.persisted());
    EXPECT_EQ(p.stock_quantity, 0) << "before_save sets it when missing";
    EXPECT_EQ(p.id.rfind("product-", 0), 0u) << p.id;
    EXPECT_NE(p.created_at, decltype(p.created_at){});
    EXPECT_EQ(p.created_at, p.updated_at);
    EXPECT_FALSE(p.changed());
    EXPECT_TRUE(p.saved_change_to("price"));
    EXPECT_TRUE(p.saved_change_to("id"));
    EXPECT_EQ(trace, (std::vector<std::string>{"before_save", "around_save:in", "before_create",
                                               "after_create", "around_save:out", "after_save"}));

    trace.clear();
    const auto found = run(Product::find(p.id));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->category, "Electronics");
    EXPECT_EQ(found->price, 299.99);
    EXPECT_EQ(found->stock_quantity, 0);
    EXPECT_EQ(found->created_at, p.created_at);
    EXPECT_TRUE(found->persisted());
    EXPECT_FALSE(found->changed());
    EXPECT_EQ(trace, (std::vector<std::string>{"after_find"}));

    const auto item = raw_item(Product::table_name(), {{"id", p.id}});
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->at("price"), attribute_value(number("299.99")));
    EXPECT_FALSE(item->contains("description")) << "absent fields are not written";
    EXPECT_FALSE(item->contains("tags"));
    EXPECT_FALSE(item->contains("sku"));

    EXPECT_FALSE(run(Product::find("product-missing")).has_value());
    expect_error(
        model_errc::record_not_found, [&] { run(Product::find_or_throw("product-missing")); },
        "no Product {id: \"product-missing\"}");
}

TEST_F(ModelTest, InvalidProductIsNotWritten)
{
    use_product_table();
    Product p;
    p.id = "product-invalid";
    p.category = "Books";
    EXPECT_FALSE(run(p.save()));
    EXPECT_EQ(p.errors().full_messages(), (std::vector<std::string>{"Price can't be blank"}));
    EXPECT_TRUE(p.new_record());
    EXPECT_FALSE(raw_item(Product::table_name(), {{"id", "product-invalid"}}).has_value());
    expect_error(
        model_errc::record_invalid, [&] { run(p.save_or_throw()); },
        "Validation failed: Price can't be blank");
    save_options skip;
    skip.validate = false;
    EXPECT_TRUE(run(p.save(skip)));
    EXPECT_TRUE(raw_item(Product::table_name(), {{"id", "product-invalid"}}).has_value());
}

TEST_F(ModelTest, HaltingCallbackPreventsTheWrite)
{
    use_product_table();
    Product p;
    p.id = "product-halted";
    p.price = 5;
    p.halt_saves = true;
    EXPECT_FALSE(run(p.save()));
    EXPECT_TRUE(p.new_record());
    EXPECT_FALSE(raw_item(Product::table_name(), {{"id", "product-halted"}}).has_value());
    expect_error(
        model_errc::record_not_saved, [&] { run(p.save_or_throw()); }, "halted");

    p.halt_saves = false;
    ASSERT_TRUE(run(p.save()));
    p.price = 6;
    p.halt_saves = true;
    EXPECT_FALSE(run(p.save()));
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", "product-halted"}})->at("price"),
              attribute_value(5));
    EXPECT_TRUE(p.changed()) << "the change is still pending";
}

TEST_F(ModelTest, CreateOfAnExistingKeyIsRecordNotUnique)
{
    use_product_table();
    Product first;
    first.id = "product-dup";
    first.price = 1;
    ASSERT_TRUE(run(first.save()));
    Product second;
    second.id = "product-dup";
    second.price = 2;
    expect_error(
        model_errc::record_not_unique, [&] { run(second.save()); }, "already has an item");
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", "product-dup"}})->at("price"),
              attribute_value(1));
    // replace() overwrites on purpose.
    EXPECT_TRUE(run(second.replace()));
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", "product-dup"}})->at("price"),
              attribute_value(2));
}

TEST_F(ModelTest, UpdateWritesOnlyChangesAndKeepsUndeclaredAttributes)
{
    use_product_table();
    put_raw(Product::table_name(), {{"id", "product-legacy"},
                                    {"price", 10},
                                    {"category", "Toys"},
                                    {"description", "old"},
                                    {"tags", string_set{{"a", "b"}}},
                                    {"legacy_rating", 4},
                                    {"audit", attribute_map{{"by", "importer"}}}});
    auto p = run(Product::find_or_throw("product-legacy"));
    EXPECT_EQ(p.undeclared_attributes(),
              (attribute_map{{"legacy_rating", 4}, {"audit", attribute_map{{"by", "importer"}}}}));
    trace.clear();
    p.price = 12;
    p.description.reset();
    p.tags.clear();
    ASSERT_TRUE(run(p.save()));
    EXPECT_EQ(trace, (std::vector<std::string>{"before_save", "around_save:in", "before_update",
                                               "after_update", "around_save:out", "after_save"}));
    EXPECT_EQ(p.saved_changes().size(), 5u)
        << "price, stock_quantity (set by before_save), description, tags, updated_at";
    const auto item = raw_item(Product::table_name(), {{"id", "product-legacy"}});
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(item->at("price"), attribute_value(12));
    EXPECT_EQ(item->at("stock_quantity"), attribute_value(0));
    EXPECT_FALSE(item->contains("description")) << "REMOVE of a cleared field";
    EXPECT_FALSE(item->contains("tags")) << "REMOVE of an emptied set";
    EXPECT_EQ(item->at("legacy_rating"), attribute_value(4));
    EXPECT_EQ(item->at("audit"), attribute_value(attribute_map{{"by", "importer"}}));
    EXPECT_FALSE(item->contains("featured")) << "an unchanged field is not written";

    // A full replace keeps them too.
    p.category = "Games";
    ASSERT_TRUE(run(p.replace()));
    const auto replaced = raw_item(Product::table_name(), {{"id", "product-legacy"}});
    EXPECT_EQ(replaced->at("legacy_rating"), attribute_value(4));
    EXPECT_EQ(replaced->at("category"), attribute_value("Games"));
    EXPECT_EQ(replaced->at("featured"), attribute_value(false));

    // Saving without changes sends nothing and succeeds.
    trace.clear();
    ASSERT_TRUE(run(p.save()));
    EXPECT_TRUE(p.saved_changes().empty());
}

TEST_F(ModelTest, ConcurrentUpdatersOfDifferentFieldsBothKeepTheirWrites)
{
    use_product_table();
    const Product original = saved_product("Garden", 20);
    auto a = run(Product::find_or_throw(original.id));
    auto b = run(Product::find_or_throw(original.id));
    a.price = 25;
    b.category = "Outdoor";
    ASSERT_TRUE(run(a.save()));
    ASSERT_TRUE(run(b.save()));
    const auto item = raw_item(Product::table_name(), {{"id", original.id}});
    EXPECT_EQ(item->at("price"), attribute_value(25));
    EXPECT_EQ(item->at("category"), attribute_value("Outdoor"));
    run(a.reload());
    EXPECT_EQ(a.category, "Outdoor");
    EXPECT_FALSE(a.changed());
}

TEST_F(ModelTest, KeyAttributesCannotChange)
{
    use_product_table();
    Product p = saved_product("Kitchen", 3);
    const std::string id = p.id;
    p.id = "product-renamed";
    expect_error(
        model_errc::key_changed, [&] { run(p.save()); }, "cannot change key attribute \"id\"");
    // A whole-item write under the new key would leave the old item and make a second one.
    expect_error(
        model_errc::key_changed, [&] { run(p.replace()); }, "cannot change key attribute \"id\"");
    expect_error(
        model_errc::key_changed, [&] { run(p.replace_declared()); },
        "cannot change key attribute \"id\"");
    std::vector<Product> batch{p};
    batch_save_options no_callbacks;
    no_callbacks.callbacks = false;
    expect_error(
        model_errc::key_changed, [&] { run(batch_save(batch, no_callbacks)); },
        "cannot change key attribute \"id\"");
    EXPECT_TRUE(raw_item(Product::table_name(), {{"id", id}}).has_value());
    EXPECT_FALSE(raw_item(Product::table_name(), {{"id", "product-renamed"}}).has_value());
    scan_request scan;
    scan.table_name = Product::table_name();
    scan.consistent_read = true;
    EXPECT_EQ(run(db.scan(scan)).items.size(), 1u);
}

TEST_F(ModelTest, DirtyTrackingAcrossSaveAndReload)
{
    use_product_table();
    Product p = saved_product("Office", 8);
    p.price = 9;
    EXPECT_EQ(p.changed_attributes(), (std::vector<std::string>{"price"}));
    EXPECT_EQ(p.attribute_was(&Product::price), std::optional<double>(8));
    ASSERT_TRUE(run(p.save()));
    EXPECT_FALSE(p.changed());
    ASSERT_FALSE(p.previous_changes().empty());
    EXPECT_EQ(p.previous_changes()[0].attribute, "price");
    EXPECT_EQ(p.previous_changes()[0].old_value, attribute_value(8));
    EXPECT_EQ(p.previous_changes()[0].new_value, attribute_value(9));

    p.price = 100;
    run(p.reload());
    EXPECT_EQ(p.price, 9.0);
    EXPECT_FALSE(p.changed());
    EXPECT_TRUE(p.saved_changes().empty());
}

TEST_F(ModelTest, DestroyDeleteAndReload)
{
    use_product_table();
    Product p = saved_product("Tools", 4);
    trace.clear();
    ASSERT_TRUE(run(p.destroy()));
    EXPECT_TRUE(p.destroyed());
    EXPECT_EQ(trace, (std::vector<std::string>{"before_destroy", "after_destroy"}));
    EXPECT_FALSE(run(Product::find(p.id)).has_value());
    expect_error(
        model_errc::not_persisted, [&] { run(p.save()); }, "destroyed");

    Product q = saved_product("Tools", 5);
    auto other = run(Product::find_or_throw(q.id));
    trace.clear();
    run(q.delete_());
    EXPECT_TRUE(q.destroyed());
    EXPECT_TRUE(trace.empty()) << "delete_ runs no callbacks";
    expect_error(
        model_errc::record_not_found, [&] { run(other.reload()); }, "no longer exists");
    other.price = 7;
    expect_error(
        model_errc::record_not_found, [&] { run(other.save()); }, "no longer exists");
    EXPECT_FALSE(raw_item(Product::table_name(), {{"id", q.id}}).has_value())
        << "an update never recreates a deleted item";
}

TEST_F(ModelTest, TouchIncrementToggleAndUpdateAttribute)
{
    use_product_table();
    Product p = saved_product("Music", 15);
    const auto before = p.updated_at;
    run(sleep_for(std::chrono::milliseconds(5)));
    trace.clear();
    run(p.touch());
    EXPECT_GT(p.updated_at, before);
    EXPECT_EQ(trace, (std::vector<std::string>{"after_touch"}));
    EXPECT_FALSE(p.changed());
    EXPECT_EQ(run(Product::find_or_throw(p.id)).updated_at, p.updated_at);

    auto other = run(Product::find_or_throw(p.id));
    EXPECT_EQ(run(p.increment("stock_quantity", number(5))), number(5));
    EXPECT_EQ(run(other.increment(&Product::stock_quantity, number(2))), number(7))
        << "ADD is atomic: the other record's increment adds to the first";
    EXPECT_EQ(other.stock_quantity, 7);
    EXPECT_EQ(run(other.decrement("stock_quantity", number(3))), number(4));
    EXPECT_FALSE(other.changed());
    // An undeclared attribute's pending assignment is replaced too: a later save must not
    // write it back over the increment.
    other["visits"] = 5;
    EXPECT_EQ(run(other.increment("visits", number(2))), number(2));
    EXPECT_EQ(other["visits"], attribute_value(2));
    EXPECT_FALSE(other.changed());
    ASSERT_TRUE(run(other.save()));
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", p.id}})->at("visits"), attribute_value(2));

    EXPECT_TRUE(run(p.toggle(&Product::featured)));
    EXPECT_TRUE(p.featured);
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", p.id}})->at("featured"),
              attribute_value(true));
    EXPECT_FALSE(run(p.toggle("featured")));

    // update_attribute skips validations: a blank price is saved.
    EXPECT_TRUE(run(p.update_attribute(&Product::price, std::optional<double>())));
    EXPECT_FALSE(raw_item(Product::table_name(), {{"id", p.id}})->contains("price"));
    // update() validates.
    EXPECT_FALSE(run(p.update({{"category", "Jazz"}})));
    EXPECT_EQ(p.errors().full_messages(), (std::vector<std::string>{"Price can't be blank"}));
    EXPECT_TRUE(run(p.update({{"category", "Jazz"}, {"price", 3}})));
    EXPECT_EQ(raw_item(Product::table_name(), {{"id", p.id}})->at("category"),
              attribute_value("Jazz"));
}

TEST_F(ModelTest, OptimisticLockingRejectsAStaleSave)
{
    Page::set_table_name(make_table("models-pages", {"id"}, std::nullopt));
    Page page;
    page.id = "page-1";
    page.title = "Draft";
    ASSERT_TRUE(run(page.save()));
    EXPECT_EQ(page.lock_version, 0);
    auto a = run(Page::find_or_throw("page-1"));
    auto b = run(Page::find_or_throw("page-1"));
    a.title = "First";
    ASSERT_TRUE(run(a.save()));
    EXPECT_EQ(a.lock_version, 1);
    b.title = "Second";
    expect_error(
        model_errc::stale_object, [&] { run(b.save()); }, "lock_version is 1 in the table, 0");
    EXPECT_EQ(raw_item(Page::table_name(), {{"id", "page-1"}})->at("title"),
              attribute_value("First"));
    expect_error(
        model_errc::stale_object, [&] { run(b.destroy()); }, "changed since it was read");
    run(b.reload());
    EXPECT_EQ(b.lock_version, 1);
    b.title = "Second";
    ASSERT_TRUE(run(b.save()));
    EXPECT_EQ(b.lock_version, 2);
    ASSERT_TRUE(run(b.destroy()));
}

TEST_F(ModelTest, SingleTableInheritanceRoundTrip)
{
    Vehicle::set_table_name(make_table("models-vehicles", {"id"}, std::nullopt));
    Car car;
    car.maker = "Mazda";
    car.doors = 2;
    ASSERT_TRUE(run(car.save()));
    EXPECT_EQ(car.id.rfind("car-", 0), 0u) << car.id;
    Truck truck;
    truck.maker = "Volvo";
    truck.payload_tons = 18.5;
    ASSERT_TRUE(run(truck.save()));
    Vehicle plain;
    plain.maker = "Generic";
    ASSERT_TRUE(run(plain.save()));
    EXPECT_EQ(raw_item(Vehicle::table_name(), {{"id", car.id}})->at("type"),
              attribute_value("Car"));

    const auto found_car = run(Car::find(car.id));
    ASSERT_TRUE(found_car.has_value());
    EXPECT_EQ(found_car->doors, 2);
    EXPECT_EQ(found_car->maker, "Mazda");
    EXPECT_FALSE(run(Car::find(truck.id)).has_value()) << "a Truck is not a Car";

    const auto any = run(Vehicle::polymorphic().find(truck.id));
    ASSERT_TRUE(any.has_value());
    const auto* as_truck = dynamic_cast<const Truck*>(any->get());
    ASSERT_NE(as_truck, nullptr);
    EXPECT_EQ(as_truck->payload_tons, 18.5);

    const auto cars = run(Car::all().all());
    ASSERT_EQ(cars.size(), 1u);
    EXPECT_EQ(cars[0].id, car.id);
    EXPECT_EQ(run(Vehicle::count()), 3);
    auto everything = run(Vehicle::polymorphic().all().all());
    std::multiset<std::string> classes;
    for (const auto& v : everything) classes.insert(v->model_name());
    EXPECT_EQ(classes, (std::multiset<std::string>{"Car", "Truck", "Vehicle"}));

    // A car updated through the base class keeps its type and its own attributes.
    auto as_vehicle = run(Vehicle::find_or_throw(car.id));
    as_vehicle.maker = "Mazda Motor";
    ASSERT_TRUE(run(as_vehicle.save()));
    const auto item = raw_item(Vehicle::table_name(), {{"id", car.id}});
    EXPECT_EQ(item->at("type"), attribute_value("Car"));
    EXPECT_EQ(item->at("doors"), attribute_value(2));
    EXPECT_EQ(item->at("maker"), attribute_value("Mazda Motor"));

    // A polymorphic record saves as its own class.
    auto& truck_record = *everything[0];
    truck_record.write_attribute("maker", "Changed");
    ASSERT_TRUE(run(truck_record.save()));
}

TEST_F(ModelTest, BatchFindOf250KeysInOrder)
{
    use_product_table();
    std::vector<attribute_map> items;
    for (int i = 0; i < 250; ++i) {
        items.push_back({{"id", "bulk-" + std::to_string(i)}, {"price", i}});
    }
    write_all(Product::table_name(), items);
    std::vector<attribute_value> keys;
    for (int i = 249; i >= 0; --i) keys.emplace_back("bulk-" + std::to_string(i));
    keys.emplace_back("bulk-7");
    keys.emplace_back("bulk-missing");
    const auto found = run(Product::find_many(keys));
    ASSERT_EQ(found.size(), 251u);
    for (int i = 0; i < 250; ++i) {
        EXPECT_EQ(found[static_cast<std::size_t>(i)].id, "bulk-" + std::to_string(249 - i));
        EXPECT_EQ(found[static_cast<std::size_t>(i)].price, 249.0 - i);
    }
    EXPECT_EQ(found[250].id, "bulk-7") << "a key asked twice is returned twice";
    expect_error(
        model_errc::record_not_found, [&] { run(Product::find_many_or_throw(keys)); },
        "bulk-missing");
}

TEST_F(ModelTest, FindByUsesTheKeyOrAnIndex)
{
    use_product_table();
    Product p = saved_product("Electronics", 999);
    saved_product("Books", 12);

    const auto by_key = run(Product::find_by({{"id", p.id}}));
    ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(by_key->category, "Electronics");

    const auto by_category = run(Product::find_by({{"category", "Books"}}));
    ASSERT_TRUE(by_category.has_value());
    EXPECT_EQ(by_category->price, 12.0);
    const auto plan = run(Product::where({{"category", "Books"}}).explain());
    EXPECT_EQ(plan.op, query_plan::operation::query);
    EXPECT_EQ(plan.index_name, "by_category") << plan.to_string();

    const auto filtered = run(Product::find_by({{"category", "Electronics"}, {"price.gt", 500}}));
    ASSERT_TRUE(filtered.has_value());
    EXPECT_EQ(filtered->id, p.id);
    EXPECT_FALSE(run(Product::find_by({{"category", "Electronics"}, {"price.lt", 500}})));
    expect_error(
        model_errc::record_not_found,
        [&] {
            run(Product::find_by_or_throw({{"category", "Nothing"}}));
        },
        "Product");
}

TEST_F(ModelTest, CompositeKeysDiscoveredFromTheTable)
{
    Comment::set_table_name(make_table("models-comments", {"post_id"}, key_spec{"comment_id"}));
    for (int i = 0; i < 3; ++i) {
        Comment c;
        c.post_id = "post-1";
        c.comment_id = "c" + std::to_string(i);
        c.body = "comment " + std::to_string(i);
        ASSERT_TRUE(run(c.save()));
    }
    Comment other;
    other.post_id = "post-2";
    other.comment_id = "c0";
    ASSERT_TRUE(run(other.save()));

    const auto one = run(Comment::find("post-1", "c1"));
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->body, "comment 1");
    expect_error(
        errc::invalid_argument, [&] { run(Comment::find("post-1")); }, "give both key values");

    const auto first_of_post = run(Comment::find_by({{"post_id", "post-1"}}));
    ASSERT_TRUE(first_of_post.has_value());
    EXPECT_EQ(first_of_post->comment_id, "c0");
    const auto plan = run(Comment::where({{"post_id", "post-1"}}).explain());
    EXPECT_EQ(plan.op, query_plan::operation::query);
    EXPECT_EQ(plan.index_name, "");

    const auto many = run(Comment::find_many(
        std::vector<attribute_map>{{{"post_id", "post-2"}, {"comment_id", "c0"}},
                                   {{"post_id", "post-1"}, {"comment_id", "c2"}}}));
    ASSERT_EQ(many.size(), 2u);
    EXPECT_EQ(many[0].post_id, "post-2");
    EXPECT_EQ(many[1].comment_id, "c2");

    const auto last = run(Comment::where("post_id", "post-1").last());
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->comment_id, "c2");
    EXPECT_EQ(run(Comment::where("post_id", "post-1").count()), 3);

    auto cursor = Comment::where("post_id", "post-1").cursor();
    std::vector<std::string> ids;
    for (;;) {
        auto c = run(cursor.next());
        if (!c) break;
        ids.push_back(c->comment_id);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"c0", "c1", "c2"}));

    Comment invalid;
    invalid.post_id = "post-3";
    invalid.comment_id = "x";
    invalid.body = std::string(201, 'a');
    EXPECT_FALSE(run(invalid.save()));
    EXPECT_EQ(invalid.errors().full_messages(),
              (std::vector<std::string>{"Body is too long (maximum is 200 characters)"}));

    EXPECT_EQ(run(Comment::where("post_id", "post-1").destroy_all()), 3);
    EXPECT_EQ(run(Comment::count()), 1);
}

TEST_F(ModelTest, FindOrCreateAndInitialize)
{
    use_product_table();
    auto initialized = run(Product::find_or_initialize_by({{"id", "product-foi"}}));
    EXPECT_TRUE(initialized.new_record());
    EXPECT_EQ(initialized.id, "product-foi");

    auto created =
        run(Product::find_or_create_by({{"category", "Plants"}}, [](Product& p) { p.price = 4; }));
    EXPECT_TRUE(created.persisted());
    EXPECT_EQ(created.category, "Plants");
    auto again = run(Product::find_or_create_by({{"category", "Plants"}}));
    EXPECT_EQ(again.id, created.id);

    auto refused = run(Product::find_or_create_by({{"category", "Nothing priced"}}));
    EXPECT_TRUE(refused.new_record());
    EXPECT_EQ(refused.errors().full_messages(), (std::vector<std::string>{"Price can't be blank"}));

    auto made = run(Product::create(Product::from_json(R"({"category":"Cards","price":2.5})")));
    EXPECT_TRUE(made.persisted());
    const auto loaded = run(Product::find_or_throw(made.id));
    EXPECT_EQ(loaded.to_json(), made.to_json());
    expect_error(
        model_errc::record_invalid, [&] { run(Product::create_or_throw(Product{})); },
        "Price can't be blank");
}

TEST_F(ModelTest, UniquenessIsCheckedThroughAnIndex)
{
    use_product_table();
    Product a;
    a.price = 1;
    a.sku = "SKU-1";
    ASSERT_TRUE(run(a.save())) << a.errors().to_string();
    Product b;
    b.price = 2;
    b.sku = "SKU-1";
    EXPECT_FALSE(run(b.save()));
    EXPECT_EQ(b.errors().full_messages(), (std::vector<std::string>{"Sku has already been taken"}));
    a.price = 3;
    EXPECT_TRUE(run(a.save())) << "the record itself does not count: " << a.errors().to_string();
    b.sku = "SKU-2";
    EXPECT_TRUE(run(b.save()));
    const auto plan = run(Product::where({{"sku", "SKU-1"}}).explain());
    EXPECT_EQ(plan.index_name, "by_sku");
}

TEST_F(ModelTest, ExplicitDatabaseAndRelations)
{
    use_product_table();
    clear_default_database();
    Product p;
    p.price = 1;
    p.category = "Explicit";
    p.use_database(database_);
    ASSERT_TRUE(run(p.save()));
    const auto scope = Product::on(database_);
    const auto found = run(scope.find(p.id));
    ASSERT_TRUE(found.has_value());
    Product copy = *found;
    copy.price = 2;
    ASSERT_TRUE(run(copy.save())) << "a found record keeps its database";
    auto created = run(scope.create(Product::from_json(R"({"category":"Explicit","price":5})")));
    EXPECT_TRUE(created.persisted());
    EXPECT_EQ(run(scope.where({{"category", "Explicit"}}).count()), 2);
    std::vector<double> prices;
    run(scope.where("category", "Explicit").each([&](Product& x) { prices.push_back(*x.price); }));
    std::sort(prices.begin(), prices.end());
    EXPECT_EQ(prices, (std::vector<double>{2, 5}));
    expect_error(
        errc::invalid_configuration, [&] { run(Product::find(p.id)); }, "set_default_database");
}

}  // namespace
