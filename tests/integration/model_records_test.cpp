// Models against DynamoDB beyond their declared fields: undeclared attributes, projections and
// partial records, aggregates and pages of model relations, consistent finds, find_each, and
// what replace() and replace_declared() leave of an item. The oracle is the raw item, read
// with a consistent GetItem.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

struct Note : model<Note> {
    std::string pk;
    std::string sk;
    std::string title;
    std::string body;
    std::optional<int> stars;
    std::set<std::string> tags;

    static void define(model_definition<Note>& s)
    {
        s.field("pk", &Note::pk);
        s.field("sk", &Note::sk);
        s.field("title", &Note::title);
        s.field("body", &Note::body);
        s.field("stars", &Note::stars);
        s.field("tags", &Note::tags);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

struct Round : model<Round> {
    std::string pk;
    std::string sk;
    std::vector<int> points;
    std::string label;

    static void define(model_definition<Round>& s)
    {
        s.field("pk", &Round::pk);
        s.field("sk", &Round::sk);
        s.field("points", &Round::points);
        s.field("label", &Round::label);
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
    }
};

class ModelRecordsTest : public test::integration_test {
protected:
    ModelRecordsTest() : database_(db)
    {
        set_default_database(database_);
        table_ = create_table("model-records");
        Note::set_table_name(table_);
    }
    ~ModelRecordsTest() override { clear_default_database(); }

    std::optional<attribute_map> raw_item(std::string pk, std::string sk)
    {
        get_item_request request;
        request.table_name = table_;
        request.key = test::key_of(std::move(pk), std::move(sk));
        request.consistent_read = true;
        return run(db.get_item(request)).item;
    }

    void put_raw(attribute_map item)
    {
        put_item_request request;
        request.table_name = table_;
        request.item = std::move(item);
        run(db.put_item(request));
    }

    /// Five notes of pk "n": sk "1".."5", stars 1..5, tags growing from one to five.
    void put_five_notes()
    {
        for (int i = 1; i <= 5; ++i) {
            string_set tags;
            for (int t = 1; t <= i; ++t) tags.values.push_back("t" + std::to_string(t));
            put_raw({{"pk", "n"},
                     {"sk", std::to_string(i)},
                     {"title", "title " + std::to_string(i)},
                     {"body", "body " + std::to_string(i)},
                     {"stars", i},
                     {"tags", tags}});
        }
    }

    database database_;
    std::string table_;
};

TEST_F(ModelRecordsTest, UndeclaredAttributesAreCreatedUpdatedAndRemoved)
{
    Note n;
    n.pk = "u";
    n.sk = "1";
    n.title = "T";
    n["mood"] = "happy";
    run(n.save_or_throw());
    auto raw = raw_item("u", "1");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->at("mood"), attribute_value("happy")) << "created with PutItem";

    auto found = run(Note::find("u", "1", dynomite::consistent));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->read_attribute("mood"), attribute_value("happy"));
    const attribute_map values{{"mood", "sad"}, {"weather", 21}};
    EXPECT_TRUE(run(found->update(values)));
    raw = raw_item("u", "1");
    EXPECT_EQ(raw->at("mood"), attribute_value("sad"));
    EXPECT_EQ(raw->at("weather"), attribute_value(21));
    EXPECT_EQ(raw->at("title"), attribute_value("T"));

    found->write_attribute("weather", null_value{});
    EXPECT_EQ(found->changed_attributes(), (std::vector<std::string>{"weather"}));
    run(found->save_or_throw());
    raw = raw_item("u", "1");
    EXPECT_FALSE(raw->contains("weather"));
    EXPECT_EQ(raw->at("mood"), attribute_value("sad"));

    run(n.reload());
    EXPECT_EQ(n.read_attribute("mood"), attribute_value("sad"));
    EXPECT_FALSE(n.read_attribute("weather").has_value());
    EXPECT_FALSE(n.changed());
}

TEST_F(ModelRecordsTest, ConsistentFindSeesAWriteAtOnce)
{
    put_raw({{"pk", "c"}, {"sk", "1"}, {"title", "first"}});
    auto found = run(Note::find("c", "1", dynomite::consistent));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->title, "first");
    auto thrown = run(Note::find_or_throw("c", "1", dynomite::consistent));
    EXPECT_EQ(thrown.title, "first");
    EXPECT_FALSE(run(Note::find("c", "2", dynomite::consistent)).has_value());
}

