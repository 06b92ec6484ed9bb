// Associations against a real endpoint: both directions of each kind, the all-or-nothing
// transaction, the foreign-key index form, dependents, the item size limit and batch loading.
#include "integration_fixture.hpp"

#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

struct Author;
struct Book;
struct Genre;
struct Profile;
struct Team;
struct Member;
struct Shelf;
struct Volume;

struct Author : model<Author> {
    std::string id;
    std::string name;
    collection<Book> books() { return {*this, "books"}; }
    reference<Profile> profile() { return {*this, "profile"}; }

    static void define(model_definition<Author>& s)
    {
        s.field("name", &Author::name);
        s.has_many<Book>("books", {.dependent = dependent_action::nullify});
        s.has_one<Profile>("profile", {.dependent = dependent_action::destroy});
    }
};

struct Book : model<Book> {
    std::string id;
    std::string title;
    reference<Author> author() { return {*this, "author"}; }
    collection<Genre> genres() { return {*this, "genres"}; }

    static void define(model_definition<Book>& s)
    {
        s.field("title", &Book::title);
        s.belongs_to<Author>("author");
        s.has_and_belongs_to_many<Genre>("genres");
    }
};

struct Genre : model<Genre> {
    std::string id;
    std::string label;
    collection<Book> books() { return {*this, "books"}; }

    static void define(model_definition<Genre>& s)
    {
        s.field("label", &Genre::label);
        s.has_and_belongs_to_many<Book>("books");
    }
};

struct Profile : model<Profile> {
    std::string id;
    std::string bio;
    reference<Author> author() { return {*this, "author"}; }

    static void define(model_definition<Profile>& s)
    {
        s.field("bio", &Profile::bio);
        s.belongs_to<Author>("author");
    }
};

struct Team : model<Team> {
    std::string id;
    collection<Member> members() { return {*this, "members"}; }

    static void define(model_definition<Team>& s)
    {
        s.has_many<Member>("members", {.storage = association_storage::foreign_key_index,
                                       .dependent = dependent_action::delete_});
    }
};

struct Member : model<Member> {
    std::string id;
    std::string team_id;  // declared: the index's key
    std::string nick;
    reference<Team> team() { return {*this, "team"}; }

    static void define(model_definition<Member>& s)
    {
        s.field("team_id", &Member::team_id);
        s.field("nick", &Member::nick);
        s.belongs_to<Team>("team");
    }
};

int volumes_destroyed = 0;

struct Shelf : model<Shelf> {
    std::string id;
    collection<Volume> volumes() { return {*this, "volumes"}; }

    static void define(model_definition<Shelf>& s)
    {
        s.has_many<Volume>("volumes", {.dependent = dependent_action::destroy});
    }
};

struct Volume : model<Volume> {
    std::string id;
    static void define(model_definition<Volume>& s)
    {
        s.belongs_to<Shelf>("shelf");
        s.after_destroy([](Volume&) { ++volumes_destroyed; });
    }
};

class AssociationTest : public test::integration_test {
protected:
    AssociationTest() : database_(db) { set_default_database(database_); }
    ~AssociationTest() override { clear_default_database(); }

    void SetUp() override
    {
        Author::set_table_name(make_table("assoc-authors"));
        Book::set_table_name(make_table("assoc-books"));
        Genre::set_table_name(make_table("assoc-genres"));
        Profile::set_table_name(make_table("assoc-profiles"));
        Team::set_table_name(make_table("assoc-teams"));
        Member::set_table_name(make_table("assoc-members", "team_id"));
        Shelf::set_table_name(make_table("assoc-shelves"));
        Volume::set_table_name(make_table("assoc-volumes"));
    }

