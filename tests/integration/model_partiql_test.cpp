// PartiQL with models against DynamoDB: SELECTs with parameters over several pages, and
// INSERT, UPDATE and DELETE statements with parameters.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

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
