// Associations without a server: declarations and their checks, the transactions that link
// and unlink both ends, the in-memory result and the item size limit.
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

void run(asio::awaitable<void> op)
{
    asio::io_context io;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
}

struct Writer;
struct Article;
struct Label;
struct Remark;
struct Passport;

struct Writer : model<Writer> {
    std::string id;
    std::string name;
    collection<Article> articles() { return {*this, "articles"}; }
    collection<Remark> remarks() { return {*this, "remarks"}; }
    reference<Passport> passport() { return {*this, "passport"}; }

    static void define(model_definition<Writer>& s)
    {
        s.field("name", &Writer::name);
        s.has_many<Article>("articles");
        s.has_many<Remark>("remarks", {.storage = association_storage::foreign_key_index,
                                       .dependent = dependent_action::nullify});
        s.has_one<Passport>("passport", {.dependent = dependent_action::destroy});
    }
};

struct Article : model<Article> {
    std::string id;
    std::set<std::string> labels_ids;  // declared: kept in the field, not as a change
    reference<Writer> writer() { return {*this, "writer"}; }
    collection<Label> labels() { return {*this, "labels"}; }

    static void define(model_definition<Article>& s)
    {
        s.field("labels_ids", &Article::labels_ids);
        s.belongs_to<Writer>("writer");
        s.has_and_belongs_to_many<Label>("labels");
    }
};

struct Label : model<Label> {
    std::string id;
    static void define(model_definition<Label>& s)
    {
        s.has_and_belongs_to_many<Article>("articles");
    }
};

struct Remark : model<Remark> {
    std::string id;
    static void define(model_definition<Remark>& s) { s.belongs_to<Writer>("writer"); }
};

struct Passport : model<Passport> {
    std::string id;
    static void define(model_definition<Passport>& s) { s.belongs_to<Writer>("holder"); }
};

template <class T>
T loaded(attribute_map item)
{
    return T::from_item(std::move(item));
}

const transact_update& update_at(const transact_write_items_request& r, std::size_t i)
{
    return std::get<transact_update>(r.transact_items.at(i));
}

expression_names names(std::initializer_list<std::pair<std::string, std::string>> list)
{
    expression_names out;
    for (const auto& [k, v] : list) out.emplace_back(k, v);
    return out;
}

// Code that still says schema() (now class_descriptor()) or model_schema (now model_definition)
// compiles and reads the same descriptor.
TEST(AssociationDeclaration, DeprecatedSchemaNamesStillCompile)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    EXPECT_EQ(&Writer::schema(), &Writer::class_descriptor());
    EXPECT_EQ(&Article::schema(), &Article::class_descriptor());
    static_assert(std::is_same_v<dynomite::model_schema<Writer>, dynomite::model_definition<Writer>>);
#pragma GCC diagnostic pop
    EXPECT_NE(&Writer::class_descriptor(), &Article::class_descriptor());
}

TEST(AssociationDeclaration, DefaultsFollowDynomite2)
{
    const auto& many = detail::resolve_association(Writer::class_descriptor(), "articles");
    EXPECT_EQ(many.owner.attribute, "articles_ids");
    EXPECT_EQ(many.owner.form, detail::side_form::id_set);
    EXPECT_EQ(many.target.attribute, "writer_id");
    EXPECT_EQ(many.target.form, detail::side_form::single_id);
    EXPECT_TRUE(many.target.single_in_set) << "belongs_to without foreign_key: a string set";
    ASSERT_NE(many.inverse, nullptr);
    EXPECT_EQ(many.inverse->name, "writer");

    const auto& habtm = detail::resolve_association(Article::class_descriptor(), "labels");
    EXPECT_EQ(habtm.owner.attribute, "labels_ids");
    EXPECT_EQ(habtm.target.attribute, "articles_ids");
    EXPECT_EQ(habtm.target.form, detail::side_form::id_set);

    const auto& indexed = detail::resolve_association(Writer::class_descriptor(), "remarks");
    EXPECT_EQ(indexed.owner.form, detail::side_form::none);
    EXPECT_EQ(indexed.target.attribute, "writer_id");
    EXPECT_EQ(indexed.target.form, detail::side_form::single_id);
    EXPECT_FALSE(indexed.target.single_in_set) << "an index key is a string";
    EXPECT_FALSE(
        detail::resolve_association(Remark::class_descriptor(), "writer").owner.single_in_set);

    const auto& one = detail::resolve_association(Writer::class_descriptor(), "passport");
    EXPECT_EQ(one.owner.attribute, "passport_id");
    EXPECT_EQ(one.target.attribute, "holder_id");
    EXPECT_TRUE(one.owner.single_in_set);
    EXPECT_TRUE(one.target.single_in_set);
}

