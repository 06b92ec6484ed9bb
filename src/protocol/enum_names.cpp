// Wire names of the DynamoDB enumerations: to_string and from_string of enums.hpp.
#include <dynomite/protocol/enums.hpp>

#include "core/enum_text.hpp"

#include <string_view>

namespace dynomite {

// Wire names of the enumerations, indexed by enumerator value. An enumeration with an
// `unknown` enumerator declares it last, right after the named ones.

#define DYNOMITE_ENUM_NAMES(type, has_unknown, ...)                          \
    namespace {                                                              \
    constexpr std::string_view type##_names[] = {__VA_ARGS__};               \
    }                                                                        \
    std::string_view to_string(type v) noexcept                              \
    {                                                                        \
        return detail::enum_name(v, type##_names);                           \
    }                                                                        \
    bool from_string(std::string_view name, type& out) noexcept              \
    {                                                                        \
        return detail::enum_from_name(name, out, type##_names, has_unknown); \
    }

DYNOMITE_ENUM_NAMES(return_values, false, "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                    "UPDATED_NEW")
DYNOMITE_ENUM_NAMES(return_consumed_capacity, false, "INDEXES", "TOTAL", "NONE")
DYNOMITE_ENUM_NAMES(return_item_collection_metrics, false, "SIZE", "NONE")
DYNOMITE_ENUM_NAMES(select_attributes, false, "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                    "SPECIFIC_ATTRIBUTES", "COUNT")
DYNOMITE_ENUM_NAMES(return_values_on_condition_check_failure, false, "ALL_OLD", "NONE")
DYNOMITE_ENUM_NAMES(billing_mode, true, "PROVISIONED", "PAY_PER_REQUEST")
DYNOMITE_ENUM_NAMES(projection_type, true, "ALL", "KEYS_ONLY", "INCLUDE")
DYNOMITE_ENUM_NAMES(key_type, true, "HASH", "RANGE")
DYNOMITE_ENUM_NAMES(scalar_attribute_type, true, "S", "N", "B")
DYNOMITE_ENUM_NAMES(table_status, true, "CREATING", "UPDATING", "DELETING", "ACTIVE",
                    "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "ARCHIVING", "ARCHIVED")
DYNOMITE_ENUM_NAMES(index_status, true, "CREATING", "UPDATING", "DELETING", "ACTIVE")
DYNOMITE_ENUM_NAMES(stream_view_type, true, "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES",
                    "KEYS_ONLY")
DYNOMITE_ENUM_NAMES(sse_type, true, "AES256", "KMS")
DYNOMITE_ENUM_NAMES(sse_status, true, "ENABLING", "ENABLED", "DISABLING", "DISABLED", "UPDATING")
DYNOMITE_ENUM_NAMES(time_to_live_status, true, "ENABLING", "DISABLING", "ENABLED", "DISABLED")
DYNOMITE_ENUM_NAMES(table_class, true, "STANDARD", "STANDARD_INFREQUENT_ACCESS")
DYNOMITE_ENUM_NAMES(shard_iterator_type, false, "TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                    "AFTER_SEQUENCE_NUMBER")
DYNOMITE_ENUM_NAMES(stream_status, true, "ENABLING", "ENABLED", "DISABLING", "DISABLED")
DYNOMITE_ENUM_NAMES(stream_event_type, true, "INSERT", "MODIFY", "REMOVE")

#undef DYNOMITE_ENUM_NAMES

// `unknown` must follow the named enumerators for parse_name to produce it.
#define DYNOMITE_CHECK_UNKNOWN(type) \
    static_assert(static_cast<std::size_t>(type::unknown) == std::size(type##_names));
DYNOMITE_CHECK_UNKNOWN(billing_mode)
DYNOMITE_CHECK_UNKNOWN(projection_type)
DYNOMITE_CHECK_UNKNOWN(key_type)
DYNOMITE_CHECK_UNKNOWN(scalar_attribute_type)
DYNOMITE_CHECK_UNKNOWN(table_status)
DYNOMITE_CHECK_UNKNOWN(index_status)
DYNOMITE_CHECK_UNKNOWN(stream_view_type)
DYNOMITE_CHECK_UNKNOWN(sse_type)
DYNOMITE_CHECK_UNKNOWN(sse_status)
DYNOMITE_CHECK_UNKNOWN(time_to_live_status)
DYNOMITE_CHECK_UNKNOWN(table_class)
DYNOMITE_CHECK_UNKNOWN(stream_status)
DYNOMITE_CHECK_UNKNOWN(stream_event_type)
#undef DYNOMITE_CHECK_UNKNOWN

}  // namespace dynomite
