// Validators and their messages, conditions, contexts and custom validators, without a server.
#include <dynomite/model.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynomite;
namespace asio = boost::asio;

bool run(asio::awaitable<bool> op)
{
    asio::io_context io;
    std::optional<bool> result;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(op), [&](std::exception_ptr e, bool value) {
        failure = e;
        if (!e) result = value;
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return *result;
}

struct Account : model<Account> {
    std::string id;
    std::string name;
    std::string email;
    std::optional<std::string> email_confirmation;
    std::string nickname;
    std::string code;
    std::optional<double> balance;
    std::optional<int> age;
    std::optional<std::string> plan;
    std::set<std::string> roles;
    std::string internal_note;
    std::string username;
    bool vip = false;
    std::optional<int> level;

    bool is_vip() const { return vip; }

    static void define(model_definition<Account>& s)
    {
        s.field("name", &Account::name).validates(presence()).label("Full name");
        s.field("email", &Account::email)
            .validates(presence())
            .validates(format(std::regex("^[^@ ]+@[^@ ]+$")))
            .validates(confirmation(&Account::email_confirmation, "email_confirmation"));
        s.field("nickname", &Account::nickname)
            .validates(length().in(2, 5))
            .validates(format().without(std::regex("admin")).message("must not mention admin"));
        s.field("code", &Account::code).validates(length().is(3).allow_blank());
        s.field("balance", &Account::balance)
            .validates(numericality().greater_than_or_equal_to(number(0)).allow_nil());
        s.field("age", &Account::age)
            .validates(
                numericality().only_integer().greater_than(number(17)).less_than(number(130)))
            .if_([](const Account& a) { return a.age.has_value(); });
        s.field("plan", &Account::plan).validates(inclusion({"free", "pro"}).allow_nil());
        s.field("roles", &Account::roles)
            .validates(inclusion({"reader", "writer"}))
            .unless([](const Account& a) { return a.roles.empty(); });
        s.field("internal_note", &Account::internal_note)
            .validates(absence().on(validation_context::create));
        s.field("username", &Account::username).validates(exclusion({"root", "admin"}));
        s.field("vip", &Account::vip);
        s.field("level", &Account::level).validates(presence()).if_(&Account::is_vip);
    }
};

Account valid_account()
{
    Account a;
    a.name = "Ada";
    a.email = "ada@example.com";
    a.nickname = "ada";
    a.username = "ada";
    return a;
}

TEST(Validation, ValidRecordHasNoErrors)
{
    Account a = valid_account();
    EXPECT_TRUE(a.valid_locally()) << a.errors().to_string();
    EXPECT_TRUE(a.errors().empty());
    EXPECT_TRUE(run(a.valid()));
}

TEST(Validation, PresenceWithLabelAndFullMessages)
{
    Account a = valid_account();
    a.name = "   ";
    a.email = "";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("name"), (std::vector<std::string>{"can't be blank"}));
    EXPECT_EQ(a.errors()["email"], (std::vector<std::string>{"can't be blank", "is invalid"}));
    EXPECT_TRUE(a.errors().contains("email"));
    EXPECT_FALSE(a.errors().contains("nickname"));
    EXPECT_EQ(a.errors().full_messages(),
              (std::vector<std::string>{"Full name can't be blank", "Email can't be blank",
                                        "Email is invalid"}));
    EXPECT_EQ(a.errors().to_string(),
              "Full name can't be blank, Email can't be blank, Email is invalid");
    a.name = "Ada";
    a.email = "ada@example.com";
    EXPECT_TRUE(a.valid_locally()) << "errors are recomputed: " << a.errors().to_string();
}

TEST(Validation, FormatAndCustomMessage)
{
    Account a = valid_account();
    a.email = "not an email";
    a.nickname = "admin";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("email"), (std::vector<std::string>{"is invalid"}));
    EXPECT_EQ(a.errors().on("nickname"), (std::vector<std::string>{"must not mention admin"}));
}

TEST(Validation, Confirmation)
{
    Account a = valid_account();
    a.email_confirmation = "other@example.com";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().full_messages(),
              (std::vector<std::string>{"Email confirmation doesn't match Email"}));
    a.email_confirmation = "ada@example.com";
    EXPECT_TRUE(a.valid_locally());
    a.email_confirmation.reset();
    EXPECT_TRUE(a.valid_locally()) << "no confirmation given: nothing to compare";
}

TEST(Validation, LengthMessages)
{
    Account a = valid_account();
    a.nickname = "a";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("nickname"),
              (std::vector<std::string>{"is too short (minimum is 2 characters)"}));
    a.nickname = "abcdef";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("nickname"),
              (std::vector<std::string>{"is too long (maximum is 5 characters)"}));
    a.nickname = "\xC3\xA9t\xC3\xA9s";  // "étés": 4 characters, 6 bytes
    EXPECT_TRUE(a.valid_locally()) << a.errors().to_string();
    a.code = "ab";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("code"),
              (std::vector<std::string>{"is the wrong length (should be 3 characters)"}));
    a.code = "";
    EXPECT_TRUE(a.valid_locally()) << "allow_blank skips the empty code";
}