TEST(AssociationRequests, AddWritesBothEndsInOneTransaction)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"name", "Ann"}});
    auto article = loaded<Article>({{"id", "a1"}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.link(a, writer, article);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 2u);
    EXPECT_EQ(plan.item_name(1), "Article {id: \"a1\"}");
    EXPECT_EQ(plan.association(), "articles");

    const auto& owner = update_at(request, 0);
    EXPECT_EQ(owner.table_name, "writers");
    EXPECT_EQ(owner.key, (attribute_map{{"id", "w1"}}));
    EXPECT_EQ(owner.update_expression, "ADD #n0 :v0");
    EXPECT_EQ(owner.condition_expression, "attribute_exists(#n1)");
    EXPECT_EQ(owner.expression_attribute_names, names({{"#n0", "articles_ids"}, {"#n1", "id"}}));
    EXPECT_EQ(owner.expression_attribute_values, (attribute_map{{":v0", string_set{{"a1"}}}}));

    const auto& target = update_at(request, 1);
    EXPECT_EQ(target.table_name, "articles");
    EXPECT_EQ(target.key, (attribute_map{{"id", "a1"}}));
    EXPECT_EQ(target.update_expression, "SET #n0 = :v0");
    EXPECT_EQ(target.condition_expression, "attribute_exists(#n1) AND attribute_not_exists(#n0)");
    EXPECT_EQ(target.expression_attribute_names, names({{"#n0", "writer_id"}, {"#n1", "id"}}));
    EXPECT_EQ(target.expression_attribute_values, (attribute_map{{":v0", string_set{{"w1"}}}}));
}

TEST(AssociationRequests, MovingASingleEndUnlinksThePreviousOwner)
{
    auto writer = loaded<Writer>({{"id", "w2"}});
    auto article = loaded<Article>({{"id", "a1"}, {"writer_id", string_set{{"w1"}}}});
    const auto& a = detail::resolve_association(Article::class_descriptor(), "writer");
    detail::link_plan plan("writer");
    plan.link(a, article, writer);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 3u);
    const auto& own = update_at(request, 0);
    EXPECT_EQ(own.update_expression, "SET #n0 = :v0");
    EXPECT_EQ(own.condition_expression, "attribute_exists(#n1) AND #n0 = :v1");
    EXPECT_EQ(own.expression_attribute_values,
              (attribute_map{{":v0", string_set{{"w2"}}}, {":v1", string_set{{"w1"}}}}));
    const auto& previous = update_at(request, 1);
    EXPECT_EQ(previous.key, (attribute_map{{"id", "w1"}}));
    EXPECT_EQ(previous.update_expression, "DELETE #n0 :v0");
    EXPECT_EQ(previous.expression_attribute_names, names({{"#n0", "articles_ids"}, {"#n1", "id"}}));
    EXPECT_EQ(previous.expression_attribute_values, (attribute_map{{":v0", string_set{{"a1"}}}}));
    const auto& next = update_at(request, 2);
    EXPECT_EQ(next.key, (attribute_map{{"id", "w2"}}));
    EXPECT_EQ(next.update_expression, "ADD #n0 :v0");
}

