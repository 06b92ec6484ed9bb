// The item `dynomite bench` reads and writes, as an attribute map and as a model: seven
// attributes in partition "bench" of a table keyed by pk (partition) and sk (sort).
#pragma once

#include <dynomite/model.hpp>

#include <string>
#include <string_view>

namespace dynomite::cli::bench {

inline constexpr std::string_view partition_value = "bench";

struct bench_item : model<bench_item> {
    std::string pk;
    std::string sk;
    std::string name;
    std::string category;
    double price = 0;
    int quantity = 0;
    std::string payload;

    static void define(model_definition<bench_item>& s)
    {
        s.table_name("dynomite_bench");
        s.partition_key("pk");
        s.sort_key("sk");
        s.no_generated_id();
        s.timestamps(false);
        s.field("pk", &bench_item::pk);
        s.field("sk", &bench_item::sk);
        s.field("name", &bench_item::name);
        s.field("category", &bench_item::category);
        s.field("price", &bench_item::price);
        s.field("quantity", &bench_item::quantity);
        s.field("payload", &bench_item::payload);
    }
};

/// The attributes of the item with sort key `sort_key`, as bench_item stores them.
inline attribute_map make_bench_item(const std::string& sort_key, const std::string& payload)
{
    return attribute_map{{"pk", std::string(partition_value)},
                         {"sk", sort_key},
                         {"name", "Benchmark item"},
                         {"category", "benchmarks"},
                         {"price", 12.5},
                         {"quantity", 7},
                         {"payload", payload}};
}

}  // namespace dynomite::cli::bench
