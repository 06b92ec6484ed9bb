// Queries that yield models: model_relation (a relation whose items become records),
// model_cursor, and model_scope (a model bound to a database: find, find_by, where, ...).
#pragma once

#include <dynomite/model/default_database.hpp>
#include <dynomite/model/model_cursor.hpp>
#include <dynomite/model/model_relation.hpp>
#include <dynomite/model/model_scope.hpp>