    /// Keyed by `id` (S), with a global index named after `indexed` (S) when given.
    std::string make_table(std::string_view prefix, std::optional<std::string> indexed = {})
    {
        create_table_request request;
        request.table_name = test::unique_table_name(prefix);
        request.billing_mode = billing_mode::pay_per_request;
        request.attribute_definitions.push_back({"id", scalar_attribute_type::s});
        request.key_schema.push_back({"id", key_type::hash});
        if (indexed) {
            request.attribute_definitions.push_back({*indexed, scalar_attribute_type::s});
            global_secondary_index gsi;
            gsi.index_name = *indexed;
            gsi.key_schema.push_back({*indexed, key_type::hash});
            gsi.projection.projection_type = projection_type::all;
            request.global_secondary_indexes.push_back(std::move(gsi));
        }
        const std::string name = request.table_name;
        track_table(name);
        run(db.create_table(request));
        run(wait_until_active(name));
        return name;
    }

    std::optional<attribute_map> raw_item(const std::string& table, const std::string& id)
    {
        get_item_request request;
        request.table_name = table;
        request.key = {{"id", id}};
        request.consistent_read = true;
        return run(db.get_item(request)).item;
    }

    std::optional<attribute_value> raw_attribute(const std::string& table, const std::string& id,
                                                 const std::string& attribute)
    {
        const auto item = raw_item(table, id);
        if (!item) return std::nullopt;
        const attribute_value* v = item->find(attribute);
        if (v == nullptr) return std::nullopt;
        return *v;
    }

    template <class T>
    T created(std::function<void(T&)> init)
    {
        T record = T::build();
        init(record);
        run(record.save_or_throw());
        return record;
    }

    template <class E>
    static void expect_error(E expected, const std::function<void()>& f, std::string_view says)
    {
        try {
            f();
            ADD_FAILURE() << "expected an error";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), expected) << e.what();
            EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        }
    }

    static std::set<std::string> ids_of(const std::vector<Book>& books)
    {
        std::set<std::string> out;
        for (const auto& b : books) out.insert(b.id);
        return out;
    }

    dynomite::database database_;
};

TEST_F(AssociationTest, HasManyAndBelongsToRoundTripInBothDirections)
{
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    auto bob = created<Author>([](Author& a) { a.name = "Bob"; });
    auto b1 = created<Book>([](Book& b) { b.title = "One"; });
    auto b2 = created<Book>([](Book& b) { b.title = "Two"; });

    run(ann.books().add(b1));
    run(ann.books() << b2);
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b1.id, b2.id}}));
    EXPECT_EQ(raw_attribute(Book::table_name(), b1.id, "author_id"),
              attribute_value(string_set{{ann.id}}));
    EXPECT_EQ(b2.author().id(), ann.id);
    EXPECT_FALSE(ann.changed());
    EXPECT_FALSE(b1.changed());
    // Only the ids were written: the names are untouched.
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "name"), attribute_value("Ann"));

    const auto count = run(ann.books().count());
    EXPECT_EQ(count, 2);
    EXPECT_TRUE(run(ann.books().include(b1)));
    EXPECT_EQ(ids_of(run(ann.books().all())), (std::set<std::string>{b1.id, b2.id}));
    const auto first = run(ann.books().first());
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->id == b1.id || first->id == b2.id);
    std::set<std::string> streamed;
    run([&]() -> asio::awaitable<void> {
        auto it = ann.books().cursor();
        while (auto book = co_await it.next()) streamed.insert(book->id);
    }());
    EXPECT_EQ(streamed, (std::set<std::string>{b1.id, b2.id}));

    // From the other side: the book moves to Bob, Ann's set loses it in the same transaction.
    auto loaded = run(Book::find_or_throw(b1.id));
    const auto owner = run(loaded.author().get());
    ASSERT_TRUE(owner);
    EXPECT_EQ(owner->name, "Ann");
    run(loaded.author().set(bob));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b2.id}}));
    EXPECT_EQ(raw_attribute(Author::table_name(), bob.id, "books_ids"),
              attribute_value(string_set{{b1.id}}));
    EXPECT_EQ(raw_attribute(Book::table_name(), b1.id, "author_id"),
              attribute_value(string_set{{bob.id}}));

    // remove and clear from the collection side.
    run(ann.reload());
    run(ann.books().remove(b2));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), b2.id, "author_id"), std::nullopt);
    EXPECT_TRUE(run(ann.books().empty()));
    run(bob.reload());
    run(bob.books().clear());
    EXPECT_EQ(raw_attribute(Book::table_name(), b1.id, "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Author::table_name(), bob.id, "books_ids"), std::nullopt);

    // replace and create.
    auto b3 = created<Book>([](Book& b) { b.title = "Three"; });
    run(ann.books().add(b2));
    // b1 in memory still names Ann, whom it left through another record: linking it again
    // fails until it is read again.
    std::vector<Book*> wanted{&b1, &b3};
    expect_error(
        errc::transaction_canceled, [&] { run(ann.books().replace(wanted)); },
        "Book {id: \"" + b1.id + "\"} (ConditionalCheckFailed)");
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b2.id}}));
    run(b1.reload());
    run(ann.books().replace(wanted));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b1.id, b3.id}}));
    EXPECT_EQ(raw_attribute(Book::table_name(), b2.id, "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), b1.id, "author_id"),
              attribute_value(string_set{{ann.id}}));
    Book fresh;
    fresh.title = "Fresh";
    const auto made = run(ann.books().create(fresh));
    EXPECT_TRUE(made.persisted());
    EXPECT_EQ(raw_attribute(Book::table_name(), made.id, "author_id"),
              attribute_value(string_set{{ann.id}}));
    EXPECT_TRUE(run(ann.books().include(made.id)));
    const auto after_create = raw_attribute(Author::table_name(), ann.id, "books_ids");
    ASSERT_TRUE(after_create);
    EXPECT_EQ(after_create->as_ss().values.size(), 3u);
}

