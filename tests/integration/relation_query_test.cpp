// Relations against a real endpoint: the documented examples, the plans explain() shows for
// tables with a global and a local index, the schema cache and the scan policy.
#include "integration/relation_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace dynomite::test {
namespace {

// Products: the partition "store", sorted by id (sk). The global index by_group reads them by
// category (gpk) and name (gsk); the local index by_rank by rank (lsk), carrying the title.
attribute_map product(std::string id, std::string category, std::string name, int price, int rank)
{
    return {{"pk", "store"},
            {"sk", attribute_value(std::move(id))},
            {"gpk", attribute_value(category)},
            {"gsk", attribute_value(name)},
            {"lsk", rank},
            {"title", attribute_value(name)},
            {"category", attribute_value(category)},
            {"price", price}};
}

std::vector<attribute_map> products()
{
    std::vector<attribute_map> items{
        product("p01", "Electronics", "Laptop", 1200, 1),
        product("p02", "Electronics", "Phone", 800, 2),
        product("p03", "Electronics", "Headphones", 150, 3),
        product("p04", "Books", "Novel", 20, 4),
        product("p05", "Electric Tools", "Drill", 90, 5),
        product("p06", std::string(120, 'G'), "Hose", 35, 6),
    };
    items[0].set("pictures", attribute_map{{"slide_view", "laptop.png"}, {"thumb", "l.png"}});
    items[1].set("pictures", attribute_map{{"thumb", "p.png"}});
    items[2].set("pictures", attribute_map{{"slide_view", "headphones.png"}});
    return items;
}

std::vector<std::string> ids_of(const std::vector<attribute_map>& items)
{
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.at("sk").as_s());
    return out;
}

