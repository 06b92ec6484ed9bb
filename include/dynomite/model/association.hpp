// Associations between models: has_many, has_one, belongs_to and has_and_belongs_to_many,
// declared in define() and reached through proxies bound to a record.
//
//     struct User : dynomite::model<User> {
//         std::string id;
//         dynomite::collection<Post> posts() { return {*this, "posts"}; }
//         static void define(dynomite::model_definition<User>& s) { s.has_many<Post>("posts"); }
//     };
//     struct Post : dynomite::model<Post> {
//         std::string id;
//         dynomite::reference<User> user() { return {*this, "user"}; }
//         static void define(dynomite::model_definition<Post>& s) { s.belongs_to<User>("user"); }
//     };
//
//     co_await user.posts().add(post);    // User.posts_ids ADD, Post.user_id SET: one transaction
//
// Ids are stored as Ruby's Dynomite 2 stores them: a string set `<name>_ids` on a collection's
// side, and on a single side `<name>_id`, a string set of one id (a belongs_to given a
// foreign_key: the id itself, a string). Both sides change in one TransactWriteItems, writing
// only the changed attributes.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/model/base.hpp>
#include <dynomite/model/registry.hpp>
#include <dynomite/model/relation.hpp>
#include <dynomite/model/schema.hpp>
#include <dynomite/protocol/transactions.hpp>
#include <dynomite/query/database.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynomite {

/// Where a has_many keeps its links.
enum class association_storage : unsigned char {
    /// A string set of the associated ids on the owner (`post_ids`); bounded by the owner's
    /// 400 KB item size.
    id_set,
    /// A string attribute on each associated item (`Comment.post_id`) queried through a global
    /// secondary index on it; unbounded.
    foreign_key_index,
};

/// How a has_one or belongs_to stores its one id.
enum class single_id_storage : unsigned char {
    /// A string set of one id, as Dynomite 2 stores `belongs_to` and `has_one` by default.
    string_set,
    /// The id itself, a string: Dynomite 2's `belongs_to` with a `foreign_key`, and what this
    /// library wrote before it followed Dynomite 2.
    scalar,
};

/// What happens to the associated records when the owner is destroyed (has_many, has_one).
enum class dependent_action : unsigned char {
    none,
    /// Each is loaded and destroyed, with its callbacks and its own dependents.
    destroy,
    /// Each is deleted (DeleteItem), without callbacks.
    delete_,
    /// Each loses its id of the owner (the inverse side), in transactions.
    nullify,
};

struct association_options {
    /// The association on the other model that points back; unset: the only association
    /// there that points back to this model, if exactly one does.
    std::optional<std::string> inverse{};
    /// The attribute holding the ids. Defaults, Dynomite 2's: `<name>_ids` (has_many with
    /// id_set, has_and_belongs_to_many: `posts_ids` for "posts"), `<name>_id` (has_one,
    /// belongs_to), and for has_many with foreign_key_index, `<snake-case owner type>_id` on
    /// the associated model.
    std::optional<std::string> foreign_key{};
    /// has_one and belongs_to: how the id is stored. Unset: scalar for a belongs_to given a
    /// foreign_key or paired with a foreign_key_index has_many (an index key is a string),
    /// string_set otherwise, as Dynomite 2 does.
    std::optional<single_id_storage> single_id{};
    association_storage storage = association_storage::id_set;
    dependent_action dependent = dependent_action::none;
};