TEST_F(AssociationTest, ManyToManyRoundTripInBothDirections)
{
    auto book = created<Book>([](Book& b) { b.title = "Dune"; });
    auto scifi = created<Genre>([](Genre& g) { g.label = "sci-fi"; });
    auto classic = created<Genre>([](Genre& g) { g.label = "classic"; });

    run(book.genres().add(scifi));
    run(classic.books().add(book));
    EXPECT_EQ(raw_attribute(Book::table_name(), book.id, "genres_ids"),
              attribute_value(string_set{{scifi.id, classic.id}}));
    EXPECT_EQ(raw_attribute(Genre::table_name(), classic.id, "books_ids"),
              attribute_value(string_set{{book.id}}));
    EXPECT_FALSE(book.changed());

    auto reloaded = run(Genre::find_or_throw(scifi.id));
    const auto books = run(reloaded.books().all());
    ASSERT_EQ(books.size(), 1u);
    EXPECT_EQ(books.front().title, "Dune");

    run(book.reload());
    run(reloaded.books().remove(book));
    EXPECT_EQ(raw_attribute(Book::table_name(), book.id, "genres_ids"),
              attribute_value(string_set{{classic.id}}));
    EXPECT_EQ(raw_attribute(Genre::table_name(), scifi.id, "books_ids"), std::nullopt);
    EXPECT_EQ(book.read_attribute("genres_ids"), attribute_value(string_set{{classic.id}}));
}

TEST_F(AssociationTest, HasOneRoundTripMovesTheLink)
{
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    auto first = created<Profile>([](Profile& p) { p.bio = "first"; });
    run(ann.profile().set(first));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "profile_id"),
              attribute_value(string_set{{first.id}}));
    EXPECT_EQ(raw_attribute(Profile::table_name(), first.id, "author_id"),
              attribute_value(string_set{{ann.id}}));
    const auto back = run(first.author().get());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->name, "Ann");

    Profile second;
    second.bio = "second";
    const auto made = run(ann.profile().create(second));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "profile_id"),
              attribute_value(string_set{{made.id}}));
    EXPECT_EQ(raw_attribute(Profile::table_name(), first.id, "author_id"), std::nullopt);
    const auto got = run(ann.profile().get());
    ASSERT_TRUE(got);
    EXPECT_EQ(got->bio, "second");

    run(ann.profile().clear());
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "profile_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Profile::table_name(), made.id, "author_id"), std::nullopt);
    EXPECT_EQ(ann.profile().id(), std::nullopt);
}

