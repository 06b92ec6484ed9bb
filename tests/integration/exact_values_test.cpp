// Values through DynamoDB exactly as written: numbers with all their digits (seed, model JSON),
// floats found by the float they were saved with, strings with lone UTF-16 surrogates, empty
// strings another writer stored kept until cleared, items a model cannot load reported by key,
// and "field.op" keys and or_() read as documented. Each checked with raw GetItem, Query or
// Scan requests.
#include "integration/integration_fixture.hpp"

#include "cli.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

const std::vector<std::string> exact_numbers = {
    "12345678901234567890123456789",
    "98765432109876543210987654321098765432",
    "-98765432109876543210987654321098765432",
    "0.00000000000000000000000000000000000001234567890123456789",
    "-1.2345678901234567890123456789012345678E-130",
    "9.9999999999999999999999999999999999999E+125",
};

struct Account : model<Account> {
    std::string pk;
    std::string sk;
    number balance;
    std::vector<number> history;

    static void define(model_definition<Account>& s)
    {
        s.field("pk", &Account::pk);
        s.field("sk", &Account::sk);
        s.field("balance", &Account::balance);
        s.field("history", &Account::history);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

struct Counter : model<Counter> {
    std::string pk;
    std::string sk;
    int count = 0;
    double ratio = 0;
    std::string name;

    static void define(model_definition<Counter>& s)
    {
        s.field("pk", &Counter::pk);
        s.field("sk", &Counter::sk);
        s.field("count", &Counter::count);
        s.field("ratio", &Counter::ratio);
        s.field("name", &Counter::name);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

struct Gauge : model<Gauge> {
    std::string pk;
    std::string sk;
    float level = 0;

    static void define(model_definition<Gauge>& s)
    {
        s.field("pk", &Gauge::pk);
        s.field("sk", &Gauge::sk);
        s.field("level", &Gauge::level);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

struct Profile : model<Profile> {
    std::string pk;
    std::string sk;
    std::optional<std::string> nick;
    int visits = 0;

    static void define(model_definition<Profile>& s)
    {
        s.field("pk", &Profile::pk);
        s.field("sk", &Profile::sk);
        s.field("nick", &Profile::nick);
        s.field("visits", &Profile::visits);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

class ExactValues : public integration_test {
protected:
    ExactValues() : database_(db) { set_default_database(database_); }
    ~ExactValues() override { clear_default_database(); }

    std::optional<attribute_map> raw_get(const std::string& table, attribute_map key)
    {
        get_item_request get;
        get.table_name = table;
        get.key = std::move(key);
        get.consistent_read = true;
        return run(db.get_item(get)).item;
    }

    std::vector<attribute_map> raw_scan(const std::string& table)
    {
        scan_request scan;
        scan.table_name = table;
        scan.consistent_read = true;
        return run(db.scan(scan)).items;
    }

    database database_;
};

// DynamoDB may respell a number (1.50 as 1.5): compared by exact decimal value, and integers,
// which it keeps as written, by text.
void expect_exact(const attribute_value* stored, const std::string& written)
{
    ASSERT_TRUE(stored && stored->is_n()) << written;
    EXPECT_EQ(stored->as_n(), number(written)) << stored->as_n().text() << " for " << written;
    if (written.find_first_of(".eE") == std::string::npos)
        EXPECT_EQ(stored->as_n().text(), written);
}

TEST_F(ExactValues, SeedWritesEveryDigit)
{
    const std::string ns = unique_table_name("seed");
    const std::string table = ns + "_numbers";
    track_table(table);
    run(db.create_table(table_request(table, {})));
    run(wait_until_active(table));

    std::string seed = R"({"numbers": [)";
    for (std::size_t i = 0; i < exact_numbers.size(); ++i) {
        seed += std::string(i ? "," : "") + R"({"pk": "n", "sk": ")" + std::to_string(i) +
                R"(", "value": )" + exact_numbers[i] + R"(, "list": [)" + exact_numbers[i] + "]}";
    }
    seed += "]}";
    const auto dir = std::filesystem::temp_directory_path() / ("dynomite_" + ns);
    std::filesystem::create_directories(dir);
    const auto file = dir / "seed.json";
    std::ofstream(file) << seed;
    std::ostringstream out;
    std::ostringstream err;
    const int status = cli::run_command_line(
        {"--endpoint", integration_endpoint(), "--namespace", ns, "seed", file.string()}, out, err);
    std::filesystem::remove_all(dir);
    ASSERT_EQ(status, cli::exit_ok) << err.str();

    for (std::size_t i = 0; i < exact_numbers.size(); ++i) {
        const auto item = raw_get(table, key_of("n", std::to_string(i)));
        ASSERT_TRUE(item);
        expect_exact(item->find("value"), exact_numbers[i]);
        expect_exact(&item->at("list").as_l().at(0), exact_numbers[i]);
    }
}

TEST_F(ExactValues, ModelJsonKeepsEveryDigitThroughDynamoDb)
{
    const std::string table = create_table("accounts");
    Account::set_table_name(table);
    for (std::size_t i = 0; i < exact_numbers.size(); ++i) {
        const std::string& text = exact_numbers[i];
        Account written = Account::from_json(R"({"pk": "a", "sk": ")" + std::to_string(i) +
                                             R"(", "balance": )" + text + R"(, "history": [)" +
                                             text + "]}");
        EXPECT_EQ(written.balance.text(), text);
        run(written.save_or_throw());

        const auto item = raw_get(table, key_of("a", std::to_string(i)));
        ASSERT_TRUE(item);
        expect_exact(item->find("balance"), text);
        expect_exact(&item->at("history").as_l().at(0), text);

        const auto read = run(Account::on(database_).find("a", std::to_string(i)));
        ASSERT_TRUE(read);
        EXPECT_EQ(read->balance, number(text));
        const Account again = Account::from_json(read->to_json());
        EXPECT_EQ(again.balance, number(text));
        EXPECT_EQ(again.balance.text(), read->balance.text());
    }
}

TEST_F(ExactValues, AnItemAModelCannotLoadIsNamedOrSkipped)
{
    const std::string table = create_table("counters");
    Counter::set_table_name(table);
    write_all(table, {
                         {{"pk", "c"}, {"sk", "1"}, {"count", number("1.5")}},
                         {{"pk", "c"}, {"sk", "2"}, {"count", 3}, {"name", "fine"}},
                         {{"pk", "c"},
                          {"sk", "3"},
                          {"ratio", number("98765432109876543210987654321098765432")}},
                         {{"pk", "c"}, {"sk", "4"}, {"name", null_value{}}},
                         {{"pk", "c"}, {"sk", "5"}, {"count", 5}},
                     });
    const auto counters = Counter::on(database_).where("pk", "c");

    try {
        (void)run(counters.all());
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::number_precision_loss);
        EXPECT_NE(e.diag().message.find("Counter.count of item {pk: \"c\", sk: \"1\"}"),
                  std::string::npos)
            << e.diag().message;
        EXPECT_NE(e.diag().message.find("cannot load 1.5"), std::string::npos) << e.diag().message;
    }
    try {
        (void)run(Counter::on(database_).find_many(
            std::vector<attribute_map>{key_of("c", "2"), key_of("c", "4")}));
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_NE(e.diag().message.find("Counter.name of item {pk: \"c\", sk: \"4\"}"),
                  std::string::npos)
            << e.diag().message;
        EXPECT_NE(e.diag().message.find("cannot load NULL"), std::string::npos);
    }

    const bad_items skipped;
    const auto loaded = run(counters.on_bad_item(skipped).all());
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].sk, "2");
    EXPECT_EQ(loaded[0].name, "fine");
    EXPECT_EQ(loaded[1].sk, "5");
    const auto bad = skipped.items();
    ASSERT_EQ(bad.size(), 3u);
    EXPECT_EQ(bad[0].key, key_of("c", "1"));
    EXPECT_EQ(bad[0].field, "count");
    EXPECT_EQ(bad[0].value, attribute_value(number("1.5")));
    EXPECT_EQ(bad[1].key, key_of("c", "3"));
    EXPECT_EQ(bad[1].field, "ratio");
    EXPECT_EQ(bad[1].code, errc::number_precision_loss);
    EXPECT_EQ(bad[2].key, key_of("c", "4"));
    EXPECT_EQ(bad[2].field, "name");
    EXPECT_TRUE(bad[2].value.is_null());
    EXPECT_NE(bad[2].message.find("{pk: \"c\", sk: \"4\"}"), std::string::npos);

    // The cursor and each() skip the same items.
    const bad_items from_each;
    std::vector<std::string> seen;
    run(counters.on_bad_item(from_each).each([&](Counter& c) { seen.push_back(c.sk); }));
    EXPECT_EQ(seen, (std::vector<std::string>{"2", "5"}));
    EXPECT_EQ(from_each.size(), 3u);
    const bad_items from_cursor;
    auto cursor = counters.page_size(1).on_bad_item(from_cursor).cursor();
    seen.clear();
    while (auto record = run(cursor.next())) seen.push_back(record->sk);
    EXPECT_EQ(seen, (std::vector<std::string>{"2", "5"}));
    EXPECT_EQ(from_cursor.size(), 3u);
}

TEST_F(ExactValues, LoneSurrogatesReadAndWriteBackUnchanged)
{
    const std::string table = create_table("surrogates");
    // As the JavaScript SDK writes "\ud800": the client sends the same escape.
    const std::string lone_high = "a\xed\xa0\x80z";
    const std::string lone_low = "\xed\xb0\x80";
    write_all(table, {{{"pk", "s"}, {"sk", "1"}, {"text", lone_high}, {"other", lone_low}}});

    const auto item = raw_get(table, key_of("s", "1"));
    ASSERT_TRUE(item);
    EXPECT_EQ(item->at("text").as_s(), lone_high);
    EXPECT_EQ(item->at("other").as_s(), lone_low);
    const auto scanned = raw_scan(table);
    ASSERT_EQ(scanned.size(), 1u);
    EXPECT_EQ(scanned[0].at("text").as_s(), lone_high);
    const auto queried = run(database_.table(table).where("pk", "s").all());
    ASSERT_EQ(queried.size(), 1u);
    EXPECT_EQ(queried[0].at("other").as_s(), lone_low);

    // Read, modify another attribute, write back: the string is unchanged.
    attribute_map changed = *item;
    changed.set("extra", 1);
    write_all(table, {changed});
    const auto again = raw_get(table, key_of("s", "1"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->at("text").as_s(), lone_high);
    EXPECT_EQ(again->at("other").as_s(), lone_low);
    // DynamoDB matches it as the same string.
    const auto found = run(database_.table(table)
                               .where("pk", "s")
                               .where("text", attribute_value(lone_high))
                               .count());
    EXPECT_EQ(found, 1);
}

TEST_F(ExactValues, AFloatFieldIsFoundByTheSameFloat)
{
    // A saved float and the float in a condition must be the same DynamoDB number: were the
    // condition's float widened to a double first (0.1f as 0.10000000149011612), no query
    // would find the record.
    const std::string table = create_table("gauges");
    Gauge::set_table_name(table);
    const std::vector<float> levels{0.1f, 1.0f / 3.0f, -2.5e-7f, 16777217.0f, 3.4e38f};
    for (std::size_t i = 0; i < levels.size(); ++i) {
        Gauge g;
        g.pk = "g";
        g.sk = std::to_string(i);
        g.level = levels[i];
        ASSERT_TRUE(run(g.save()));
    }
    for (std::size_t i = 0; i < levels.size(); ++i) {
        const auto gauges = Gauge::on(database_).where("pk", "g");
        const auto found = run(gauges.where("level", levels[i]).all());
        ASSERT_EQ(found.size(), 1u) << "level " << levels[i];
        EXPECT_EQ(found[0].sk, std::to_string(i));
        EXPECT_EQ(found[0].level, levels[i]);
        const auto stored = raw_get(table, {{"pk", "g"}, {"sk", std::to_string(i)}});
        ASSERT_TRUE(stored);
        EXPECT_EQ(stored->at("level"), attribute_value(levels[i]));
    }
}

TEST_F(ExactValues, AnEmptyStringTheItemHoldsIsKeptUntilCleared)
{
    // Another writer stored nick as "" (DynamoDB keeps empty strings outside keys). The model
    // reads it as an engaged optional, though an empty string is stored as no attribute.
    const std::string table = create_table("profiles");
    Profile::set_table_name(table);
    write_all(table, {{{"pk", "p"}, {"sk", "1"}, {"nick", ""}, {"visits", 1}},
                      {{"pk", "p"}, {"sk", "2"}, {"nick", ""}, {"visits", 1}},
                      {{"pk", "p"}, {"sk", "3"}, {"nick", null_value{}}, {"visits", 1}}});
    const auto profiles = Profile::on(database_).where("pk", "p");
    const auto load = [&](const char* sk) {
        auto found = run(profiles.where("sk", sk).first());
        EXPECT_TRUE(found) << sk;
        return found.value_or(Profile{});
    };

    // Left alone, through a save of another field: the "" stays.
    Profile kept = load("1");
    ASSERT_EQ(kept.nick, std::optional<std::string>(""));
    kept.visits = 2;
    ASSERT_TRUE(run(kept.save()));
    auto item = raw_get(table, key_of("p", "1"));
    ASSERT_TRUE(item);
    EXPECT_EQ(item->at("nick"), attribute_value("")) << "a field left alone is not written";
    // Cleared after that save: REMOVEd, so that reading it gives no value, as assigned.
    kept.nick.reset();
    ASSERT_TRUE(run(kept.save()));
    item = raw_get(table, key_of("p", "1"));
    ASSERT_TRUE(item);
    EXPECT_FALSE(item->contains("nick"));
    EXPECT_EQ(item->at("visits"), attribute_value(2));
    EXPECT_EQ(load("1").nick, std::nullopt);

    // Cleared straight after loading, and after reload().
    Profile cleared = load("2");
    run(cleared.reload());
    cleared.nick.reset();
    EXPECT_EQ(cleared.changed_attributes(), (std::vector<std::string>{"nick"}));
    ASSERT_TRUE(run(cleared.save()));
    item = raw_get(table, key_of("p", "2"));
    ASSERT_TRUE(item);
    EXPECT_FALSE(item->contains("nick"));
    EXPECT_EQ(load("2").nick, std::nullopt);

    // NULL set to "": both are stored as nothing, so the NULL is REMOVEd.
    Profile nulled = load("3");
    ASSERT_EQ(nulled.nick, std::nullopt);
    nulled.nick = "";
    ASSERT_TRUE(run(nulled.save()));
    item = raw_get(table, key_of("p", "3"));
    ASSERT_TRUE(item);
    EXPECT_FALSE(item->contains("nick"));
}

TEST_F(ExactValues, OperatorKeysAndOrGroupingReadAsDocumented)
{
    const std::string table = create_table("operators");
    std::vector<attribute_map> items;
    for (int i = 0; i < 8; ++i) {
        items.push_back({{"pk", "o"},
                         {"sk", "i" + std::to_string(i)},
                         {"price", i},
                         {"category", i % 2 ? "Books" : "Music"},
                         {"pictures", attribute_map{{"slide_view", i % 3 == 0}}}});
    }
    write_all(table, items);
    const relation all = database_.table(table).where("pk", "o");
    const auto sks = [&](const relation& r) {
        std::vector<std::string> out;
        for (const auto& item : run(r.all())) out.push_back(item.at("sk").as_s());
        std::sort(out.begin(), out.end());
        return out;
    };
    // The oracle: a consistent scan, filtered here.
    const auto expected = [&](auto keep) {
        std::vector<std::string> out;
        for (const auto& item : raw_scan(table))
            if (keep(item)) out.push_back(item.at("sk").as_s());
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto price = [](const attribute_map& item) { return item.at("price").as_n().as_int64(); };
    const auto books = [](const attribute_map& item) {
        return item.at("category").as_s() == "Books";
    };

    EXPECT_EQ(sks(all.where("price.LT", 3)), expected([&](auto& i) { return price(i) < 3; }));
    EXPECT_EQ(sks(all.where("price.Gte", 6)), expected([&](auto& i) { return price(i) >= 6; }));
    EXPECT_THROW((void)all.where("price.like", 3), error);
    EXPECT_THROW((void)all.where("price.lessthan", 3), error);
    EXPECT_EQ(sks(all.where("pictures.slide_view", true)), expected([](auto& i) {
                  return i.at("pictures").as_m().at("slide_view").as_bool();
              }));

    // where(a).or_(b).where(c) is a OR (b AND c).
    const relation grouped =
        all.force_scan().where("price", 0).or_("category", "Books").where("price.gt", 4);
    EXPECT_EQ(sks(grouped),
              expected([&](auto& i) { return price(i) == 0 || (books(i) && price(i) > 4); }));

    const query_plan plan = run(grouped.explain());
    EXPECT_NE(plan.reason.find("\"price.gt\" read as the path price with operator gt"),
              std::string::npos)
        << plan.reason;
    EXPECT_NE(plan.reason.find("(pk = \"o\" AND price = 0) OR (category = \"Books\" AND price > 4)"),
              std::string::npos)
        << plan.reason;
    const query_plan nested = run(all.where("pictures.slide_view", true).explain());
    EXPECT_NE(nested.reason.find(
                  "\"pictures.slide_view\" read as the nested path pictures.slide_view"),
              std::string::npos)
        << nested.reason;
    EXPECT_NE(nested.to_string().find("read as the nested path"), std::string::npos);
}

}  // namespace
}  // namespace dynomite::test
