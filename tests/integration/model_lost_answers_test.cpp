// Records with a lock field written through a proxy that forwards each request to DynamoDB and
// then drops half the answers: every create, update, touch, replace_declared and destroy is
// conditional, so the client's retry of an applied one fails its condition on the item it left.
// Each must still succeed, and a Scan straight to the table is the oracle of what they left.
#include "integration/integration_fixture.hpp"
#include "support/fault_proxy.hpp"

#include <dynomite/model.hpp>
#include <dynomite/query/database.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <string>

namespace {

using namespace dynomite;

struct Draft : model<Draft> {
    std::string pk;
    std::string sk;
    std::string title;
    int lock_version = 0;
    std::chrono::sys_time<std::chrono::milliseconds> created_at{};
    std::chrono::sys_time<std::chrono::milliseconds> updated_at{};

    static void define(model_definition<Draft>& s)
    {
        s.field("pk", &Draft::pk);
        s.field("sk", &Draft::sk);
        s.field("title", &Draft::title);
        s.field("lock_version", &Draft::lock_version);
        s.partition_key("pk");
        s.sort_key("sk");
        s.locking("lock_version");
        s.no_generated_id();
    }
};

class ModelLostAnswers : public test::integration_test {
protected:
    /// The table's items, read straight from the endpoint: sk to (title, lock_version).
    std::map<std::string, std::pair<std::string, std::string>> stored()
    {
        std::map<std::string, std::pair<std::string, std::string>> out;
        scan_request request;
        request.table_name = Draft::table_name();
        request.consistent_read = true;
        for (const auto& item : run(db.scan(request)).items) {
            out[item.at("sk").as_s()] = {item.at("title").as_s(),
                                         item.at("lock_version").as_n().text()};
        }
        return out;
    }
};

TEST_F(ModelLostAnswers, locked_writes_whose_answers_are_lost_succeed_once)
{
    Draft::set_table_name(create_table("model-lost-answers"));
    test::fault_proxy_options options;
    options.upstream = db.endpoint_url();
    options.fault_rate = 0.5;
    options.seed = 11;  // the same faults on every run
    options.weights = test::only(test::fault_kind::reset_after_forward);
    test::fault_proxy proxy(options);
    auto config = base_config();
    config.endpoint = proxy.url();
    config.retry.max_attempts = 10;
    database lossy(client(io.get_executor(), config));

    constexpr int count = 8;
    std::vector<Draft> drafts(count);
    for (int i = 0; i < count; ++i) {
        drafts[i].use_database(lossy);
        drafts[i].pk = "d";
        drafts[i].sk = std::to_string(i);
        drafts[i].title = "first";
        ASSERT_TRUE(run(drafts[i].save())) << "create " << i;
    }
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < count; ++i) {
            drafts[i].title = "edit " + std::to_string(round);
            ASSERT_TRUE(run(drafts[i].save())) << "update " << round << " of " << i;
        }
    }
    const auto after_updates = stored();
    ASSERT_EQ(after_updates.size(), static_cast<std::size_t>(count));
    for (const auto& [sk, stored_values] : after_updates) {
        EXPECT_EQ(stored_values.first, "edit 1") << sk;
        EXPECT_EQ(stored_values.second, "2") << sk << ": each update moved the lock once";
    }
    for (int i = 0; i < count; ++i) {
        ASSERT_NO_THROW(run(drafts[i].touch())) << "touch " << i;
        EXPECT_EQ(drafts[i].lock_version, 3);
    }
    for (const auto& [sk, stored_values] : stored()) {
        EXPECT_EQ(stored_values.second, "3") << sk << ": the touch moved the lock once";
    }
    for (int i = 0; i < count; ++i) {
        drafts[i].title = "declared";
        ASSERT_TRUE(run(drafts[i].replace_declared())) << "replace_declared " << i;
        EXPECT_EQ(drafts[i].lock_version, 4);
    }
    for (const auto& [sk, stored_values] : stored()) {
        EXPECT_EQ(stored_values.first, "declared") << sk;
        EXPECT_EQ(stored_values.second, "4") << sk << ": replace_declared moved the lock once";
    }
    for (int i = 0; i < count; ++i) {
        ASSERT_TRUE(run(drafts[i].destroy())) << "destroy " << i;
        EXPECT_TRUE(drafts[i].destroyed());
    }
    EXPECT_TRUE(stored().empty());
    const std::size_t lost = proxy.faults(test::fault_kind::reset_after_forward);
    EXPECT_GT(lost, 0u);
    std::cout << "locked writes: " << count * 6 << " through " << lost
              << " answers lost after the write\n";
}

}  // namespace