namespace detail {

/// "has_many", ...
std::string_view to_string(association_kind kind) noexcept;

/// One declared association, as stored in the owner's model_descriptor.
struct association_info {
    std::string name;
    association_kind kind = association_kind::has_many;
    association_options options;
    /// The attribute holding the ids (on the associated model for foreign_key_index).
    std::string foreign_key;
    /// The associated model, resolved on first use (models may refer to each other).
    const model_descriptor& (*target)() = nullptr;
};

/// Records the declaration; throws dynomite::error(errc::invalid_configuration) for an empty
/// or duplicate name and for options that do not fit the kind.
void declare_association(model_descriptor& d, association_kind kind, std::string name,
                         const association_options& options, const model_descriptor& (*target)());

enum class side_form : unsigned char { none, id_set, single_id };

/// Where one model keeps its end of an association.
struct association_side {
    const model_descriptor* model = nullptr;
    /// The partition key attribute: a string, the id that the other side stores.
    std::string key_attribute;
    /// The attribute holding the other side's ids; empty for form none.
    std::string attribute;
    side_form form = side_form::none;
    /// single_id: the id is held in a string set of one (Dynomite 2's shape), not a string.
    bool single_in_set = false;
};

/// An association with both of its ends, checked.
struct resolved_association {
    const association_info* info = nullptr;
    association_side owner;
    /// The associated model's end: its inverse association's attribute, the foreign key of
    /// foreign_key_index, or form none without an inverse.
    association_side target;
    const association_info* inverse = nullptr;
};

/// Resolves association `name` of model `owner`; throws dynomite::error
/// (errc::invalid_configuration) for an unknown association or inverse, an inverse that does
/// not point back or does not fit the kind, a key that is not a single string attribute, and
/// an id attribute declared with a type that cannot hold the ids. Resolved once, then cached.
const resolved_association& resolve_association(const model_descriptor& owner,
                                                std::string_view name);

/// A record's id on `side`: its partition key, a string. Throws dynomite::error
/// (errc::invalid_argument) when it has none.
std::string record_id(const model_base& record, const association_side& side);

/// The ids a record holds on its end of an association (in memory).
std::vector<std::string> linked_ids(const model_base& record, const association_side& side);
/// The ids the item held on that end when the record last read or wrote it.
std::vector<std::string> stored_ids(const model_base& record, const association_side& side);

/// The changes of one association operation, on records in memory and on items known only
/// by id, turned into one TransactWriteItems. Sans-io.
class link_plan {
public:
    explicit link_plan(std::string association) : association_(std::move(association)) {}

    /// Links `owner` and `target` on both ends; a single end that held another id unlinks
    /// that item's end too.
    void link(const resolved_association& a, model_base& owner, model_base& target);
    /// Unlinks the target (by id; its record when loaded) on both ends, or on the owner's end
    /// alone when the target's item is known to be gone.
    void unlink(const resolved_association& a, model_base& owner, const std::string& target_id,
                model_base* target = nullptr, bool target_end = true);
    /// Removes `owner_id` from the target's end only, for an owner being destroyed.
    void unlink_target_end(const resolved_association& a, const std::string& owner_id,
                           const std::string& target_id);

    /// How many items the transaction writes or checks.
    std::size_t item_count() const noexcept { return items_.size(); }
    /// "Post {id: \"p1\"}": the i-th item of the transaction, for messages.
    std::string item_name(std::size_t i) const;
    const std::string& association() const noexcept { return association_; }
    /// Whether anything is written (condition checks alone are not worth a request).
    bool writes() const noexcept;
    /// Throws dynomite::error(errc::invalid_argument) when a record in memory would exceed
    /// DynamoDB's 400 KB item size, naming the association, the item and the size.
    void check_sizes() const;
    /// The transaction: an Update per changed item (ADD/DELETE on id sets, SET/REMOVE on
    /// single ids) on the condition that the item exists (and that a single id is still the
    /// one read), a ConditionCheck per item that must exist.
    transact_write_items_request request() const;
    /// After the transaction: the records in memory hold the new ids, not as changes.
    void apply() const;

private:
    struct attribute_delta {
        std::string attribute;
        side_form form = side_form::none;
        bool single_in_set = false;
        std::vector<std::string> added;
        std::vector<std::string> removed;
        /// single_id: the new value (none: removed) and the value required before.
        std::optional<std::optional<std::string>> assigned;
        std::optional<std::optional<std::string>> expected;
    };
    struct pending_item {
        const model_descriptor* model = nullptr;
        std::string key_attribute;
        std::string id;
        model_base* record = nullptr;
        std::vector<attribute_delta> deltas;
        /// Single ids that must hold these values (a link made already).
        std::vector<std::pair<std::string, attribute_value>> checks;
    };

    pending_item& item(const association_side& side, const std::string& id, model_base* record);
    attribute_delta& delta(pending_item& item, const association_side& side);
    void link_end(const association_side& end, const association_side& other, const std::string& id,
                  model_base& record, const std::string& other_id);
    void unlink_end(const association_side& end, const std::string& id, model_base* record,
                    const std::string& other_id);
    /// The end's value once the deltas apply: to the record's field (`of_item` false), which
    /// may hold changes not yet saved, or to the item as last read or written.
    std::optional<attribute_value> final_value(const pending_item& item, const attribute_delta& d,
                                               bool of_item = false) const;