TEST_F(AssociationTest, AFailedChangeLeavesBothItemsUnchanged)
{
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    auto gone = created<Book>([](Book& b) { b.title = "Gone"; });
    // The book is deleted behind the model's back.
    delete_item_request erase;
    erase.table_name = Book::table_name();
    erase.key = {{"id", gone.id}};
    run(db.delete_item(erase));
    expect_error(
        errc::transaction_canceled, [&] { run(ann.books().add(gone)); },
        "Book {id: \"" + gone.id + "\"} (ConditionalCheckFailed)");
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"), std::nullopt);
    EXPECT_EQ(ann.read_attribute("books_ids"), std::nullopt);

    // The book's author changes behind the model's back: its condition fails, the author's
    // set is not touched.
    auto moved = created<Book>([](Book& b) { b.title = "Moved"; });
    update_item_request change;
    change.table_name = Book::table_name();
    change.key = {{"id", moved.id}};
    change.update_expression = "SET author_id = :a";
    change.expression_attribute_values = {{":a", "someone-else"}};
    run(db.update_item(change));
    expect_error(
        errc::transaction_canceled, [&] { run(ann.books().add(moved)); },
        "Book {id: \"" + moved.id + "\"} (ConditionalCheckFailed)");
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), moved.id, "author_id"),
              attribute_value("someone-else"));
    EXPECT_EQ(moved.read_attribute("author_id"), std::nullopt);
}

TEST_F(AssociationTest, ForeignKeyIndexForm)
{
    auto red = created<Team>([](Team&) {});
    auto blue = created<Team>([](Team&) {});
    auto m1 = created<Member>([](Member& m) { m.nick = "one"; });
    auto m2 = created<Member>([](Member& m) { m.nick = "two"; });

    run(red.members().add(m1));
    run(red.members() << m2);
    EXPECT_EQ(m1.team_id, red.id);
    EXPECT_FALSE(m1.changed());
    EXPECT_EQ(raw_attribute(Member::table_name(), m2.id, "team_id"), attribute_value(red.id));
    // Nothing is stored on the team.
    EXPECT_EQ(raw_item(Team::table_name(), red.id)->size(), 1u);

    const auto plan = run(red.members().relation().explain());
    EXPECT_EQ(plan.op, query_plan::operation::query);
    EXPECT_EQ(plan.index_name, "team_id");
    EXPECT_EQ(run(red.members().count()), 2);
    EXPECT_TRUE(run(red.members().include(m2)));
    std::set<std::string> nicks;
    for (const auto& m : run(red.members().all())) nicks.insert(m.nick);
    EXPECT_EQ(nicks, (std::set<std::string>{"one", "two"}));

    // From the member's side, then remove, create and clear.
    run(m2.team().set(blue));
    EXPECT_EQ(run(red.members().count()), 1);
    EXPECT_EQ(run(blue.members().count()), 1);
    run(red.members().remove(m1));
    EXPECT_EQ(raw_attribute(Member::table_name(), m1.id, "team_id"), std::nullopt);
    EXPECT_EQ(m1.team_id, "");
    Member fresh;
    fresh.nick = "fresh";
    const auto made = run(blue.members().create(fresh));
    EXPECT_EQ(raw_attribute(Member::table_name(), made.id, "team_id"), attribute_value(blue.id));
    EXPECT_EQ(run(blue.members().count()), 2);
    run(blue.members().clear());
    EXPECT_TRUE(run(blue.members().empty()));

    // The team must exist: a ConditionCheck in the same transaction.
    auto gone = created<Team>([](Team&) {});
    delete_item_request erase;
    erase.table_name = Team::table_name();
    erase.key = {{"id", gone.id}};
    run(db.delete_item(erase));
    expect_error(
        errc::transaction_canceled, [&] { run(gone.members().add(m1)); },
        "Team {id: \"" + gone.id + "\"} (ConditionalCheckFailed)");
    EXPECT_EQ(raw_attribute(Member::table_name(), m1.id, "team_id"), std::nullopt);
}