std::vector<std::string> sorted_ids(std::vector<std::string> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

class RelationQuery : public relation_test {
protected:
    void SetUp() override
    {
        table_spec spec;
        spec.global_index = true;
        spec.local_index = true;
        table = create_table("dyn-rel-query", spec);
        write_all(table, products());
    }

    relation products_relation() const { return store.table(table); }
    /// The electronics with a name: all of them are in by_group, which serves the relation.
    relation electronics() const
    {
        return products_relation().where("gpk", "Electronics").attribute_exists("gsk");
    }

    std::string table;
};

TEST_F(RelationQuery, where_and_reads_the_global_index)
{
    // Product.where(category: "Electronics").and("price.lt": 1000). by_group holds only the
    // items with a name (gsk): the relation asks for those, or it would Scan.
    const relation cheap_electronics = products_relation()
                                           .where("gpk", "Electronics")
                                           .attribute_exists("gsk")
                                           .and_("price.lt", 1000);
    EXPECT_EQ(ids_of(run(cheap_electronics.all())), (std::vector<std::string>{"p03", "p02"}))
        << "in the index's order: Headphones, Phone";
    const query_plan plan = run(cheap_electronics.explain());
    EXPECT_EQ(plan.op, query_plan::operation::query) << plan.to_string();
    EXPECT_EQ(plan.index_name, global_index_name);
    const auto& request = std::get<query_request>(plan.request);
    EXPECT_TRUE(request.filter_expression.has_value());

    const relation same = products_relation()
                              .where({{"gpk", "Electronics"}, {"price.lt", 1000}})
                              .attribute_exists("gsk");
    EXPECT_EQ(ids_of(run(same.all())), (std::vector<std::string>{"p03", "p02"}));
    EXPECT_TRUE(warnings.empty());
}

TEST_F(RelationQuery, attribute_exists_on_a_nested_path)
{
    // Product.where(category: "Electronics").attribute_exists("pictures.slide_view")
    const relation with_slides = electronics().attribute_exists("pictures.slide_view");
    EXPECT_EQ(ids_of(run(with_slides.all())), (std::vector<std::string>{"p03", "p01"}));
    const relation without = electronics().attribute_not_exists("pictures.slide_view");
    EXPECT_EQ(ids_of(run(without.all())), (std::vector<std::string>{"p02"}));
}

TEST_F(RelationQuery, begins_with_scans_an_attribute_and_queries_a_sort_key)
{
    // Product.begins_with("category", "Elect")
    const relation electric = products_relation().begins_with("category", "Elect");
    EXPECT_EQ(sorted_ids(ids_of(run(electric.all()))),
              (std::vector<std::string>{"p01", "p02", "p03", "p05"}));
    EXPECT_EQ(run(electric.explain()).op, query_plan::operation::scan);
    ASSERT_EQ(warnings.size(), 1u) << "the default policy warns about the Scan";
    EXPECT_NE(warnings[0].find("would Scan"), std::string::npos) << warnings[0];

    const relation head =
        products_relation().where("gpk", "Electronics").begins_with("gsk", "Head");
    EXPECT_EQ(ids_of(run(head.all())), (std::vector<std::string>{"p03"}));
    const query_plan plan = run(head.explain());
    EXPECT_EQ(plan.op, query_plan::operation::query);
    EXPECT_EQ(plan.key_conditions, 2);
}

TEST_F(RelationQuery, size_fn_compares_sizes)
{
    // Product.size_fn("category.gt", 100)
    const relation long_category = products_relation().size_fn("category.gt", 100);
    EXPECT_EQ(ids_of(run(long_category.all())), (std::vector<std::string>{"p06"}));
    const relation short_category =
        products_relation().where("pk", "store").size_fn("category.lte", 5);
    EXPECT_EQ(ids_of(run(short_category.all())), (std::vector<std::string>{"p04"}));
}

TEST_F(RelationQuery, where_limit_first_finds_an_item_past_the_first_evaluated)
{
    // Post.where(title: "title 1").limit(1).first
    std::vector<attribute_map> posts;
    for (int i = 0; i < 40; ++i) {
        posts.push_back({{"pk", attribute_value("post-" + std::to_string(i))},
                         {"sk", "post"},
                         {"title", attribute_value("title " + std::to_string(i))}});
    }
    write_all(table, posts);
    const relation titled = products_relation().where("title", "title 1").limit(1);
    const auto post = run(titled.first());
    ASSERT_TRUE(post.has_value());
    EXPECT_EQ(post->at("pk").as_s(), "post-1");
    const relation none = products_relation().where("title", "title 99");
    EXPECT_FALSE(run(none.first()).has_value());
    EXPECT_FALSE(run(none.exists()));
    EXPECT_TRUE(run(titled.exists()));
}

TEST_F(RelationQuery, explain_shows_queries_for_sort_key_ranges_on_the_table_and_indexes)
{
    const relation on_table =
        products_relation().where("pk", "store").where("sk.between", {"p02", "p04"});
    const query_plan table_plan = run(on_table.explain());
    EXPECT_EQ(table_plan.op, query_plan::operation::query) << table_plan.to_string();
    EXPECT_EQ(table_plan.index_name, "");
    EXPECT_EQ(table_plan.key_conditions, 2);
    EXPECT_EQ(ids_of(run(on_table.all())), (std::vector<std::string>{"p02", "p03", "p04"}));

    const relation merged =
        products_relation().where("pk", "store").where("sk.gte", "p05").where("sk.lte", "p06");
    const query_plan merged_plan = run(merged.explain());
    EXPECT_EQ(merged_plan.op, query_plan::operation::query) << merged_plan.to_string();
    EXPECT_EQ(merged_plan.key_conditions, 3) << "the partition key and both bounds";
    EXPECT_EQ(ids_of(run(merged.all())), (std::vector<std::string>{"p05", "p06"}));

    const relation on_global = products_relation().where("gpk", "Electronics").where("gsk.gt", "L");
    const query_plan global_plan = run(on_global.explain());
    EXPECT_EQ(global_plan.op, query_plan::operation::query) << global_plan.to_string();
    EXPECT_EQ(global_plan.index_name, global_index_name);
    EXPECT_EQ(global_plan.key_conditions, 2);
    EXPECT_EQ(ids_of(run(on_global.all())), (std::vector<std::string>{"p01", "p02"}));

    const relation on_local =
        products_relation().where("pk", "store").where("lsk.gt", 3).project({"sk", "title"});
    const query_plan local_plan = run(on_local.explain());
    EXPECT_EQ(local_plan.op, query_plan::operation::query) << local_plan.to_string();
    EXPECT_EQ(local_plan.index_name, local_index_name);
    EXPECT_EQ(local_plan.key_conditions, 2);
    const auto local_items = run(on_local.all());
    EXPECT_EQ(ids_of(local_items), (std::vector<std::string>{"p04", "p05", "p06"}));
    EXPECT_FALSE(local_items.front().contains("price")) << "only the projection";
    EXPECT_EQ(local_items.front().at("title").as_s(), "Novel");

    const relation descending = on_local.scan_index_backward();
    EXPECT_EQ(ids_of(run(descending.all())), (std::vector<std::string>{"p06", "p05", "p04"}));
    EXPECT_TRUE(warnings.empty()) << "no Scan";
}

TEST_F(RelationQuery, or_not_and_excluding)
{
    const relation electronics = this->electronics();
    EXPECT_EQ(ids_of(run(electronics.excluding("price.gt", 1000).all())),
              (std::vector<std::string>{"p03", "p02"}));
    EXPECT_EQ(ids_of(run(electronics.not_("gsk.in", {"Phone", "Laptop"}).all())),
              (std::vector<std::string>{"p03"}));
    const relation extremes =
        products_relation().where("pk", "store").where("price.lt", 30).or_("price.gt", 1000);
    // OR takes the partition-key equality under it, so this scans.
    EXPECT_EQ(run(extremes.explain()).op, query_plan::operation::scan);
    EXPECT_EQ(sorted_ids(ids_of(run(extremes.force_scan().all()))),
              (std::vector<std::string>{"p01", "p04"}));
}

TEST_F(RelationQuery, first_last_count_pluck_and_ids)
{
    const relation store_items = products_relation().where("pk", "store");
    EXPECT_EQ(run(store_items.first())->at("sk").as_s(), "p01");
    EXPECT_EQ(run(store_items.last())->at("sk").as_s(), "p06");
    EXPECT_EQ(run(store_items.scan_index_backward().last())->at("sk").as_s(), "p01");
    EXPECT_EQ(run(store_items.count()), 6);
    EXPECT_EQ(run(store_items.where("price.gt", 100).count()), 3);
    EXPECT_EQ(run(store_items.limit(4).count()), 4);

    const relation electronics = this->electronics();
    EXPECT_EQ(run(electronics.last())->at("gsk").as_s(), "Phone");
    EXPECT_EQ(run(electronics.pluck("pictures.slide_view")),
              (std::vector<attribute_value>{"headphones.png", "laptop.png", null_value{}}));
    EXPECT_EQ(run(electronics.ids()),
              (std::vector<attribute_map>{key_of("store", "p03"), key_of("store", "p01"),
                                          key_of("store", "p02")}));
    EXPECT_EQ(run(electronics.sum("price")).text(), "2150");
    EXPECT_EQ(run(electronics.average("price"))->text(), "716.66666666666666666666666666666666667");
    EXPECT_EQ(run(electronics.min("price")), number(150));
    EXPECT_EQ(run(electronics.max("price")), number(1200));

    diagnostics diag;
    const relation unordered = products_relation().where("price.gt", 0);
    auto [ec, item] = run(unordered.last(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("needs a Query"), std::string::npos) << diag.message;
}

TEST_F(RelationQuery, pluck_and_aggregates_read_list_elements_past_the_first)
{
    // DynamoDB returns a projected list element packed to index 0 ("scores[2]" of [5, 7, 9]
    // comes back as [9]): the value must still be the element at the index asked for.
    const auto scores = [](std::string sk, attribute_list values) {
        return attribute_map{{"pk", "scores"},
                             {"sk", attribute_value(std::move(sk))},
                             {"scores", std::move(values)},
                             {"nested", attribute_map{{"runs", attribute_list{
                                                                   attribute_map{{"ms", 10}},
                                                                   attribute_map{{"ms", 30}}}}}}};
    };
    write_all(table, {scores("s1", {5, 7, 9}), scores("s2", {1, 2})});
    const relation scored = products_relation().where("pk", "scores");
    EXPECT_EQ(run(scored.pluck("scores[2]")),
              (std::vector<attribute_value>{9, null_value{}}));
    EXPECT_EQ(run(scored.pluck("scores[1]")), (std::vector<attribute_value>{7, 2}));
    EXPECT_EQ(run(scored.pluck("nested.runs[1].ms")), (std::vector<attribute_value>{30, 30}));
    EXPECT_EQ(run(scored.sum("scores[1]")).text(), "9");
    EXPECT_EQ(run(scored.min("scores[1]")), number(2));
    EXPECT_EQ(run(scored.max("scores[2]")), number(9));
    EXPECT_EQ(run(scored.average("nested.runs[1].ms"))->text(), "30");
    EXPECT_EQ(run(scored.pluck("scores[0]")), (std::vector<attribute_value>{5, 1}));
}

TEST_F(RelationQuery, start_from_continues_after_a_key)
{
    const relation store_items = products_relation().where("pk", "store");
    EXPECT_EQ(ids_of(run(store_items.start_from(key_of("store", "p03")).all())),
              (std::vector<std::string>{"p04", "p05", "p06"}));
    auto c = store_items.limit(2).cursor();
    while (run(c.next())) {
    }
    const std::string position = c.cursor_string();
    EXPECT_EQ(ids_of(run(store_items.start_from(position).all())),
              (std::vector<std::string>{"p03", "p04", "p05", "p06"}));
}

TEST_F(RelationQuery, errors_come_before_any_request)
{
    (void)run(store.schema(table));
    const auto before = db.stats().requests;
    const auto refused = [&](const relation& r) {
        diagnostics diag;
        auto [ec, items] = run(r.all(diag));
        EXPECT_EQ(ec, errc::invalid_argument) << diag.message;
        return diag.message;
    };
    EXPECT_NE(refused(products_relation().where("pk", 5)).find("pk"), std::string::npos);
    EXPECT_NE(refused(products_relation().index_name("by_nothing")).find("by_nothing"),
              std::string::npos);
    EXPECT_FALSE(
        refused(products_relation().index_name(std::string(global_index_name)).consistent_read())
            .empty());
    EXPECT_EQ(db.stats().requests, before);

    EXPECT_THROW((void)products_relation().where("price", "like", 3), error);
    EXPECT_THROW((void)products_relation().where("price.in", std::vector<attribute_value>{}),
                 error);
    EXPECT_THROW((void)products_relation().where("price.between", {1, 2, 3}), error);
}

TEST_F(RelationQuery, the_error_policy_refuses_scans_unless_forced)
{
    database_options options;
    options.scan_policy = scan_policy::error;
    database strict(db, options);
    const relation electric = strict.table(table).begins_with("category", "Elect");
    diagnostics diag;
    auto [ec, items] = run(electric.all(diag));
    EXPECT_EQ(ec, errc::invalid_argument);
    EXPECT_NE(diag.message.find("would Scan"), std::string::npos) << diag.message;
    EXPECT_EQ(run(electric.force_scan().all()).size(), 4u);
    EXPECT_EQ(run(strict.table(table).where("pk", "store").count()), 6);
}

TEST_F(RelationQuery, concurrent_first_uses_share_one_describe_table)
{
    database fresh(db);
    const auto before = db.stats().requests;
    int answered = 0;
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(io, fresh.schema(table), [&](std::exception_ptr e, table_schema schema) {
            EXPECT_FALSE(e);
            EXPECT_EQ(schema.indexes.size(), 2u);
            ++answered;
        });
    }
    bool all_answered = false;
    while (!all_answered) {
        if (io.stopped()) io.restart();
        io.run_one_for(std::chrono::milliseconds(50));
        all_answered = answered == 4;
    }
    EXPECT_EQ(db.stats().requests, before + 1);
    (void)run(fresh.table(table).where("pk", "store").count());
    EXPECT_EQ(db.stats().requests, before + 2) << "the schema came from the cache";
    (void)run(fresh.refresh(table));
    EXPECT_EQ(db.stats().requests, before + 3);

    database_options no_cache;
    no_cache.schema_ttl = std::chrono::steady_clock::duration::zero();
    database uncached(db, no_cache);
    (void)run(uncached.schema(table));
    (void)run(uncached.schema(table));
    EXPECT_EQ(db.stats().requests, before + 5) << "a zero time to live asks every time";
}

TEST_F(RelationQuery, a_missing_table_fails_with_resource_not_found)
{
    diagnostics diag;
    const relation missing = store.table(unique_table_name("dyn-rel-missing"));
    auto [ec, count] = run(missing.count(diag));
    EXPECT_EQ(ec, errc::resource_not_found);
    EXPECT_FALSE(diag.message.empty());
}

}  // namespace
}  // namespace dynomite::test
