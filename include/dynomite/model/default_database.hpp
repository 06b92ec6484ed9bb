// The model layer's default database and the naming of its tables.
#pragma once

#include <dynomite/core/naming.hpp>
#include <dynomite/query/database.hpp>

namespace dynomite {

/// The default database of the model layer, used by models and records not bound to one.
/// It is kept by the execution context of its client (an Asio service) and forgotten when
/// that context shuts down, so that it never outlives the io_context its connections use.
/// One default at a time: setting one for another context replaces it.
void set_default_database(database db);
/// The default database; throws dynomite::error(errc::invalid_configuration) when none is set.
database default_database();
bool has_default_database() noexcept;
/// Forgets the default database.
void clear_default_database() noexcept;

/// How default table names are made (namespace and separator; DYNOMITE_NAMESPACE when the
/// namespace is not set). Applies to tables named afterwards: a model's default table name is
/// made when it is first needed after the last call, and DYNOMITE_NAMESPACE is read then.
void set_model_naming(naming_options options);
naming_options model_naming();

}  // namespace dynomite