TEST_F(AssociationTest, DependentOptions)
{
    // nullify (books) and destroy (profile).
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    auto b1 = created<Book>([](Book& b) { b.title = "One"; });
    auto profile = created<Profile>([](Profile& p) { p.bio = "bio"; });
    run(ann.books().add(b1));
    run(ann.profile().set(profile));
    run(ann.destroy_or_throw());
    EXPECT_FALSE(raw_item(Author::table_name(), ann.id));
    ASSERT_TRUE(raw_item(Book::table_name(), b1.id));
    EXPECT_EQ(raw_attribute(Book::table_name(), b1.id, "author_id"), std::nullopt);
    EXPECT_FALSE(raw_item(Profile::table_name(), profile.id));

    // destroy, with the associated records' callbacks.
    auto shelf = created<Shelf>([](Shelf&) {});
    auto v1 = created<Volume>([](Volume&) {});
    auto v2 = created<Volume>([](Volume&) {});
    run(shelf.volumes().add(v1));
    run(shelf.volumes().add(v2));
    volumes_destroyed = 0;
    run(shelf.destroy_or_throw());
    EXPECT_EQ(volumes_destroyed, 2);
    EXPECT_FALSE(raw_item(Volume::table_name(), v1.id));
    EXPECT_FALSE(raw_item(Volume::table_name(), v2.id));

    // delete, through the index.
    auto team = created<Team>([](Team&) {});
    auto m1 = created<Member>([](Member& m) { m.nick = "one"; });
    run(team.members().add(m1));
    run(team.destroy_or_throw());
    EXPECT_FALSE(raw_item(Member::table_name(), m1.id));

    // delete_() runs no callbacks and no dependents.
    auto kept = created<Shelf>([](Shelf&) {});
    auto v3 = created<Volume>([](Volume&) {});
    run(kept.volumes().add(v3));
    run(kept.delete_());
    EXPECT_TRUE(raw_item(Volume::table_name(), v3.id));

    // A batch or a transaction cannot apply them: refused before anything is sent, rather than
    // leave the volumes behind.
    auto full = created<Shelf>([](Shelf&) {});
    auto v4 = created<Volume>([](Volume&) {});
    run(full.volumes().add(v4));
    const auto refused = [](const std::function<void()>& attempt, std::string_view what) {
        try {
            attempt();
            ADD_FAILURE() << what << " was not refused";
        } catch (const error& e) {
            EXPECT_EQ(e.code(), errc::invalid_argument) << e.what();
            EXPECT_NE(std::string(e.what()).find("\"volumes\""), std::string::npos) << e.what();
        }
    };
    refused([&] { (void)run(batch_destroy({&full})); }, "batch_destroy");
    transaction t;
    refused([&] { t.destroy(full); }, "a transaction's destroy");
    EXPECT_TRUE(raw_item(Shelf::table_name(), full.id));
    EXPECT_TRUE(raw_item(Volume::table_name(), v4.id));
    EXPECT_FALSE(full.destroyed());
}

