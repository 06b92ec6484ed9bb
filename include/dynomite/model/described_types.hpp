// The opt-in descriptions that let the built-in converters store an enum as S (enum_names)
// and a struct as M (struct_fields): the customization points applications specialize.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace dynomite {

/// Stores enum E as S by name. Specialize with the names of all the values:
///   template <> struct dynomite::enum_names<color> {
///       static constexpr std::array<std::pair<color, std::string_view>, 2> values{
///           {{color::red, "red"}, {color::green, "green"}}};
///   };
/// Writing a value without a name throws dynomite::error(errc::invalid_argument); reading an
/// unknown name fails with errc::invalid_argument listing the known ones.
template <class E>
struct enum_names;

/// Stores struct T as M. Specialize with a tuple of field descriptors:
///   template <> struct dynomite::struct_fields<address> {
///       static constexpr auto fields = std::make_tuple(
///           dynomite::field("street", &address::street), dynomite::field("zip", &address::zip));
///   };
/// Field names must be distinct and not empty. Reading leaves the fields whose attribute is
/// missing at their default and ignores attributes that name no field.
template <class T>
struct struct_fields;

/// One member of a described struct: its attribute name and where it lives.
template <class Class, class Member>
struct field_descriptor {
    using class_type = Class;
    using member_type = Member;

    std::string_view name;
    Member Class::*member;

    constexpr const Member& get(const Class& object) const noexcept { return object.*member; }
    constexpr Member& get(Class& object) const noexcept { return object.*member; }
};

// clang-format 14 mangles requires-clauses and requires-expressions.
// clang-format off
template <class Class, class Member>
    requires(!std::is_function_v<Member>)
constexpr field_descriptor<Class, Member> field(std::string_view name,
                                                Member Class::*member) noexcept
{
    return {name, member};
}

template <class E>
concept described_enum = std::is_enum_v<E> && requires {
    { enum_names<E>::values.begin()->first } -> std::convertible_to<E>;
    { enum_names<E>::values.begin()->second } -> std::convertible_to<std::string_view>;
};

template <class T>
concept described_struct = std::is_class_v<T> && requires {
    typename std::tuple_size<std::remove_cvref_t<decltype(struct_fields<T>::fields)>>::type;
};
// clang-format on

/// Calls f(descriptor) for each field of T, in the order of the description.
template <described_struct T, class F>
constexpr void for_each_field(F&& f)
{
    std::apply([&f](const auto&... descriptor) { (f(descriptor), ...); }, struct_fields<T>::fields);
}

}  // namespace dynomite
