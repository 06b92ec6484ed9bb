// PartiQL with models against DynamoDB: SELECTs with parameters over several pages, cursors
// resumed between pages, SELECTs of some attributes or of an index that does not project every
// attribute giving partial records, and INSERT, UPDATE and DELETE statements with parameters.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;

struct Line : model<Line> {
    std::string pk;
    std::string sk;
    std::string title;
    int rank = 0;

    static void define(model_definition<Line>& s)
    {
        s.field("pk", &Line::pk);
        s.field("sk", &Line::sk);
        s.field("title", &Line::title);
        s.field("rank", &Line::rank);
        s.partition_key("pk");
        s.sort_key("sk");
        s.timestamps(false);
    }
};

class ModelPartiql : public test::integration_test {
protected:
    ModelPartiql() : database_(db) { set_default_database(database_); }
    ~ModelPartiql() override { clear_default_database(); }

    dynomite::database database_;
};

/// The line p/s1, titled "kept" and ranked 7, not saved yet.
Line kept_line()
{
    Line line;
    line.pk = "p";
    line.sk = "s1";
    line.title = "kept";
    line.rank = 7;
    return line;
}

TEST_F(ModelPartiql, a_select_with_parameters_reads_every_page)
{
    const std::string table = create_table("model-pql");
    Line::set_table_name(table);
    std::vector<Line> lines(30);
    for (int i = 0; i < 30; ++i) {
        auto& l = lines[static_cast<std::size_t>(i)];
        l.pk = i < 25 ? "p" : "q";
        l.sk = "s" + std::to_string(100 + i);
        l.rank = i % 2;
    }
    ASSERT_TRUE(run(batch_save(lines)).complete());

    pql_options paged;
    paged.limit = 4;
    const std::string statement = "SELECT * FROM \"" + table + "\" WHERE pk = ? AND rank = ?";
    const auto odd = run(find_by_pql<Line>(statement, {"p", 1}, paged));
    EXPECT_EQ(odd.size(), 12u);
    EXPECT_TRUE(std::all_of(odd.begin(), odd.end(), [](const Line& l) {
        return l.rank == 1 && l.pk == "p" && l.persisted();
    }));

    pql_cursor<Line> cursor(database_, "SELECT * FROM \"" + table + "\" WHERE pk = ?", {"p"},
                            paged);
    std::size_t pages = 0;
    std::size_t records = 0;
    for (;;) {
        auto page = run(cursor.next_page());
        if (!page) break;
        ++pages;
        records += page->size();
    }
    EXPECT_EQ(records, 25u);
    EXPECT_GE(pages, 7u) << "4 items a page";
}

TEST_F(ModelPartiql, a_cursor_gives_no_token_inside_a_page)
{
    const std::string table = create_table("model-pql-resume");
    Line::set_table_name(table);
    std::vector<Line> lines(10);
    for (int i = 0; i < 10; ++i) {
        lines[static_cast<std::size_t>(i)].pk = "p";
        lines[static_cast<std::size_t>(i)].sk = "s" + std::to_string(100 + i);
    }
    ASSERT_TRUE(run(batch_save(lines)).complete());
    pql_options paged;
    paged.limit = 4;
    const std::string statement = "SELECT * FROM \"" + table + "\" WHERE pk = ?";

    // Inside a page, resuming from the token after it would pass over the rest of it.
    pql_cursor<Line> first(database_, statement, {"p"}, paged);
    std::set<std::string> seen;
    for (int i = 0; i < 2; ++i) seen.insert(run(first.next())->sk);
    EXPECT_EQ(first.unread_in_page(), 2u);
    try {
        (void)first.next_token();
        ADD_FAILURE() << "a token inside a page";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("2 records of the page"), std::string::npos)
            << e.what();
    }
    for (int i = 0; i < 2; ++i) seen.insert(run(first.next())->sk);
    const auto token = first.next_token();
    ASSERT_TRUE(token);
    pql_cursor<Line> resumed(database_, statement, {"p"}, paged);
    resumed.resume(*token);
    std::size_t again = 0;
    while (auto line = run(resumed.next())) again += seen.insert(line->sk).second ? 0 : 1;
    EXPECT_EQ(seen.size(), 10u);
    EXPECT_EQ(again, 0u);

    // next_page() leaves the records next() has not returned; resume() drops them.
    pql_cursor<Line> mixed(database_, statement, {"p"}, paged);
    const std::string head = run(mixed.next())->sk;
    const auto second_page = run(mixed.next_page());
    ASSERT_TRUE(second_page);
    EXPECT_EQ(second_page->size(), 4u);
    EXPECT_NE(run(mixed.next())->sk, head) << "the first page's second record";
    EXPECT_EQ(mixed.unread_in_page(), 2u);
    mixed.resume(*token);
    EXPECT_EQ(mixed.unread_in_page(), 0u);
    EXPECT_EQ(run(mixed.next())->sk, second_page->front().sk);
}