TEST_F(AssociationTest, AddingPastTheItemSizeLimitIsRefusedBeforeSending)
{
    // 10 bytes under the limit; the book's id and "books_ids" need 29.
    auto big = created<Author>([](Author& a) { a.name = "x"; });
    big.name = std::string(max_item_size - 10 - item_size(big.attributes()) + 1, 'x');
    run(big.save_or_throw());
    ASSERT_EQ(item_size(big.attributes()), max_item_size - 10);
    auto book = created<Book>([](Book& b) { b.title = "One"; });
    expect_error(
        errc::invalid_argument, [&] { run(big.books().add(book)); },
        "association \"books\": item Author {id: \"" + big.id + "\"} would be");
    EXPECT_EQ(raw_attribute(Book::table_name(), book.id, "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Author::table_name(), big.id, "books_ids"), std::nullopt);
    EXPECT_EQ(big.read_attribute("books_ids"), std::nullopt);
}

TEST_F(AssociationTest, MoreThanAHundredIdsLoadInBatchesAndClearInSeveralTransactions)
{
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    constexpr int books = 230;
    std::vector<attribute_map> items;
    std::vector<std::string> ids;
    for (int i = 0; i < books; ++i) {
        const std::string id = "book-" + std::to_string(i);
        ids.push_back(id);
        items.push_back(
            {{"id", id}, {"title", "T" + std::to_string(i)}, {"author_id", string_set{{ann.id}}}});
    }
    write_all(Book::table_name(), items);
    std::vector<std::string> linked = ids;
    linked.push_back("book-missing");  // an id whose item is gone is skipped
    update_item_request link;
    link.table_name = Author::table_name();
    link.key = {{"id", ann.id}};
    link.update_expression = "SET books_ids = :ids";
    link.expression_attribute_values = {{":ids", string_set{linked}}};
    run(db.update_item(link));
    run(ann.reload());

    EXPECT_EQ(run(ann.books().count()), books + 1);
    const auto all = run(ann.books().all());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(books));
    EXPECT_EQ(ids_of(all), std::set<std::string>(ids.begin(), ids.end()));

    run(ann.books().clear());
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), "book-0", "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), "book-229", "author_id"), std::nullopt);
    EXPECT_TRUE(run(ann.books().empty()));
}