    std::string association_;
    std::vector<pending_item> items_;
};

/// Sends the plan (after its size check) and applies it to the records.
boost::asio::awaitable<void> execute(database db, const link_plan& plan);

// The operations behind the proxies, type-erased.
boost::asio::awaitable<void> association_link(model_base& owner, std::string_view name,
                                              model_base& target);
boost::asio::awaitable<void> association_unlink(model_base& owner, std::string_view name,
                                                model_base& target);
boost::asio::awaitable<void> association_clear(model_base& owner, std::string_view name);
boost::asio::awaitable<void> association_replace(model_base& owner, std::string_view name,
                                                 std::vector<model_base*> targets);
/// The associated ids: from memory for id sets and single ids, by a Query on the index for
/// foreign_key_index.
boost::asio::awaitable<std::vector<std::string>> association_ids(model_base& owner,
                                                                 std::string_view name);
/// The relation of a foreign_key_index association: the associated model's items whose
/// foreign key is the owner's id.
relation association_relation(const model_base& owner, std::string_view name);
/// Before a new associated record is saved: it carries its end of the link already.
void prepare_associated(model_base& owner, std::string_view name, model_base& target);
/// The dependent options of the owner's associations, before it is deleted.
boost::asio::awaitable<void> apply_dependents(model_base& owner);
/// Throws dynomite::error(errc::invalid_argument) when the owner's class has an association
/// with a dependent option: a delete in a batch or a transaction cannot apply it, and would
/// leave the associated records behind.
void refuse_dependents(const model_base& owner, std::string_view operation);

/// Checks, for a proxy, that association `name` of the owner is of the proxy's kind and has
/// model `target` at its other end; throws dynomite::error(errc::invalid_argument).
const resolved_association& checked_association(const model_base& owner, std::string_view name,
                                                bool collection, const model_descriptor& target);

/// The descriptor of a record (model_base::descriptor() is protected).
const model_descriptor& descriptor_of_record(const model_base& record);

/// Saves a new record that already carries its link to the owner (its callbacks and
/// validations run), then links the owner's side; if that fails, the new record is deleted
/// again and the error thrown. `owner` must outlive the coroutine.
template <class U>
boost::asio::awaitable<U> create_associated(model_base& owner, std::string name, U record)
{
    prepare_associated(owner, name, record);
    co_await record.save_or_throw();
    std::exception_ptr failure;
    try {
        co_await association_link(owner, name, record);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await record.delete_();
        std::rethrow_exception(failure);
    }
    co_return record;
}

}  // namespace detail

/// Streams the records of an association: by BatchGetItem in chunks of 100 ids for id sets,
/// page by page from the index for foreign_key_index.
///
///     auto it = user.posts().cursor();
///     while (auto post = co_await it.next()) use(*post);
template <class U>
class association_cursor {
public:
    association_cursor(database db, std::vector<std::string> ids)
        : db_(std::move(db)), ids_(std::move(ids))
    {
    }
    association_cursor(database db, model_cursor<U> cursor)
        : db_(std::move(db)), cursor_(std::move(cursor))
    {
    }

    /// The next record, or none after the last one; ids whose item is gone are skipped.
    boost::asio::awaitable<std::optional<U>> next()
    {
        if (cursor_) {
            auto record = co_await cursor_->next();
            co_return std::move(record);
        }
        for (;;) {
            if (!buffer_.empty() || position_ >= ids_.size()) break;
            std::vector<attribute_value> chunk;
            const std::size_t end = std::min(ids_.size(), position_ + chunk_size);
            for (; position_ < end; ++position_) chunk.emplace_back(ids_[position_]);
            auto records = co_await U::on(db_).find_many(std::move(chunk));
            for (auto& r : records) buffer_.push_back(std::move(r));
        }
        if (buffer_.empty()) co_return std::nullopt;
        std::optional<U> out(std::move(buffer_.front()));
        buffer_.pop_front();
        co_return out;
    }

    /// BatchGetItem's limit of keys per request.
    static constexpr std::size_t chunk_size = 100;

private:
    database db_;
    std::vector<std::string> ids_;
    std::size_t position_ = 0;
    std::deque<U> buffer_;
    std::optional<model_cursor<U>> cursor_;
};

/// The has_many or has_and_belongs_to_many association `name` of a record, of model U:
/// `dynomite::collection<Post> posts() { return {*this, "posts"}; }`. The record must outlive
/// the proxy and its operations. Writes need a persisted record (model_errc::not_persisted);
/// a failed write throws, with neither side changed (errc::transaction_canceled when an item
/// is gone or was changed since it was read).
template <class U>
class collection {
public:
    collection(model_base& owner, std::string_view name)
        : owner_(&owner),
          name_(name),
          a_(&detail::checked_association(owner, name, true, descriptor_of<U>()))
    {
    }