TEST(AssociationRequests, AnAlreadyLinkedSingleEndIsOnlyChecked)
{
    auto writer = loaded<Writer>({{"id", "w1"}});
    auto article = loaded<Article>({{"id", "a1"}, {"writer_id", string_set{{"w1"}}}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.link(a, writer, article);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 2u);
    EXPECT_EQ(update_at(request, 0).update_expression, "ADD #n0 :v0");
    const auto& check = std::get<transact_condition_check>(request.transact_items.at(1));
    EXPECT_EQ(check.table_name, "articles");
    EXPECT_EQ(check.key, (attribute_map{{"id", "a1"}}));
    EXPECT_EQ(check.condition_expression, "attribute_exists(#n0) AND #n1 = :v0");
    EXPECT_EQ(check.expression_attribute_names, names({{"#n0", "id"}, {"#n1", "writer_id"}}));
    EXPECT_EQ(check.expression_attribute_values, (attribute_map{{":v0", string_set{{"w1"}}}}));
    plan.apply();
    EXPECT_EQ(article.read_attribute("writer_id"), attribute_value(string_set{{"w1"}}));
    EXPECT_EQ(writer.read_attribute("articles_ids"), attribute_value(string_set{{"a1"}}));
}

TEST(AssociationRequests, UnlinkRemovesBothEnds)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"articles_ids", string_set{{"a1", "a2"}}}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.unlink(a, writer, "a1");
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 2u);
    EXPECT_EQ(update_at(request, 0).update_expression, "DELETE #n0 :v0");
    const auto& target = update_at(request, 1);
    EXPECT_EQ(target.update_expression, "REMOVE #n0");
    EXPECT_EQ(target.condition_expression, "attribute_exists(#n1) AND #n0 = :v0");
    EXPECT_EQ(target.expression_attribute_values, (attribute_map{{":v0", string_set{{"w1"}}}}));

    plan.apply();
    EXPECT_EQ(writer.read_attribute("articles_ids"), attribute_value(string_set{{"a2"}}));
    EXPECT_FALSE(writer.changed());
}

TEST(AssociationRequests, UnlinkOfAnIdNotHeldChangesNothing)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"articles_ids", string_set{{"a2"}}}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    auto article = loaded<Article>({{"id", "a1"}});
    plan.unlink(a, writer, "a1", &article);
    EXPECT_FALSE(plan.writes());
    EXPECT_EQ(plan.item_count(), 0u);
}

TEST(AssociationRequests, ManyToManyAddsToBothSetsAndAppliesWithoutChanges)
{
    auto article = loaded<Article>({{"id", "a1"}});
    auto label = loaded<Label>({{"id", "l1"}});
    const auto& a = detail::resolve_association(Article::class_descriptor(), "labels");
    detail::link_plan plan("labels");
    plan.link(a, article, label);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 2u);
    EXPECT_EQ(update_at(request, 0).expression_attribute_names,
              names({{"#n0", "labels_ids"}, {"#n1", "id"}}));
    EXPECT_EQ(update_at(request, 1).table_name, "labels");
    EXPECT_EQ(update_at(request, 1).update_expression, "ADD #n0 :v0");
    EXPECT_EQ(update_at(request, 1).expression_attribute_values,
              (attribute_map{{":v0", string_set{{"a1"}}}}));

    plan.apply();
    EXPECT_EQ(article.labels_ids, (std::set<std::string>{"l1"}));
    EXPECT_FALSE(article.changed());
    EXPECT_EQ(label.read_attribute("articles_ids"), attribute_value(string_set{{"a1"}}));
}

TEST(AssociationRequests, ForeignKeyIndexChecksTheOwnerAndSetsTheKey)
{
    auto writer = loaded<Writer>({{"id", "w1"}});
    auto remark = loaded<Remark>({{"id", "r1"}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "remarks");
    detail::link_plan plan("remarks");
    plan.link(a, writer, remark);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 2u);
    const auto& check = std::get<transact_condition_check>(request.transact_items.at(0));
    EXPECT_EQ(check.table_name, "writers");
    EXPECT_EQ(check.condition_expression, "attribute_exists(#n0)");
    EXPECT_EQ(update_at(request, 1).update_expression, "SET #n0 = :v0");
    EXPECT_EQ(update_at(request, 1).expression_attribute_names,
              names({{"#n0", "writer_id"}, {"#n1", "id"}}));
}

