// The schema of each model class, built once, and the classes of each inheritance hierarchy.
#pragma once

#include <dynomite/model/base.hpp>
#include <dynomite/model/schema.hpp>
#include <dynomite/core/naming.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace dynomite {

template <class T>
const detail::model_descriptor& descriptor_of();

namespace detail {

/// The classes a model of class Root can be loaded as: Root and its registered descendants,
/// each with a factory of new records.
template <class Root>
class polymorphic_registry {
public:
    using factory = std::unique_ptr<Root> (*)();

    static void add(const model_descriptor* d, factory make)
    {
        auto& s = state();
        std::lock_guard lock(s.mutex);
        for (const auto& entry : s.entries) {
            if (entry.first == d) return;
        }
        s.entries.emplace_back(d, make);
    }

    /// A new record of the class whose inheritance name is `name`, or nullptr.
    static std::unique_ptr<Root> make(std::string_view name)
    {
        auto& s = state();
        std::lock_guard lock(s.mutex);
        for (const auto& [d, make] : s.entries) {
            if (d->inheritance_name == name) return make();
        }
        return nullptr;
    }

private:
    struct shared_state {
        std::mutex mutex;
        std::vector<std::pair<const model_descriptor*, factory>> entries;
    };
    static shared_state& state()
    {
        static shared_state s;
        return s;
    }
};

/// Called by descriptor_of<T>() once: T joins the registries of itself and its ancestors.
template <class T, class Ancestor>
void register_with(const model_descriptor& d)
{
    if constexpr (!std::is_void_v<Ancestor>) {
        polymorphic_registry<Ancestor>::add(
            &d, []() -> std::unique_ptr<Ancestor> { return std::make_unique<T>(); });
        if constexpr (!std::is_same_v<T, Ancestor>) descriptor_of<Ancestor>().add_descendant(&d);
        register_with<T, typename Ancestor::model_parent>(d);
    }
}

template <class T>
concept has_own_define = requires(model_definition<T>& s)
{
    T::define(s);
};

template <class T, class V>
void detect_field(model_definition<T>& s, const char* name, V T::*member)
{
    if (s.descriptor().find_field(name) == nullptr) s.field(name, member);
}

/// Members named id, created_at and updated_at become fields unless declared.
template <class T>
void detect_conventional_fields(model_definition<T>& s)
{
    if constexpr (requires { &T::id; }) {
        if constexpr (std::is_member_object_pointer_v<decltype(&T::id)>) {
            using V = std::remove_cvref_t<decltype(std::declval<T&>().*(&T::id))>;
            if constexpr (attribute_convertible<V>) detect_field<T, V>(s, "id", &T::id);
        }
    }
    if constexpr (requires { &T::created_at; }) {
        if constexpr (std::is_member_object_pointer_v<decltype(&T::created_at)>) {
            using V = std::remove_cvref_t<decltype(std::declval<T&>().*(&T::created_at))>;
            if constexpr (time_field<V>::value) detect_field<T, V>(s, "created_at", &T::created_at);
        }
    }
    if constexpr (requires { &T::updated_at; }) {
        if constexpr (std::is_member_object_pointer_v<decltype(&T::updated_at)>) {
            using V = std::remove_cvref_t<decltype(std::declval<T&>().*(&T::updated_at))>;
            if constexpr (time_field<V>::value) detect_field<T, V>(s, "updated_at", &T::updated_at);
        }
    }
}

template <class T>
std::unique_ptr<model_descriptor> build_descriptor()
{
    using parent = typename T::model_parent;
    std::unique_ptr<model_descriptor> d;
    if constexpr (std::is_void_v<parent>) {
        d = std::make_unique<model_descriptor>();
        d->root = d.get();
    } else {
        const model_descriptor& p = descriptor_of<parent>();
        d = std::make_unique<model_descriptor>(p);
        d->parent = &p;
        d->root = p.root;
    }
    d->type_name = type_name_of<T>();
    d->inheritance_name = d->type_name;
    d->make_blank = []() -> std::unique_ptr<model_base> { return std::make_unique<T>(); };
    model_definition<T> schema(*d);
    if constexpr (has_own_define<T>) T::define(schema);
    detect_conventional_fields(schema);
    d->finish();
    return d;
}

}  // namespace detail

/// The schema of model T: built on first use by T::define(), then shared.
template <class T>
const detail::model_descriptor& descriptor_of()
{
    static const std::unique_ptr<detail::model_descriptor> d = [] {
        auto built = detail::build_descriptor<T>();
        detail::register_with<T, T>(*built);
        return built;
    }();
    return *d;
}

/// Makes the classes of an inheritance hierarchy known before their first use, so that
/// loading through an ancestor can make records of them. Subclasses declared with
/// dynomite::inherits register themselves at startup; this is for the rare program that
/// never names a subclass yet must load it.
template <class T>
void register_model()
{
    (void)descriptor_of<T>();
}

}  // namespace dynomite