TEST_F(ModelPartiql, a_select_of_some_attributes_gives_partial_records)
{
    const std::string table = create_table("model-pql-partial");
    Line::set_table_name(table);
    Line line = kept_line();
    ASSERT_TRUE(run(line.save()));

    const std::string statement =
        "SELECT pk, \"sk\", rank FROM \"" + table + "\" WHERE pk = ? AND sk = ?";
    auto found = run(find_by_pql<Line>(statement, {"p", "s1"}));
    ASSERT_EQ(found.size(), 1u);
    Line& partial = found[0];
    EXPECT_TRUE(partial.is_partial());
    EXPECT_EQ(partial.loaded_attributes(), (std::vector<std::string>{"pk", "sk", "rank"}));
    EXPECT_EQ(partial.title, "") << "not read";

    // A full write would blank the title; a save of an attribute not read could overwrite it.
    try {
        (void)run(batch_save(found));
        ADD_FAILURE() << "a batch put of a partial record was sent";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    partial.title = "changed";
    try {
        (void)run(partial.save());
        ADD_FAILURE() << "a change of an attribute not read was sent";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    partial.restore_attribute("title");
    partial.rank = 8;
    ASSERT_TRUE(run(partial.save()));
    const auto stored = run(Line::find_or_throw("p", "s1"));
    EXPECT_EQ(stored.title, "kept");
    EXPECT_EQ(stored.rank, 8);

    const auto page = run(find_page_by_pql<Line>(database_, statement, {"p", "s1"}, {}, {}));
    ASSERT_EQ(page.records.size(), 1u);
    EXPECT_TRUE(page.records[0].is_partial());
    const std::string everything = "SELECT * FROM \"" + table + "\" WHERE pk = ?";
    EXPECT_FALSE(run(find_by_pql<Line>(everything, {"p"})).at(0).is_partial());
}

TEST_F(ModelPartiql, a_select_of_everything_an_index_holds_gives_what_it_projects)
{
    test::table_spec spec;
    spec.global_index = true;  // projects ALL
    spec.local_index = true;   // projects the keys and title
    auto request = table_request(test::unique_table_name("model-pql-index"), spec);
    global_secondary_index keys_only;
    keys_only.index_name = "by_group_keys";
    keys_only.key_schema = {{"gpk", key_type::hash}};
    keys_only.projection.projection_type = projection_type::keys_only;
    request.global_secondary_indexes.push_back(std::move(keys_only));
    const std::string table = request.table_name;
    track_table(table);
    run(db.create_table(std::move(request)));
    run(wait_until_active(table));
    Line::set_table_name(table);
    Line line = kept_line();
    line["gpk"] = "g";
    line["gsk"] = "h";
    line["lsk"] = 3;
    ASSERT_TRUE(run(line.save()));
    const auto sorted_loaded = [](const Line& l) {
        auto names = l.loaded_attributes();
        std::sort(names.begin(), names.end());
        return names;
    };

    const std::string keys = "SELECT * FROM \"" + table + "\".by_group_keys WHERE gpk = ?";
    auto found = run(find_by_pql<Line>(keys, {"g"}));
    ASSERT_EQ(found.size(), 1u);
    Line& partial = found[0];
    EXPECT_TRUE(partial.is_partial());
    EXPECT_EQ(sorted_loaded(partial), (std::vector<std::string>{"gpk", "pk", "sk"}));
    EXPECT_EQ(partial.title, "") << "not projected";
    try {
        (void)run(partial.replace());
        ADD_FAILURE() << "a put of a record read from a KEYS_ONLY index was sent";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    try {
        (void)run(batch_save(found));
        ADD_FAILURE() << "a batch put of a record read from a KEYS_ONLY index was sent";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
    }
    const auto stored = run(Line::find_or_throw("p", "s1"));
    EXPECT_EQ(stored.title, "kept");
    EXPECT_EQ(stored.rank, 7);

    pql_cursor<Line> cursor(database_, keys, {"g"});
    auto record = run(cursor.next());
    ASSERT_TRUE(record);
    EXPECT_TRUE(record->is_partial());
    const auto page = run(find_page_by_pql<Line>(database_, keys, {"g"}, {}, {}));
    ASSERT_EQ(page.records.size(), 1u);
    EXPECT_TRUE(page.records[0].is_partial());

    const std::string included = "SELECT * FROM \"" + table + "\".\"" +
                                 std::string(test::local_index_name) + "\" WHERE pk = ?";
    const auto with_title = run(find_by_pql<Line>(included, {"p"}));
    ASSERT_EQ(with_title.size(), 1u);
    EXPECT_EQ(sorted_loaded(with_title[0]),
              (std::vector<std::string>{"lsk", "pk", "sk", "title"}));
    EXPECT_EQ(with_title[0].title, "kept");

    const std::string all = "SELECT * FROM \"" + table + "\".\"" +
                            std::string(test::global_index_name) + "\" WHERE gpk = ?";
    const auto whole = run(find_by_pql<Line>(all, {"g"}));
    ASSERT_EQ(whole.size(), 1u);
    EXPECT_FALSE(whole[0].is_partial());
    EXPECT_EQ(whole[0].rank, 7);
}

TEST_F(ModelPartiql, insert_update_and_delete_statements_take_parameters)
{
    const std::string table = create_table("model-pql");
    Line::set_table_name(table);
    const std::string quoted = "\"" + table + "\"";
    run(execute_pql("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?, 'title': ?}",
                    {"p", "s1", "it's \"quoted\""}));
    auto inserted = run(Line::find("p", "s1"));
    ASSERT_TRUE(inserted.has_value());
    EXPECT_EQ(inserted->title, "it's \"quoted\"") << "a parameter, not text";

    run(execute_pql("UPDATE " + quoted + " SET title = ? WHERE pk = ? AND sk = ?",
                    {"changed", "p", "s1"}));
    EXPECT_EQ(run(Line::find_or_throw("p", "s1")).title, "changed");

    try {
        run(execute_pql("INSERT INTO " + quoted + " VALUE {'pk': ?, 'sk': ?}", {"p", "s1"}));
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::duplicate_item) << e.what();
    }

    run(execute_pql("DELETE FROM " + quoted + " WHERE pk = ? AND sk = ?", {"p", "s1"}));
    EXPECT_FALSE(run(Line::find("p", "s1")).has_value());
}

}  // namespace
