// The "field.op" key parser: any key parses or is refused with a reason, and a parsed key
// builds its condition (or refuses the values) without crashing.
#include <dynomite/expr/condition.hpp>
#include <dynomite/expr/field_operator.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view key(reinterpret_cast<const char*>(data), size);
    dynomite::field_operator parsed;
    std::string why;
    if (dynomite::parse_field_operator(key, parsed, &why)) {
        if (why.empty()) std::abort();
        return 0;
    }
    if (parsed.key != key) std::abort();

    // Operand counts around each operator's arity, and a list standing for the operands.
    const std::vector<dynomite::attribute_value> operands{"a", 1, "c"};
    for (std::size_t count = 0; count <= operands.size(); ++count) {
        dynomite::condition built;
        const std::span<const dynomite::attribute_value> values(operands.data(), count);
        (void)dynomite::make_condition(parsed, values, built, &why);
        (void)dynomite::make_size_condition(parsed, values, built, &why);
    }
    const dynomite::attribute_value list(dynomite::attribute_list{1, 2});
    dynomite::condition built;
    (void)dynomite::make_condition(parsed, std::span<const dynomite::attribute_value>(&list, 1),
                                   built, &why);
    return 0;
}