TEST_F(ModelRecordsTest, RelationAggregatesAndFunctions)
{
    put_five_notes();
    auto notes = Note::where("pk", "n");
    EXPECT_EQ(run(notes.sum("stars")), number(15));
    EXPECT_EQ(run(notes.min("stars")), number(1));
    EXPECT_EQ(run(notes.max("stars")), number(5));
    EXPECT_EQ(run(notes.average("stars")), number(3));
    EXPECT_EQ(run(Note::sum("stars")), number(15));
    EXPECT_EQ(run(Note::max("stars")), number(5));
    EXPECT_EQ(run(Note::average("stars")), number(3));
    EXPECT_EQ(run(Note::min("stars")), number(1));

    auto many_tags = run(notes.size_fn("tags.gt", 3).all());
    ASSERT_EQ(many_tags.size(), 2u);
    EXPECT_EQ(many_tags[0].sk, "4");
    auto few_tags = run(notes.size_fn("tags.between", {1, 2}).all());
    EXPECT_EQ(few_tags.size(), 2u);
    put_raw({{"pk", "n"}, {"sk", "6"}, {"stars", "many"}});
    auto numeric = run(notes.attribute_type("stars", attribute_value::kind::n).count());
    EXPECT_EQ(numeric, 5);
}

TEST_F(ModelRecordsTest, ClassLevelExistsLastAndPluck)
{
    EXPECT_FALSE(run(Note::exists()));
    put_five_notes();
    EXPECT_TRUE(run(Note::exists()));
    auto stars = run(Note::pluck("stars"));
    std::vector<int> values;
    for (const auto& v : stars) values.push_back(static_cast<int>(v.as_n().as_int64()));
    std::sort(values.begin(), values.end());
    EXPECT_EQ(values, (std::vector<int>{1, 2, 3, 4, 5}));

    auto last = run(Note::where("pk", "n").last());
    ASSERT_TRUE(last);
    EXPECT_EQ(last->sk, "5");
    try {
        (void)run(Note::last());
        FAIL() << "a Scan has no order: last() must refuse it";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
}

TEST_F(ModelRecordsTest, PagesAndFindEachComeInBatches)
{
    put_five_notes();
    std::vector<std::size_t> sizes;
    std::vector<std::string> seen;
    std::function<void(std::vector<Note>&)> batch = [&](std::vector<Note>& records) {
        sizes.push_back(records.size());
        for (auto& r : records) seen.push_back(r.sk);
    };
    run(Note::find_in_batches(2, batch));
    ASSERT_GE(sizes.size(), 3u);
    EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 2u);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3", "4", "5"}));

    std::vector<std::string> each;
    std::function<void(Note&)> visit = [&](Note& n) {
        EXPECT_TRUE(n.persisted());
        each.push_back(n.sk);
    };
    run(Note::find_each(2, visit));
    std::sort(each.begin(), each.end());
    EXPECT_EQ(each, seen);

    sizes.clear();
    run(Note::where("pk", "n").page_size(3).pages(batch));
    EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 2}));
}

TEST_F(ModelRecordsTest, AProjectedListElementIsReadWithItsWholeList)
{
    // DynamoDB returns "points[2]" of [5, 7, 9] as [9]: in the field, 9 would move to index 0.
    Round::set_table_name(table_);
    put_raw({{"pk", "r"}, {"sk", "1"}, {"points", attribute_list{5, 7, 9}}, {"label", "one"}});
    auto rounds = run(Round::where("pk", "r").project({"pk", "sk", "points[2]", "points[0]"}).all());
    ASSERT_EQ(rounds.size(), 1u);
    EXPECT_EQ(rounds[0].points, (std::vector<int>{5, 7, 9}));
    EXPECT_EQ(rounds[0].loaded_attributes(), (std::vector<std::string>{"pk", "sk", "points"}));
    EXPECT_EQ(rounds[0].label, "") << "not read";
    EXPECT_EQ(run(Round::where("pk", "r").pluck("points[2]")), (std::vector<attribute_value>{9}));
    // So does a model relation made from a relation that projects it.
    const model_relation<Round> from_raw(
        database_.table(table_).where("pk", "r").project({"pk", "sk", "points[1]"}), database_);
    EXPECT_EQ(run(from_raw.all()).at(0).points, (std::vector<int>{5, 7, 9}));
}