TEST(AssociationRequests, AddingAndRemovingOnOneSetWritesTheFinalSetOnItsOldValue)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"articles_ids", string_set{{"a1"}}}});
    auto a2 = loaded<Article>({{"id", "a2"}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.unlink(a, writer, "a1");
    plan.link(a, writer, a2);
    const auto request = plan.request();
    const auto& owner = update_at(request, 0);
    EXPECT_EQ(owner.update_expression, "SET #n0 = :v0");
    EXPECT_EQ(owner.condition_expression, "attribute_exists(#n1) AND #n0 = :v1");
    EXPECT_EQ(owner.expression_attribute_values,
              (attribute_map{{":v0", string_set{{"a2"}}}, {":v1", string_set{{"a1"}}}}));
}

TEST(AssociationRequests, HasOneReplacesThePreviousRecordsLinkBack)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"passport_id", string_set{{"p-old"}}}});
    auto passport = loaded<Passport>({{"id", "p-new"}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "passport");
    detail::link_plan plan("passport");
    plan.link(a, writer, passport);
    const auto request = plan.request();
    ASSERT_EQ(request.transact_items.size(), 3u);
    const auto& old = update_at(request, 1);
    EXPECT_EQ(old.table_name, "passports");
    EXPECT_EQ(old.key, (attribute_map{{"id", "p-old"}}));
    EXPECT_EQ(old.update_expression, "REMOVE #n0");
    EXPECT_EQ(old.expression_attribute_names, names({{"#n0", "holder_id"}, {"#n1", "id"}}));
    plan.apply();
    EXPECT_EQ(writer.read_attribute("passport_id"), attribute_value(string_set{{"p-new"}}));
    EXPECT_EQ(passport.read_attribute("holder_id"), attribute_value(string_set{{"w1"}}));
}

TEST(AssociationSize, ItemSizeCountsNamesAndValues)
{
    EXPECT_EQ(item_size(attribute_map{{"id", "w1"}}), 4u);
    EXPECT_EQ(item_size(attribute_map{{"articles_ids", string_set{{"a1", "a22"}}}}), 12u + 5u);
}

