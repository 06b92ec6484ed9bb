// Batch save and batch destroy of models against DynamoDB: a thousand records written in
// groups of 25 and all found again, then deleted.
#include "integration/integration_fixture.hpp"

#include <dynomite/query/database.hpp>
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace dynomite;

struct Reading : model<Reading> {
    std::string pk;
    std::string sk;
    std::string title;
    int value = 0;

    static void define(model_definition<Reading>& s)
    {
        s.field("pk", &Reading::pk);
        s.field("sk", &Reading::sk);
        s.field("title", &Reading::title).validates(presence());
        s.field("value", &Reading::value);
        s.partition_key("pk");
        s.sort_key("sk");
        s.timestamps(false);
        s.before_save([](Reading& r) { r.value += 1000; });
    }
};

class ModelBatch : public test::integration_test {
protected:
    ModelBatch() : database_(db) { set_default_database(database_); }
    ~ModelBatch() override { clear_default_database(); }

    std::vector<Reading> readings(int count)
    {
        std::vector<Reading> out(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            auto& r = out[static_cast<std::size_t>(i)];
            r.pk = "p";
            r.sk = "s" + std::to_string(10000 + i);
            r.title = "reading " + std::to_string(i);
            r.value = i;
        }
        return out;
    }

    dynomite::database database_;
};

TEST_F(ModelBatch, a_thousand_records_are_saved_and_all_found_again)
{
    Reading::set_table_name(create_table("model-batch"));
    auto all = readings(1000);
    const auto result = run(batch_save(all));
    ASSERT_TRUE(result.complete()) << result.unprocessed.size() << " unprocessed";
    EXPECT_EQ(result.written.size(), 1000u);
    EXPECT_TRUE(std::all_of(all.begin(), all.end(),
                            [](const Reading& r) { return r.persisted() && !r.changed(); }));
    EXPECT_EQ(all[7].value, 1007) << "before_save ran";
    EXPECT_EQ(run(Reading::where("pk", "p").count()), 1000);

    std::vector<attribute_map> keys;
    for (int i = 0; i < 150; ++i) keys.push_back({{"pk", "p"}, {"sk", all[i * 6].sk}});
    const auto found = run(Reading::find_many(keys));
    ASSERT_EQ(found.size(), 150u);
    EXPECT_EQ(found[149].sk, all[149 * 6].sk) << "in the order asked";
    EXPECT_EQ(found[149].value, 149 * 6 + 1000);
}

TEST_F(ModelBatch, batch_destroy_deletes_the_records_and_invalid_ones_are_not_written)
{
    Reading::set_table_name(create_table("model-batch"));
    auto all = readings(60);
    all[3].title.clear();
    const auto saved = run(batch_save(all));
    EXPECT_EQ(saved.not_saved, (std::vector<std::size_t>{3}));
    EXPECT_EQ(saved.written.size(), 59u);
    EXPECT_TRUE(all[3].errors().contains("title"));
    EXPECT_TRUE(all[3].new_record());

    std::vector<Reading> doomed(all.begin(), all.begin() + 3);
    doomed.insert(doomed.end(), all.begin() + 4, all.begin() + 40);
    const auto destroyed = run(batch_destroy(doomed));
    EXPECT_TRUE(destroyed.complete());
    EXPECT_EQ(destroyed.written.size(), 39u);
    EXPECT_TRUE(doomed[0].destroyed());
    EXPECT_EQ(run(Reading::where("pk", "p").count()), 20);
    EXPECT_FALSE(run(Reading::find("p", all[0].sk)).has_value());
    EXPECT_TRUE(run(Reading::find("p", all[59].sk)).has_value());
}

}  // namespace
