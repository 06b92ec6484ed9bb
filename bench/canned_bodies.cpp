#include "canned_bodies.hpp"

#include "bench/bench.hpp"
#include "bench/bench_item.hpp"

#include "core/json_codec.hpp"
#include "core/json_writer.hpp"

namespace dynomite::bench {

std::string get_item_body(std::uint32_t payload_size)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("Item");
    detail::write_item(w, cli::bench::make_bench_item(cli::bench::item_sort_key(0),
                                                      cli::bench::make_payload(payload_size)));
    w.end_object();
    return body;
}

std::string page_body(std::uint32_t items, bool more, std::uint32_t payload_size)
{
    const std::string payload = cli::bench::make_payload(payload_size);
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.member("Count", static_cast<std::int64_t>(items));
    w.key("Items");
    w.begin_array();
    for (std::uint32_t i = 0; i < items; ++i) {
        detail::write_item(w, cli::bench::make_bench_item(cli::bench::item_sort_key(i), payload));
    }
    w.end_array();
    if (more && items > 0) {
        w.key("LastEvaluatedKey");
        detail::write_item(w, attribute_map{{"pk", std::string(cli::bench::partition_value)},
                                            {"sk", cli::bench::item_sort_key(items - 1)}});
    }
    w.member("ScannedCount", static_cast<std::int64_t>(items));
    w.end_object();
    return body;
}

std::string describe_table_body(const std::string& table)
{
    std::string body;
    detail::json_writer w(body);
    w.begin_object();
    w.key("Table");
    w.begin_object();
    w.member("TableName", table);
    w.member("TableStatus", "ACTIVE");
    w.key("AttributeDefinitions");
    w.begin_array();
    for (const char* name : {"pk", "sk"}) {
        w.begin_object();
        w.member("AttributeName", name);
        w.member("AttributeType", "S");
        w.end_object();
    }
    w.end_array();
    w.key("KeySchema");
    w.begin_array();
    w.begin_object();
    w.member("AttributeName", "pk");
    w.member("KeyType", "HASH");
    w.end_object();
    w.begin_object();
    w.member("AttributeName", "sk");
    w.member("KeyType", "RANGE");
    w.end_object();
    w.end_array();
    w.member("ItemCount", static_cast<std::int64_t>(1000));
    w.end_object();
    w.end_object();
    return body;
}

}  // namespace dynomite::bench