TEST(AssociationSize, AddingPastTheLimitFailsBeforeAnyRequest)
{
    const std::string big(max_item_size - 40, 'x');
    auto writer = loaded<Writer>({{"id", "w1"}, {"name", big}});
    auto article = loaded<Article>({{"id", "article-with-a-long-identifier-0001"}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.link(a, writer, article);
    try {
        plan.check_sizes();
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        const std::string what = e.what();
        EXPECT_NE(what.find("\"articles\""), std::string::npos) << what;
        EXPECT_NE(what.find("Writer {id: \"w1\"}"), std::string::npos) << what;
        EXPECT_NE(what.find(std::to_string(item_size(writer.attributes()) + 12 + 35)),
                  std::string::npos)
            << what;
        EXPECT_NE(what.find("409600"), std::string::npos) << what;
    }

    auto small = loaded<Writer>({{"id", "w2"}, {"name", std::string(max_item_size - 100, 'x')}});
    detail::link_plan fits("articles");
    auto short_id = loaded<Article>({{"id", "a1"}});
    fits.link(a, small, short_id);
    EXPECT_NO_THROW(fits.check_sizes());
}

TEST(AssociationSize, RemovingFromALargeItemIsAllowed)
{
    auto writer = loaded<Writer>({{"id", "w1"},
                                  {"name", std::string(max_item_size, 'x')},
                                  {"articles_ids", string_set{{"a1"}}}});
    const auto& a = detail::resolve_association(Writer::class_descriptor(), "articles");
    detail::link_plan plan("articles");
    plan.unlink(a, writer, "a1");
    EXPECT_NO_THROW(plan.check_sizes());
}

// --- Dynomite 2's shapes and the options that change them ----------------------------------

struct Book;

struct Shelf : model<Shelf> {
    std::string id;
    static void define(model_definition<Shelf>& s) { s.has_many<Book>("books"); }
};

struct Book : model<Book> {
    std::string id;
    reference<Shelf> shelf() { return {*this, "shelf"}; }
    static void define(model_definition<Book>& s)
    {
        s.belongs_to<Shelf>("shelf", {.foreign_key = "shelf_id"});
    }
};

TEST(AssociationDeclaration, ABelongsToWithAForeignKeyStoresTheIdItself)
{
    const auto& own = detail::resolve_association(Book::class_descriptor(), "shelf");
    EXPECT_EQ(own.owner.attribute, "shelf_id");
    EXPECT_FALSE(own.owner.single_in_set);
    const auto& books = detail::resolve_association(Shelf::class_descriptor(), "books");
    EXPECT_EQ(books.owner.attribute, "books_ids");
    EXPECT_EQ(books.target.attribute, "shelf_id");
    EXPECT_FALSE(books.target.single_in_set);

    auto shelf = loaded<Shelf>({{"id", "s1"}});
    auto book = loaded<Book>({{"id", "b1"}});
    detail::link_plan plan("books");
    plan.link(books, shelf, book);
    const auto request = plan.request();
    EXPECT_EQ(update_at(request, 1).expression_attribute_values, (attribute_map{{":v0", "s1"}}));
}

TEST(AssociationProxies, AnIdStoredEitherWayIsRead)
{
    // Dynomite 2 without foreign_key: a set of one; older writes of this library: a string.
    auto in_set = loaded<Article>({{"id", "a1"}, {"writer_id", string_set{{"w1"}}}});
    auto scalar = loaded<Article>({{"id", "a2"}, {"writer_id", "w1"}});
    EXPECT_EQ(in_set.writer().id(), std::optional<std::string>("w1"));
    EXPECT_EQ(scalar.writer().id(), std::optional<std::string>("w1"));
}

// --- Declaration errors ------------------------------------------------------------------

struct Twice : model<Twice> {
    std::string id;
    static void define(model_definition<Twice>& s)
    {
        s.has_many<Label>("labels");
        s.has_many<Label>("labels");
    }
};

struct SameKey : model<SameKey> {
    std::string id;
    static void define(model_definition<SameKey>& s)
    {
        s.has_many<Label>("labels");
        s.has_many<Article>("others", {.foreign_key = "labels_ids"});
    }
};

struct IndexedBelongs : model<IndexedBelongs> {
    std::string id;
    static void define(model_definition<IndexedBelongs>& s)
    {
        s.belongs_to<Writer>("writer", {.storage = association_storage::foreign_key_index});
    }
};

struct DependentBelongs : model<DependentBelongs> {
    std::string id;
    static void define(model_definition<DependentBelongs>& s)
    {
        s.belongs_to<Writer>("writer", {.dependent = dependent_action::destroy});
    }
};

struct UnknownInverse : model<UnknownInverse> {
    std::string id;
    static void define(model_definition<UnknownInverse>& s)
    {
        s.has_many<Article>("articles", {.inverse = "author"});
    }
};

struct ForeignInverse : model<ForeignInverse> {
    std::string id;
    static void define(model_definition<ForeignInverse>& s)
    {
        s.has_many<Article>("articles", {.inverse = "writer"});
    }
};

struct MisfitInverse : model<MisfitInverse> {
    std::string id;
    static void define(model_definition<MisfitInverse>& s)
    {
        s.has_many<Article>("articles", {.inverse = "labels"});
    }
};

struct NumberKeyed : model<NumberKeyed> {
    int id = 0;
    static void define(model_definition<NumberKeyed>& s)
    {
        s.field("id", &NumberKeyed::id);
        s.no_generated_id();
        s.has_many<Label>("labels");
    }
};

struct SortKeyed : model<SortKeyed> {
    std::string id;
    std::string at;
    static void define(model_definition<SortKeyed>& s)
    {
        s.field("at", &SortKeyed::at);
        s.partition_key("id").sort_key("at");
        s.has_many<Label>("labels");
    }
};

struct WrongSetType : model<WrongSetType> {
    std::string id;
    int labels_ids = 0;
    static void define(model_definition<WrongSetType>& s)
    {
        s.field("labels_ids", &WrongSetType::labels_ids);
        s.has_many<Label>("labels");
    }
};

struct SetNote;

struct IndexedNotes : model<IndexedNotes> {
    std::string id;
    static void define(model_definition<IndexedNotes>& s)
    {
        s.has_many<SetNote>("notes", {.storage = association_storage::foreign_key_index});
    }
};

struct SetNote : model<SetNote> {
    std::string id;
    static void define(model_definition<SetNote>& s)
    {
        s.belongs_to<IndexedNotes>("indexed_notes", {.single_id = single_id_storage::string_set});
    }
};

template <class T>
std::string configuration_error(std::string_view name)
{
    try {
        detail::resolve_association(T::class_descriptor(), name);
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

template <class T>
std::string declaration_error()
{
    try {
        (void)T::class_descriptor();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_configuration);
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

TEST(AssociationDeclaration, DuplicateNamesAndAttributes)
{
    EXPECT_TRUE(contains(declaration_error<Twice>(), "\"labels\" of model Twice: declared twice"));
    const auto same = declaration_error<SameKey>();
    EXPECT_TRUE(contains(same, "\"labels_ids\" is already used by association \"labels\"")) << same;
}

TEST(AssociationDeclaration, OptionsThatDoNotFitTheKind)
{
    EXPECT_TRUE(contains(declaration_error<IndexedBelongs>(), "for has_many only, not belongs_to"));
    EXPECT_TRUE(contains(declaration_error<DependentBelongs>(), "has_many and has_one only"));
}

TEST(AssociationDeclaration, UnknownOrMisfitInverse)
{
    const auto unknown = configuration_error<UnknownInverse>("articles");
    EXPECT_TRUE(contains(unknown, "inverse \"author\" is not an association of Article"))
        << unknown;
    const auto foreign = configuration_error<ForeignInverse>("articles");
    EXPECT_TRUE(contains(foreign, "points to Writer, not ForeignInverse")) << foreign;
    const auto misfit = configuration_error<MisfitInverse>("articles");
    EXPECT_TRUE(contains(misfit, "points to Label")) << misfit;
    const auto missing = configuration_error<Writer>("nothing");
    EXPECT_TRUE(contains(missing, "Writer declares no association \"nothing\"")) << missing;
}

TEST(AssociationDeclaration, WrongKeyTypes)
{
    const auto number = configuration_error<NumberKeyed>("labels");
    EXPECT_TRUE(contains(number, "the key NumberKeyed.id cannot hold a S")) << number;
    const auto sorted = configuration_error<SortKeyed>("labels");
    EXPECT_TRUE(contains(sorted, "has sort key \"at\"")) << sorted;
    const auto indexed = configuration_error<IndexedNotes>("notes");
    EXPECT_TRUE(contains(indexed,
                         "its inverse SetNote.indexed_notes stores its id in a string set, "
                         "but the index on \"indexed_notes_id\" needs a string"))
        << indexed;
    const auto set = configuration_error<WrongSetType>("labels");
    EXPECT_TRUE(contains(set, "the id set WrongSetType.labels_ids cannot hold a SS")) << set;
}

TEST(AssociationProxies, KindAndModelAreChecked)
{
    auto writer = loaded<Writer>({{"id", "w1"}});
    try {
        collection<Passport> wrong(writer, "passport");
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_TRUE(contains(e.what(), "Writer.passport is a has_one")) << e.what();
    }
    try {
        collection<Label> wrong(writer, "articles");
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_TRUE(contains(e.what(), "associates Article, not Label")) << e.what();
    }
}

TEST(AssociationProxies, IdsAndCountsComeFromMemory)
{
    auto writer = loaded<Writer>({{"id", "w1"}, {"articles_ids", string_set{{"a1", "a2"}}}});
    auto article = loaded<Article>({{"id", "a2"}, {"writer_id", string_set{{"w1"}}}});
    run([&]() -> asio::awaitable<void> {
        auto articles = writer.articles();
        const auto n = co_await articles.count();
        EXPECT_EQ(n, 2);
        const bool has = co_await articles.include(article);
        EXPECT_TRUE(has);
        const bool has_other = co_await articles.include("a3");
        EXPECT_FALSE(has_other);
        const bool none = co_await articles.empty();
        EXPECT_FALSE(none);
    }());
    EXPECT_EQ(article.writer().id(), std::optional<std::string>("w1"));
    EXPECT_EQ(writer.passport().id(), std::nullopt);
    EXPECT_THROW(writer.articles().relation(), error);
}

TEST(AssociationProxies, WritesNeedPersistedRecords)
{
    Writer writer;
    writer.id = "w1";
    auto article = loaded<Article>({{"id", "a1"}});
    try {
        run(writer.articles().add(article));
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::not_persisted);
        EXPECT_TRUE(contains(e.what(), "new (never saved)")) << e.what();
    }
    auto saved = loaded<Writer>({{"id", "w1"}});
    Article fresh;
    fresh.id = "a9";
    try {
        run(saved.articles().add(fresh));
        FAIL() << "no error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), model_errc::not_persisted);
        EXPECT_TRUE(contains(e.what(), "associated record")) << e.what();
    }
}

TEST(AssociationProxies, ANewAssociatedRecordCarriesItsLinkAsAChange)
{
    auto writer = loaded<Writer>({{"id", "w1"}});
    Article article;
    detail::prepare_associated(writer, "articles", article);
    EXPECT_EQ(article.read_attribute("writer_id"), attribute_value(string_set{{"w1"}}));

    auto label = loaded<Label>({{"id", "l1"}});
    Article tagged;
    detail::prepare_associated(label, "articles", tagged);
    EXPECT_EQ(tagged.labels_ids, (std::set<std::string>{"l1"}));
    EXPECT_TRUE(tagged.attribute_changed("labels_ids"));
}

}  // namespace