TEST(Validation, NumericalityMessages)
{
    Account a = valid_account();
    a.balance = -1;
    a.age = 17;
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("balance"),
              (std::vector<std::string>{"must be greater than or equal to 0"}));
    EXPECT_EQ(a.errors().on("age"), (std::vector<std::string>{"must be greater than 17"}));
    a.balance.reset();
    a.age = 130;
    EXPECT_FALSE(a.valid_locally());
    EXPECT_FALSE(a.errors().contains("balance")) << "allow_nil";
    EXPECT_EQ(a.errors().on("age"), (std::vector<std::string>{"must be less than 130"}));
    a.age.reset();
    EXPECT_TRUE(a.valid_locally()) << "if_: no age, no check";
}

TEST(Validation, NumericalityOnOtherValues)
{
    struct Measure : model<Measure> {
        std::string id;
        std::string amount;
        double ratio = 0;
        int count = 0;
        static void define(model_definition<Measure>& s)
        {
            s.field("amount", &Measure::amount).validates(numericality());
            s.field("ratio", &Measure::ratio).validates(numericality().only_integer());
            s.field("count", &Measure::count)
                .validates(numericality().odd())
                .validates(numericality().equal_to(number(3)).message("must be three"))
                .validates(numericality().other_than(number(5)));
        }
    };
    Measure m;
    m.amount = " 12.5 ";
    m.ratio = 2;
    m.count = 3;
    EXPECT_TRUE(m.valid_locally()) << m.errors().to_string();
    m.amount = "twelve";
    m.ratio = 2.5;
    m.count = 4;
    EXPECT_FALSE(m.valid_locally());
    EXPECT_EQ(m.errors().on("amount"), (std::vector<std::string>{"is not a number"}));
    EXPECT_EQ(m.errors().on("ratio"), (std::vector<std::string>{"must be an integer"}));
    EXPECT_EQ(m.errors().on("count"), (std::vector<std::string>{"must be odd", "must be three"}));
    m.amount = "1";
    m.ratio = 0;
    m.count = 5;
    EXPECT_FALSE(m.valid_locally());
    EXPECT_EQ(m.errors().on("count"),
              (std::vector<std::string>{"must be three", "must be other than 5"}));
    m.amount = "";
    EXPECT_FALSE(m.valid_locally());
    EXPECT_EQ(m.errors().on("amount"), (std::vector<std::string>{"is not a number"}));
}

TEST(Validation, EvenNumbers)
{
    struct Pair : model<Pair> {
        std::string id;
        int n = 0;
        static void define(model_definition<Pair>& s)
        {
            s.field("n", &Pair::n).validates(numericality().even());
        }
    };
    Pair p;
    p.n = 4;
    EXPECT_TRUE(p.valid_locally());
    p.n = 3;
    EXPECT_FALSE(p.valid_locally());
    EXPECT_EQ(p.errors().on("n"), (std::vector<std::string>{"must be even"}));
}

TEST(Validation, InclusionAndExclusion)
{
    Account a = valid_account();
    a.plan = "enterprise";
    a.roles = {"reader", "owner"};
    a.username = "root";
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().on("plan"), (std::vector<std::string>{"is not included in the list"}));
    EXPECT_EQ(a.errors().on("roles"), (std::vector<std::string>{"is not included in the list"}));
    EXPECT_EQ(a.errors().on("username"), (std::vector<std::string>{"is reserved"}));
    a.plan = "pro";
    a.roles = {"reader", "writer"};
    a.username = "rooted";
    EXPECT_TRUE(a.valid_locally()) << a.errors().to_string();
}

TEST(Validation, AbsenceOnCreateOnly)
{
    Account a = valid_account();
    a.internal_note = "x";
    EXPECT_FALSE(a.valid_locally(validation_context::create));
    EXPECT_EQ(a.errors().on("internal_note"), (std::vector<std::string>{"must be blank"}));
    EXPECT_TRUE(a.valid_locally(validation_context::update)) << a.errors().to_string();
    EXPECT_FALSE(a.valid_locally()) << "a new record validates for create";
}

TEST(Validation, ConditionWithMemberFunction)
{
    Account a = valid_account();
    a.vip = true;
    EXPECT_FALSE(a.valid_locally());
    EXPECT_EQ(a.errors().full_messages(), (std::vector<std::string>{"Level can't be blank"}));
    a.level = 3;
    EXPECT_TRUE(a.valid_locally());
}

struct Booking : model<Booking> {
    std::string id;
    int starts = 0;
    int ends = 0;
    std::string room;
    bool checked = false;

    void check_order()
    {
        if (ends < starts) errors().add("ends", "must be after the start");
    }

    static void define(model_definition<Booking>& s)
    {
        s.field("starts", &Booking::starts);
        s.field("ends", &Booking::ends);
        s.field("room", &Booking::room);
        s.validate(&Booking::check_order);
        s.validate([](const Booking& b, model_errors& errors) {
             if (b.room == "closed") errors.add_to_base("The room is closed");
         }).on(validation_context::update);
        s.validate([](Booking& b) -> asio::awaitable<void> {
             const auto executor = co_await asio::this_coro::executor;
             co_await asio::post(executor, asio::use_awaitable);
             b.checked = true;
             if (b.room == "busy") b.errors().add("room", "is busy");
         }).unless([](const Booking& b) { return b.room.empty(); });
    }
};

