// Conversions between C++ field types and DynamoDB attribute values, for the model layer:
// the customization point attribute_converter<T> (attribute_convertible.hpp), the opt-in
// descriptions enum_names and struct_fields (described_types.hpp), and the built-in converters.
#pragma once

#include <dynomite/model/attribute_convertible.hpp>
#include <dynomite/model/described_types.hpp>
#include <dynomite/model/detail/attribute_converters.hpp>