    /// Links `record` (persisted) to the owner, both sides in one transaction.
    boost::asio::awaitable<void> add(U& record)
    {
        return detail::association_link(*owner_, name_, record);
    }
    boost::asio::awaitable<void> operator<<(U& record) { return add(record); }
    boost::asio::awaitable<void> remove(U& record)
    {
        return detail::association_unlink(*owner_, name_, record);
    }
    /// Unlinks every associated record, up to 99 per transaction (the owner's item is the
    /// hundredth).
    boost::asio::awaitable<void> clear() { return detail::association_clear(*owner_, name_); }
    /// Makes `records` the associated ones: unlinks the others, links the new ones.
    boost::asio::awaitable<void> replace(std::vector<U*> records)
    {
        std::vector<model_base*> targets(records.begin(), records.end());
        return detail::association_replace(*owner_, name_, std::move(targets));
    }
    /// Saves a new record that already carries its link to the owner (its callbacks and
    /// validations run), then links the owner's side; if that fails, the new record is
    /// deleted again and the error thrown.
    boost::asio::awaitable<U> create(U record)
    {
        return detail::create_associated(*owner_, name_, std::move(record));
    }

    /// The associated ids (id sets: from the owner in memory, no request).
    boost::asio::awaitable<std::vector<std::string>> ids() const
    {
        return detail::association_ids(*owner_, name_);
    }
    boost::asio::awaitable<std::int64_t> count() const
    {
        if (indexed()) return relation().count();
        return count_ids();
    }
    boost::asio::awaitable<bool> empty() const
    {
        const auto n = co_await count();
        co_return n == 0;
    }
    boost::asio::awaitable<bool> include(std::string id) const
    {
        const auto all_ids = co_await ids();
        co_return std::find(all_ids.begin(), all_ids.end(), id) != all_ids.end();
    }
    boost::asio::awaitable<bool> include(const U& record) const
    {
        return include(detail::record_id(record, a_->target));
    }
    boost::asio::awaitable<std::optional<U>> first() const
    {
        auto it = cursor();
        auto record = co_await it.next();
        co_return std::move(record);
    }
    /// Every associated record (ids whose item is gone are skipped).
    boost::asio::awaitable<std::vector<U>> all() const
    {
        std::vector<U> out;
        auto it = cursor();
        for (;;) {
            auto record = co_await it.next();
            if (!record) break;
            out.push_back(std::move(*record));
        }
        co_return out;
    }
    association_cursor<U> cursor() const
    {
        const database db = owner_->used_database();
        if (indexed()) return {db, relation().cursor()};
        return {db, detail::linked_ids(*owner_, a_->owner)};
    }
    /// foreign_key_index: the associated records as a relation (a Query on the index), to
    /// filter further. Throws dynomite::error(errc::invalid_argument) for id sets.
    model_relation<U> relation() const
    {
        return {detail::association_relation(*owner_, name_), owner_->used_database()};
    }

private:
    bool indexed() const noexcept { return a_->owner.form == detail::side_form::none; }
    boost::asio::awaitable<std::int64_t> count_ids() const
    {
        co_return static_cast<std::int64_t>(detail::linked_ids(*owner_, a_->owner).size());
    }

    model_base* owner_;
    std::string name_;
    const detail::resolved_association* a_;
};

/// The has_one or belongs_to association `name` of a record, of model U:
/// `dynomite::reference<User> user() { return {*this, "user"}; }`. Same rules as collection.
template <class U>
class reference {
public:
    reference(model_base& owner, std::string_view name)
        : owner_(&owner),
          name_(name),
          a_(&detail::checked_association(owner, name, false, descriptor_of<U>()))
    {
    }

    /// The id held (from memory).
    std::optional<std::string> id() const
    {
        auto ids = detail::linked_ids(*owner_, a_->owner);
        if (ids.empty()) return std::nullopt;
        return std::move(ids.front());
    }
    /// The associated record, or none (no id, or its item is gone).
    boost::asio::awaitable<std::optional<U>> get() const
    {
        const auto current = id();
        if (!current) co_return std::nullopt;
        auto found = co_await U::on(owner_->used_database()).find(attribute_value(*current));
        co_return std::move(found);
    }
    /// Links `record` (persisted) instead of the one linked now, in one transaction that also
    /// unlinks the previous one's end.
    boost::asio::awaitable<void> set(U& record)
    {
        return detail::association_link(*owner_, name_, record);
    }
    boost::asio::awaitable<void> clear() { return detail::association_clear(*owner_, name_); }
    /// As collection::create().
    boost::asio::awaitable<U> create(U record)
    {
        return detail::create_associated(*owner_, name_, std::move(record));
    }

private:
    model_base* owner_;
    std::string name_;
    const detail::resolved_association* a_;
};

// What every association declared in model_definition (schema.hpp) calls.

template <class T>
template <class U>
model_definition<T>& model_definition<T>::associate(association_kind kind, std::string name,
                                                    const association_options& options)
{
    detail::declare_association(*d_, kind, std::move(name), options, &descriptor_of<U>);
    return *this;
}

}  // namespace dynomite