TEST_F(ModelRecordsTest, ProjectedRecordsArePartialAndSaveOnlyWhatTheyRead)
{
    put_five_notes();
    auto projected = Note::where("pk", "n").project({"pk", "sk", "title"});
    auto notes = run(projected.all());
    ASSERT_EQ(notes.size(), 5u);
    Note& note = notes[0];
    EXPECT_TRUE(note.is_partial());
    EXPECT_EQ(note.loaded_attributes(), (std::vector<std::string>{"pk", "sk", "title"}));
    EXPECT_TRUE(note.body.empty()) << "not read";
    note.title = "renamed";
    run(note.save_or_throw());
    auto raw = raw_item("n", note.sk);
    EXPECT_EQ(raw->at("title"), attribute_value("renamed"));
    EXPECT_EQ(raw->at("body"), attribute_value("body " + note.sk)) << "what it did not read stays";
    EXPECT_EQ(raw->at("stars"), attribute_value(std::stoi(note.sk)));

    note.stars = 9;
    try {
        run(note.save_or_throw());
        FAIL() << "a change of an attribute not read must be refused";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("\"stars\""), std::string::npos) << e.what();
    }
    try {
        (void)run(note.replace());
        FAIL() << "a full write of a partial record must be refused";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    EXPECT_EQ(raw_item("n", note.sk)->at("stars"), attribute_value(std::stoi(note.sk)));

    run(note.reload());
    EXPECT_FALSE(note.is_partial());
    note.stars = 9;
    run(note.save_or_throw());
    EXPECT_EQ(raw_item("n", note.sk)->at("stars"), attribute_value(9));

    auto first = run(projected.first());
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->is_partial());
    auto cursor = projected.cursor();
    auto streamed = run(cursor.next());
    ASSERT_TRUE(streamed);
    EXPECT_TRUE(streamed->is_partial());
    auto whole = run(Note::where("pk", "n").first());
    EXPECT_FALSE(whole->is_partial());
}

// The stored item: two attributes the model does not declare, an empty string and a NULL in
// declared fields, and an attribute added by another writer after the record was read.
TEST_F(ModelRecordsTest, ReplaceWritesTheLoadedItemAndReplaceDeclaredKeepsTheRest)
{
    const attribute_map stored{{"pk", "r"},       {"sk", "1"},
                               {"title", "T"},    {"body", ""},
                               {"stars", null_value{}}, {"legacy", 7},
                               {"notes", "kept"}};
    put_raw(stored);
    put_raw({{"pk", "r"}, {"sk", "2"}, {"title", "T"}, {"body", ""}, {"stars", null_value{}},
             {"legacy", 7}, {"notes", "kept"}});

    auto replaced = run(Note::find_or_throw("r", "1", dynomite::consistent));
    auto merged = run(Note::find_or_throw("r", "2", dynomite::consistent));
    for (const char* sk : {"1", "2"}) {
        update_item_request later;
        later.table_name = table_;
        later.key = test::key_of("r", sk);
        later.update_expression = "SET #a = :v";
        later.expression_attribute_names = {{"#a", "added_later"}};
        later.expression_attribute_values = attribute_map{{":v", "theirs"}};
        run(db.update_item(later));
    }

    replaced.title = "new";
    run(replaced.replace_or_throw());
    auto raw = raw_item("r", "1");
    EXPECT_EQ(*raw, (attribute_map{{"pk", "r"},
                                   {"sk", "1"},
                                   {"title", "new"},
                                   {"legacy", 7},
                                   {"notes", "kept"}}))
        << "replace() writes what it loaded: the empty string and the NULL are dropped, and "
           "the attribute added since is lost";

    merged.title = "new";
    merged["mood"] = "set";
    run(merged.replace_declared_or_throw());
    raw = raw_item("r", "2");
    EXPECT_EQ(*raw, (attribute_map{{"pk", "r"},
                                   {"sk", "2"},
                                   {"title", "new"},
                                   {"legacy", 7},
                                   {"notes", "kept"},
                                   {"added_later", "theirs"},
                                   {"mood", "set"}}))
        << "replace_declared() keeps every attribute it does not declare or assign";
    EXPECT_EQ(merged.read_attribute("added_later"), attribute_value("theirs"))
        << "the record holds the item written";

    // A record never read, over an existing item.
    Note fresh;
    fresh.pk = "r";
    fresh.sk = "2";
    fresh.title = "fresh";
    fresh.stars = 1;
    run(fresh.replace_declared_or_throw());
    raw = raw_item("r", "2");
    EXPECT_EQ(raw->at("title"), attribute_value("fresh"));
    EXPECT_EQ(raw->at("stars"), attribute_value(1));
    EXPECT_EQ(raw->at("added_later"), attribute_value("theirs"));
    EXPECT_EQ(raw->at("legacy"), attribute_value(7));
    EXPECT_TRUE(fresh.persisted());
}

}  // namespace