// Items shaped exactly as Ruby's Dynomite 2 writes them: `<name>_ids` string sets on the
// collections' sides, `<name>_id` string sets of one id on the single sides.
TEST_F(AssociationTest, ItemsWrittenByDynomite2AreReadAndChangedInTheirShape)
{
    const auto ss = [](std::vector<std::string> ids) { return attribute_value(string_set{ids}); };
    write_all(Author::table_name(), {{{"id", "a1"},
                                      {"name", "Ann"},
                                      {"books_ids", ss({"b1", "b2"})},
                                      {"profile_id", ss({"p1"})}}});
    write_all(
        Book::table_name(),
        {{{"id", "b1"}, {"title", "One"}, {"author_id", ss({"a1"})}, {"genres_ids", ss({"g1"})}},
         {{"id", "b2"}, {"title", "Two"}, {"author_id", ss({"a1"})}},
         {{"id", "b3"}, {"title", "Three"}}});
    write_all(Genre::table_name(),
              {{{"id", "g1"}, {"label", "classic"}, {"books_ids", ss({"b1"})}}});
    write_all(Profile::table_name(), {{{"id", "p1"}, {"bio", "old"}, {"author_id", ss({"a1"})}},
                                      {{"id", "p2"}, {"bio", "new"}}});

    auto ann = run(Author::find_or_throw("a1"));
    EXPECT_EQ(ids_of(run(ann.books().all())), (std::set<std::string>{"b1", "b2"}));
    auto b1 = run(Book::find_or_throw("b1"));
    EXPECT_EQ(b1.author().id(), std::optional<std::string>("a1"));
    const auto genres = run(b1.genres().all());
    ASSERT_EQ(genres.size(), 1u);
    EXPECT_EQ(genres[0].label, "classic");
    auto g1 = run(Genre::find_or_throw("g1"));
    EXPECT_EQ(ids_of(run(g1.books().all())), (std::set<std::string>{"b1"}));
    const auto profile = run(ann.profile().get());
    ASSERT_TRUE(profile.has_value());
    EXPECT_EQ(profile->bio, "old");

    // Changed through the models, the items keep Dynomite 2's shape.
    auto b2 = run(Book::find_or_throw("b2"));
    auto b3 = run(Book::find_or_throw("b3"));
    run(ann.books().remove(b2));
    run(ann.books().add(b3));
    auto p2 = run(Profile::find_or_throw("p2"));
    run(ann.profile().set(p2));
    auto classic = g1;
    run(b3.genres().add(classic));

    EXPECT_EQ(raw_attribute(Author::table_name(), "a1", "books_ids"), ss({"b1", "b3"}));
    EXPECT_EQ(raw_attribute(Author::table_name(), "a1", "profile_id"), ss({"p2"}));
    EXPECT_EQ(raw_attribute(Book::table_name(), "b2", "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Book::table_name(), "b3", "author_id"), ss({"a1"}));
    EXPECT_EQ(raw_attribute(Book::table_name(), "b3", "genres_ids"), ss({"g1"}));
    EXPECT_EQ(raw_attribute(Genre::table_name(), "g1", "books_ids"), ss({"b1", "b3"}));
    EXPECT_EQ(raw_attribute(Profile::table_name(), "p1", "author_id"), std::nullopt);
    EXPECT_EQ(raw_attribute(Profile::table_name(), "p2", "author_id"), ss({"a1"}));
    for (const auto& [table, id] : std::vector<std::pair<std::string, std::string>>{
             {Author::table_name(), "a1"}, {Book::table_name(), "b3"}}) {
        const auto item = raw_item(table, id);
        ASSERT_TRUE(item.has_value());
        EXPECT_EQ(item->find("book_ids"), nullptr) << "no attribute of the old names";
        EXPECT_EQ(item->find("genre_ids"), nullptr);
    }
}

// An id set declared as a field, which the record can change by hand.
struct Exhibit;

struct Curator : model<Curator> {
    std::string id;
    std::set<std::string> exhibits_ids;
    collection<Exhibit> exhibits() { return {*this, "exhibits"}; }
    static void define(model_definition<Curator>& s)
    {
        s.field("exhibits_ids", &Curator::exhibits_ids);
        s.has_many<Exhibit>("exhibits");
    }
};

struct Exhibit : model<Exhibit> {
    std::string id;
    reference<Curator> curator() { return {*this, "curator"}; }
    static void define(model_definition<Exhibit>& s) { s.belongs_to<Curator>("curator"); }
};

TEST_F(AssociationTest, AnIdSetChangedByHandStaysAChangeThroughTheCollectionsWrites)
{
    Curator::set_table_name(make_table("assoc-curators"));
    Exhibit::set_table_name(make_table("assoc-exhibits"));
    write_all(Curator::table_name(), {{{"id", "c1"}, {"exhibits_ids", string_set{{"e1", "e2"}}}}});
    write_all(Exhibit::table_name(), {{{"id", "e1"}, {"curator_id", string_set{{"c1"}}}},
                                      {{"id", "e2"}, {"curator_id", string_set{{"c1"}}}},
                                      {{"id", "e3"}}});
    auto curator = run(Curator::find_or_throw("c1"));
    auto e3 = run(Exhibit::find_or_throw("e3"));
    curator.exhibits_ids.erase("e2");  // not saved yet
    run(curator.exhibits().add(e3));
    EXPECT_EQ(raw_attribute(Curator::table_name(), "c1", "exhibits_ids"),
              attribute_value(string_set{{"e1", "e2", "e3"}}))
        << "the addition alone is written";
    EXPECT_EQ(curator.exhibits_ids, (std::set<std::string>{"e1", "e3"}));
    EXPECT_EQ(curator.changed_attributes(), (std::vector<std::string>{"exhibits_ids"}));
    ASSERT_TRUE(run(curator.save()));
    EXPECT_EQ(raw_attribute(Curator::table_name(), "c1", "exhibits_ids"),
              attribute_value(string_set{{"e1", "e3"}}));

    // remove() of an id already removed by hand still unlinks it in the table, on both ends.
    curator.exhibits_ids.erase("e3");
    run(curator.exhibits().remove(e3));
    EXPECT_EQ(raw_attribute(Curator::table_name(), "c1", "exhibits_ids"),
              attribute_value(string_set{{"e1"}}));
    EXPECT_EQ(raw_attribute(Exhibit::table_name(), "e3", "curator_id"), std::nullopt);
    EXPECT_FALSE(curator.changed());

    // replace() reads what to unlink from the item, not from an id added by hand.
    curator.exhibits_ids.insert("e9");
    auto e1 = run(Exhibit::find_or_throw("e1"));
    run(curator.exhibits().replace({&e1, &e3}));
    EXPECT_EQ(raw_attribute(Curator::table_name(), "c1", "exhibits_ids"),
              attribute_value(string_set{{"e1", "e3"}}));
    EXPECT_EQ(raw_attribute(Exhibit::table_name(), "e3", "curator_id"),
              attribute_value(string_set{{"c1"}}));
    EXPECT_EQ(curator.exhibits_ids, (std::set<std::string>{"e1", "e3", "e9"}));
    EXPECT_EQ(curator.changed_attributes(), (std::vector<std::string>{"exhibits_ids"}));
    curator.restore_attributes();
    EXPECT_EQ(curator.exhibits_ids, (std::set<std::string>{"e1", "e3"}));

    // The same through an end the model does not declare.
    auto ann = created<Author>([](Author& a) { a.name = "Ann"; });
    auto b1 = created<Book>([](Book& b) { b.title = "One"; });
    auto b2 = created<Book>([](Book& b) { b.title = "Two"; });
    auto b3 = created<Book>([](Book& b) { b.title = "Three"; });
    run(ann.books().add(b1));
    run(ann.books().add(b2));
    ann["books_ids"] = string_set{{b1.id}};
    run(ann.books().add(b3));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b1.id, b2.id, b3.id}}));
    EXPECT_EQ(ann["books_ids"], attribute_value(string_set{{b1.id, b3.id}}));
    EXPECT_EQ(ann.changed_attributes(), (std::vector<std::string>{"books_ids"}));
    ASSERT_TRUE(run(ann.save()));
    EXPECT_EQ(raw_attribute(Author::table_name(), ann.id, "books_ids"),
              attribute_value(string_set{{b1.id, b3.id}}));
}