TEST(Validation, CustomValidators)
{
    Booking b;
    b.starts = 5;
    b.ends = 3;
    b.room = "closed";
    EXPECT_FALSE(b.valid_locally());
    EXPECT_EQ(b.errors().full_messages(),
              (std::vector<std::string>{"Ends must be after the start"}));
    EXPECT_FALSE(b.valid_locally(validation_context::update));
    EXPECT_EQ(b.errors().full_messages(),
              (std::vector<std::string>{"Ends must be after the start", "The room is closed"}));
    EXPECT_FALSE(b.checked) << "valid_locally skips awaitable validators";
}

TEST(Validation, AwaitableValidatorRunsInValid)
{
    Booking b;
    b.room = "busy";
    EXPECT_TRUE(b.valid_locally());
    EXPECT_FALSE(run(b.valid()));
    EXPECT_TRUE(b.checked);
    EXPECT_EQ(b.errors().full_messages(), (std::vector<std::string>{"Room is busy"}));
    b.room = "";
    b.checked = false;
    EXPECT_TRUE(run(b.valid()));
    EXPECT_FALSE(b.checked) << "unless() skipped it";
}

TEST(Validation, AroundValidationWrapsTheValidators)
{
    struct Wrapped : model<Wrapped> {
        std::string id;
        std::string title;
        std::vector<std::string> seen;
        static void define(model_definition<Wrapped>& s)
        {
            s.field("title", &Wrapped::title).validates(presence());
            s.around_validation([](Wrapped& w, proceed next) -> asio::awaitable<void> {
                w.seen.push_back("before:" + std::to_string(w.errors().size()));
                co_await next();
                w.seen.push_back("after:" + std::to_string(w.errors().size()));
            });
        }
    };
    Wrapped w;
    EXPECT_FALSE(run(w.valid()));
    EXPECT_EQ(w.seen, (std::vector<std::string>{"before:0", "after:1"}));
    w.seen.clear();
    EXPECT_FALSE(w.valid_locally());
    EXPECT_TRUE(w.seen.empty()) << "valid_locally skips around callbacks";
}

TEST(Validation, UniquenessIsSkippedLocally)
{
    struct Handle : model<Handle> {
        std::string id;
        std::string name;
        static void define(model_definition<Handle>& s)
        {
            s.field("name", &Handle::name).validates(uniqueness().scope("id"));
        }
    };
    Handle h;
    h.name = "x";
    EXPECT_TRUE(h.valid_locally());
    const field_validator v = uniqueness().build();
    EXPECT_FALSE(v.check);
    EXPECT_TRUE(v.async_check);
}

TEST(Validation, BuildersRefuseMeaninglessOptions)
{
    EXPECT_THROW((void)length().build(), error);
    try {
        (void)length().minimum(5).maximum(2).build();
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("minimum 5 is above maximum 2"), std::string::npos);
    }
    EXPECT_THROW((void)format().build(), error);
    EXPECT_THROW((void)inclusion({}).build(), error);
    EXPECT_THROW((void)exclusion({}).build(), error);
}

struct Misdeclared : model<Misdeclared> {
    std::string id;
    std::string a;
    static void define(model_definition<Misdeclared>& s)
    {
        s.field("a", &Misdeclared::a).if_([](const Misdeclared&) { return true; });
    }
};

TEST(Validation, ConditionBeforeValidatorIsRefused)
{
    try {
        (void)Misdeclared::class_descriptor();
        FAIL() << "expected an error";
    } catch (const error& e) {
        EXPECT_EQ(e.code(), errc::invalid_argument);
        EXPECT_NE(std::string(e.what()).find("before any validates()"), std::string::npos);
    }
}

TEST(Validation, Blankness)
{
    EXPECT_TRUE(is_blank(nullptr));
    const attribute_value spaces(" \t\n");
    EXPECT_TRUE(is_blank(&spaces));
    const attribute_value text("x");
    EXPECT_FALSE(is_blank(&text));
    const attribute_value no_list(attribute_list{});
    EXPECT_TRUE(is_blank(&no_list));
    const attribute_value falsy(false);
    EXPECT_FALSE(is_blank(&falsy));
    const attribute_value zero(0);
    EXPECT_FALSE(is_blank(&zero));
}

TEST(Validation, ErrorsCollection)
{
    model_errors errors;
    EXPECT_TRUE(errors.empty());
    errors.add("stock_quantity", "must be positive");
    errors.add("author_id", "can't be blank");
    errors.add_to_base("Something is off");
    EXPECT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors.full_messages(),
              (std::vector<std::string>{"Stock quantity must be positive", "Author can't be blank",
                                        "Something is off"}));
    EXPECT_EQ(errors.on(""), (std::vector<std::string>{"Something is off"}));
    errors.clear();
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(detail::humanize("_leading_"), "Leading");
    EXPECT_EQ(to_string(validation_context::update), "update");
}

}  // namespace
