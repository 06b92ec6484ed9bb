// Fixed DynamoDB response bodies of the benchmark table, as a server would send them: for the
// micro benchmarks and for the canned endpoint of bench/run-e2e.
#pragma once

#include <cstdint>
#include <string>

namespace dynomite::bench {

/// Payload bytes that make a 1,000-item page of 457 KB (a 465-byte GetItem body).
inline constexpr std::uint32_t canned_payload_size = 290;

/// {"Item": {...}}: item 0 of the benchmark table.
std::string get_item_body(std::uint32_t payload_size = canned_payload_size);

/// {"Count": n, "Items": [...], "ScannedCount": n}: items 0 .. n-1; with `more`, also the
/// LastEvaluatedKey of the last item, so that a reader asks for another page, endlessly.
std::string page_body(std::uint32_t items, bool more = false,
                      std::uint32_t payload_size = canned_payload_size);

/// {"Table": {...}}: an ACTIVE table keyed by pk (partition) and sk (sort), both strings.
std::string describe_table_body(const std::string& table);

}  // namespace dynomite::bench