// Tables written with this library's former names and shapes: the options keep them.
struct LegacyAuthor;

struct LegacyBook : model<LegacyBook> {
    std::string id;
    reference<LegacyAuthor> author() { return {*this, "author"}; }
    static void define(model_definition<LegacyBook>& s)
    {
        s.belongs_to<LegacyAuthor>("author", {.single_id = single_id_storage::scalar});
    }
};

struct LegacyAuthor : model<LegacyAuthor> {
    std::string id;
    collection<LegacyBook> books() { return {*this, "books"}; }
    static void define(model_definition<LegacyAuthor>& s)
    {
        s.has_many<LegacyBook>("books", {.foreign_key = "book_ids"});
    }
};

TEST_F(AssociationTest, TheFormerNamesAndShapesAreKeptByTheOptions)
{
    LegacyAuthor::set_table_name(make_table("assoc-legacy-authors"));
    LegacyBook::set_table_name(make_table("assoc-legacy-books"));
    write_all(LegacyAuthor::table_name(), {{{"id", "a1"}, {"book_ids", string_set{{"b1"}}}}});
    write_all(LegacyBook::table_name(), {{{"id", "b1"}, {"author_id", "a1"}}, {{"id", "b2"}}});
    auto author = run(LegacyAuthor::find_or_throw("a1"));
    EXPECT_EQ(run(author.books().ids()), (std::vector<std::string>{"b1"}));
    auto b2 = run(LegacyBook::find_or_throw("b2"));
    run(author.books().add(b2));
    EXPECT_EQ(raw_attribute(LegacyAuthor::table_name(), "a1", "book_ids"),
              attribute_value(string_set{{"b1", "b2"}}));
    EXPECT_EQ(raw_attribute(LegacyBook::table_name(), "b2", "author_id"), attribute_value("a1"));
}

}  // namespace
