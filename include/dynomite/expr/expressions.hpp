// Expressions: document paths, placeholders, conditions, updates and "field.op" keys.
#pragma once

#include <dynomite/expr/condition.hpp>
#include <dynomite/core/document_path.hpp>
#include <dynomite/expr/expression_context.hpp>
#include <dynomite/expr/field_operator.hpp>
#include <dynomite/expr/update_expression.hpp>
